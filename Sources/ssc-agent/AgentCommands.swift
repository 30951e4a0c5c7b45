import Agent
import ArgumentParser
import Backends
import Glibc
import JSON

/// `--agent SOCKET` for the commands that talk to a running agent.
struct AgentOption: ParsableArguments {
    @Option(name: .customLong("agent"), help: "The agent's socket (default /run/ssc-agent/ssc-agent.sock for root, else $XDG_RUNTIME_DIR/ssc-agent.sock).")
    var socket: String?

    func connect() throws -> AgentClient {
        try Self.connect(socket)
    }

    static func connect(_ socket: String?) throws -> AgentClient {
        do {
            return try AgentClient(path: try socket ?? ListeningSocket.defaultPath())
        } catch let error as ListeningSocket.SetupError {
            Output.printError(error.description)
            throw ExitCode.failure
        } catch {
            Output.printError("\(error)")
            throw ExitCode.failure
        }
    }
}

/// Runs one call and turns an error into the CLI's one-line failure.
func callAgent(_ client: AgentClient, _ method: String, _ params: JSONValue, json: Bool) throws -> JSONValue {
    do {
        return try client.call(method, params)
    } catch {
        if json, case .rejected(let rpc) = error {
            Output.printJSON(.object([("ok", false), ("error", rpc.json)]))
        }
        Output.printError(error.description)
        throw ExitCode.failure
    }
}

/// What `status` and `cancel` take: one job, the agent, and --json.
struct JobOptions: ParsableArguments {
    @Argument(help: "The job id copy.start returned.")
    var job: String

    @OptionGroup var agent: AgentOption

    @Flag(help: "Print the agent's answer as JSON.")
    var json = false

    func call(_ method: String) throws -> JSONValue {
        try callAgent(try agent.connect(), method, .object([("job", .string(job))]), json: json)
    }
}

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "List the agent's copy jobs (copy.list).")

    @OptionGroup var agent: AgentOption

    @Flag(help: "Print the agent's answer as JSON.")
    var json = false

    func run() throws {
        let client = try agent.connect()
        let result = try callAgent(client, "copy.list", .object([]), json: json)
        if json {
            Output.printJSON(result)
            return
        }
        let jobs = result["jobs"]?.arrayValue ?? []
        if jobs.isEmpty {
            Output.writeLine("no jobs", to: STDOUT_FILENO)
            return
        }
        for job in jobs { Output.writeLine(StatusCommand.line(job), to: STDOUT_FILENO) }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show one copy job (copy.status).")

    @OptionGroup var options: JobOptions

    func run() throws {
        let result = try options.call("copy.status")
        if options.json { Output.printJSON(result) } else { Output.writeLine(Self.line(result), to: STDOUT_FILENO) }
    }

    static func line(_ status: JSONValue) -> String {
        let id = status["job"]?.stringValue ?? "?"
        let state = status["state"]?.stringValue ?? "?"
        let bytes = status["bytes"]?.uint64Value ?? 0
        let count = status["count"]?.uint64Value ?? 0
        let backend = status["backend"]?.stringValue ?? "-"
        var line = "\(id)  \(state)  \(bytes)/\(count) bytes  \(backend)"
        if let committed = status["committed"]?.stringValue { line += "  \(committed)" }
        if let message = status["error"]?["message"]?.stringValue { line += "  error: \(message)" }
        return line
    }
}

struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a copy job and wait until it has stopped (copy.cancel).")

    @OptionGroup var options: JobOptions

    func run() throws {
        let result = try options.call("copy.cancel")
        if options.json {
            Output.printJSON(result)
        } else {
            Output.writeLine(
                "\(result["job"]?.stringValue ?? options.job)  \(result["state"]?.stringValue ?? "?")  \(result["bytes"]?.uint64Value ?? 0) bytes in place",
                to: STDOUT_FILENO)
        }
    }
}

/// `copy --agent`: the CLI opens both files itself and passes the descriptors, so the
/// agent copies with exactly the access this user has. The copy runs as an
/// asynchronous job, followed by status polls (the progress bar) until its copy.done.
enum AgentCopy {
    struct Outcome {
        var job: String
        var state: String
        var bytes: UInt64
        var count: UInt64
        var backend: String?
        var committed: String?
        var error: RPCError?
    }

    static func run(client: AgentClient, source: String, destination: String, params: [(String, JSONValue)], showProgress: Bool)
        throws(AgentClientError) -> Outcome
    {
        let src = open(source, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard src >= 0 else {
            throw .rejected(RPCError(.invalid, "\(source): cannot open the source: \(String(cString: strerror(errno)))"))
        }
        defer { close(src) }
        let dst = open(destination, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0o666)
        guard dst >= 0 else {
            throw .rejected(RPCError(.invalid, "\(destination): cannot open the destination: \(String(cString: strerror(errno)))"))
        }
        defer { close(dst) }
        // O_NONBLOCK only guarded the opens against FIFOs; the agent refuses those anyway.
        _ = fcntl(src, F_SETFL, fcntl(src, F_GETFL) & ~O_NONBLOCK)
        _ = fcntl(dst, F_SETFL, fcntl(dst, F_GETFL) & ~O_NONBLOCK)

        _ = try client.call("events.subscribe")
        let started = try client.call(
            "copy.start", .object([("src", .object([("fd", 0)])), ("dst", .object([("fd", 1)]))] + params), descriptors: [src, dst])
        guard let job = started["job"]?.stringValue else { throw .transport("copy.start answered without a job id") }
        var bar: ProgressBar? = nil
        var final: JSONValue? = nil
        while final == nil {
            if let event = try client.nextNotification(timeout: 0.25), event["method"]?.stringValue == "copy.done",
                event["params"]?["job"]?.stringValue == job
            {
                final = try client.call("copy.status", .object([("job", .string(job))]))
                break
            }
            let status = try client.call("copy.status", .object([("job", .string(job))]))
            if status["state"]?.stringValue != "running" {
                final = status
                break
            }
            if showProgress {
                if bar == nil { bar = ProgressBar(total: status["count"]?.uint64Value ?? 0, enabled: true) }
                bar?.update(status["bytes"]?.uint64Value ?? 0)
            }
        }
        bar?.finish()
        _ = try? client.call("copy.release", .object([("job", .string(job))]))
        let status = final!
        return Outcome(
            job: job, state: status["state"]?.stringValue ?? "?", bytes: status["bytes"]?.uint64Value ?? 0,
            count: status["count"]?.uint64Value ?? 0, backend: status["backend"]?.stringValue,
            committed: status["committed"]?.stringValue, error: status["error"].flatMap(RPCError.init(json:)))
    }
}
