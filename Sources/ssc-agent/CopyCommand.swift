import JSON
import Agent
import ArgumentParser
import Backends
import Glibc
import Profiles

struct CopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy SRC to DST through the best backend that can serve the pair.",
        discussion: """
            Without a range the whole file is copied and DST is truncated to SRC's size. With \
            --src-offset/--dst-offset/--count only that range is copied and DST never shrinks. \
            Holes in SRC read back as zeros in DST and stay holes where DST had no data.
            """
    )

    @Argument(help: "Source: a regular file or a block device.")
    var source: String

    @Argument(help: "Destination: a regular file (created if missing) or a block device.")
    var destination: String

    @OptionGroup var range: RangeOptions

    @Option(help: "Use only this backend (reflink, copy_file_range, xcopy, aio); fail if it cannot serve.")
    var backend: BackendName?

    @Flag(help: "fdatasync the destination before reporting (committed FILE_SYNC).")
    var fsync = false

    @Flag(help: "Fail if the destination already has data.")
    var guarded = false

    @Flag(help: "Print one JSON object with the result.")
    var json = false

    @Flag(help: "Print on stderr which backends were tried and why each was passed over.")
    var explain = false

    @Option(name: .customLong("block-size"), help: "aio: bytes per read/write, e.g. 1M (default 4 MiB).")
    var blockSizeArgument: ByteCount?

    @Option(name: .customLong("queue-depth"), help: "aio: buffers in flight (default 16).")
    var queueDepth: Int?

    @Flag(name: .customLong("no-direct"), help: "aio: never use O_DIRECT.")
    var noDirect = false

    @Option(name: .customLong("scsi-timeout"), help: "xcopy: seconds each SCSI command may take (default: the profile's, else 60).")
    var scsiTimeout: Int?

    @Option(name: .customLong("agent"), help: "Copy through the running agent at this socket, passing descriptors.")
    var agentSocket: String?

    @OptionGroup var profiles: ProfileOptions

    /// The command line's values as the plain value that runs; SimpleCommandLine
    /// produces the same one without this parser.
    var arguments: CopyArguments {
        CopyArguments(
            source: source, destination: destination, range: range.byteRange, backend: backend, fsync: fsync,
            guarded: guarded, json: json, explain: explain, blockSizeArgument: blockSizeArgument, queueDepth: queueDepth,
            noDirect: noDirect, scsiTimeout: scsiTimeout, profilesDirectory: profiles.directory, agentSocket: agentSocket)
    }

    func validate() throws { try arguments.validate() }

    func run() throws { try arguments.run() }
}

/// What a `copy` command line asks for, however it was parsed: checked by `validate`
/// and carried out by `run`.
struct CopyArguments: Equatable, Sendable {
    var source: String
    var destination: String
    var range: ByteRange
    var backend: BackendName?
    var fsync = false
    var guarded = false
    var json = false
    var explain = false
    var blockSizeArgument: ByteCount?
    var queueDepth: Int?
    var noDirect = false
    var scsiTimeout: Int?
    /// `--profiles DIR` (the plain command line never sets it: it leaves that option to
    /// ArgumentParser).
    var profilesDirectory: String? = nil
    /// `--agent SOCKET`: copy through a running agent (also left to ArgumentParser).
    var agentSocket: String? = nil

    var blockSize: Int? { blockSizeArgument.map { Int(clamping: $0.value) } }

    func validate() throws(ValidationError) {
        if agentSocket != nil {
            let inProcessOnly = [
                ("--block-size", blockSizeArgument != nil), ("--queue-depth", queueDepth != nil), ("--no-direct", noDirect),
                ("--scsi-timeout", scsiTimeout != nil), ("--explain", explain), ("--profiles", profilesDirectory != nil),
            ].filter(\.1).map(\.0)
            if !inProcessOnly.isEmpty {
                throw ValidationError("\(inProcessOnly.joined(separator: ", ")) apply to in-process copies, not with --agent")
            }
        }
        if let blockSize, blockSize < 4096 || blockSize > 256 << 20 {
            throw ValidationError("--block-size must be between 4096 and 268435456 bytes")
        }
        if let queueDepth, queueDepth < 1 || queueDepth > 1024 {
            throw ValidationError("--queue-depth must be between 1 and 1024")
        }
        if let scsiTimeout, scsiTimeout < 1 || scsiTimeout > 86400 {
            throw ValidationError("--scsi-timeout must be between 1 and 86400 seconds")
        }
    }

    func run() throws {
        if let agentSocket { return try runThroughAgent(agentSocket) }
        let overrides = TunableOverrides(
            aioBlockSize: blockSize, aioQueueDepth: queueDepth, aioDirect: noDirect ? false : nil,
            xcopyTimeout: scsiTimeout.map { .seconds($0) })
        let request = CopyRequest(
            srcOffset: range.srcOffset ?? 0, dstOffset: range.dstOffset ?? 0, count: range.count ?? 0,
            truncate: range.isWholeFile, guarded: guarded, stable: fsync, backend: backend)
        let started = ContinuousClock.now
        let outcome: CopyOutcome
        do throws(CopyFailure) {
            outcome = try InProcessCopy.run(
                source: source, destination: destination, request: request, profilesDirectory: profilesDirectory,
                showProgress: !json && Output.isTerminal(STDOUT_FILENO)
            ) { (engine, src, dst, context) throws(CopyFailure) -> CopyOutcome in
                try engine.copy(source: src, destination: dst, request: request, overrides: overrides, context: context)
            }
        } catch {
            if explain { Explain.print(error.skipped, chosen: nil, plan: error.plan) }
            if json {
                Output.printJSON(
                    .object([
                        ("ok", false), ("error", Output.json(error.error)), ("skipped", Output.json(error.skipped)),
                        ("profiles", ProfileOutput.json(error.plan)),
                    ]))
            }
            Output.printError(error.error.message + (error.error.bytes > 0 ? " (\(error.error.bytes) bytes in place)" : ""))
            throw ExitCode.failure
        }
        let elapsed = ContinuousClock.now - started
        if explain { Explain.print(outcome.skipped, chosen: outcome.backend, plan: outcome.plan) }
        report(outcome, elapsed: elapsed, json: json)
    }

    /// The copy as an asynchronous job of the agent at `socket`.
    func runThroughAgent(_ socket: String) throws {
        var params: [(String, JSONValue)] = [
            ("src_offset", .unsigned(range.srcOffset ?? 0)), ("dst_offset", .unsigned(range.dstOffset ?? 0)),
            ("count", .unsigned(range.count ?? 0)), ("truncate", .bool(range.isWholeFile)), ("guarded", .bool(guarded)),
            ("stable", .bool(fsync)),
        ]
        if let backend { params.append(("backend", .string(backend.rawValue))) }
        let started = ContinuousClock.now
        let outcome: AgentCopy.Outcome
        do {
            let client = try AgentOption.connect(socket)
            outcome = try AgentCopy.run(
                client: client, source: source, destination: destination, params: params,
                showProgress: !json && Output.isTerminal(STDOUT_FILENO))
        } catch let error as AgentClientError {
            if json, case .rejected(let rpc) = error { Output.printJSON(.object([("ok", false), ("error", rpc.json)])) }
            Output.printError(error.description)
            throw ExitCode.failure
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if let error = outcome.error {
            if json { Output.printJSON(.object([("ok", false), ("job", .string(outcome.job)), ("error", error.json)])) }
            Output.printError(error.message + ((error.bytes ?? 0) > 0 ? " (\(error.bytes ?? 0) bytes in place)" : ""))
            throw ExitCode.failure
        }
        if json {
            Output.printJSON(
                .object([
                    ("ok", .bool(outcome.state == "done")), ("job", .string(outcome.job)), ("state", .string(outcome.state)),
                    ("bytes", .unsigned(outcome.bytes)), ("count", .unsigned(outcome.count)), ("short", .bool(outcome.bytes < outcome.count)),
                    ("committed", outcome.committed.map(JSONValue.string) ?? .null),
                    ("backend", outcome.backend.map(JSONValue.string) ?? .null), ("seconds", .number(seconds)),
                ]))
        } else {
            Output.writeLine(
                "copied \(outcome.bytes) bytes (\(humanBytes(Double(outcome.bytes)))) with \(outcome.backend ?? "?") through the agent (job \(outcome.job), \(outcome.state)) in \(Int(seconds * 1000)) ms, \(outcome.committed ?? "UNSTABLE")",
                to: STDOUT_FILENO)
        }
        if outcome.state != "done" { throw ExitCode.failure }
    }

    func report(_ outcome: CopyOutcome, elapsed: Duration, json: Bool) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if json {
            var members: [(String, JSONValue)] = [
                ("ok", true), ("bytes", .unsigned(outcome.bytes)), ("count", .unsigned(outcome.count)),
                ("short", .bool(outcome.short)), ("committed", .string(outcome.committed.rawValue)),
                ("backend", .string(outcome.backend.rawValue)), ("profiles", ProfileOutput.json(outcome.plan)),
                ("skipped", Output.json(outcome.skipped)),
            ]
            if let direct = outcome.direct {
                members.append(("direct", .object([("source", .bool(direct.source)), ("destination", .bool(direct.destination))])))
            }
            members.append(("buffered_bytes", .unsigned(outcome.bufferedBytes)))
            members.append(("seconds", .number(seconds)))
            Output.printJSON(.object(members))
            return
        }
        let rate = seconds > 0 ? "\(humanBytes(Double(outcome.bytes) / seconds))/s" : "-"
        var line = "copied \(outcome.bytes) bytes (\(humanBytes(Double(outcome.bytes)))) with \(outcome.backend) in \(Int(seconds * 1000)) ms, \(rate), \(outcome.committed.rawValue)"
        if let direct = outcome.direct {
            line += ", O_DIRECT source \(direct.source ? "yes" : "no") destination \(direct.destination ? "yes" : "no")"
        }
        if outcome.short { line += " (short: cancelled)" }
        Output.writeLine(line, to: STDOUT_FILENO)
    }
}

extension BackendName: ExpressibleByArgument {}

/// Opens both paths as the CLI does and runs an engine operation on them with a
/// progress bar. A destination this run created is removed again if the operation
/// failed before any byte was in place, so a refused copy leaves nothing behind.
enum InProcessCopy {
    static func run(
        source: String, destination: String, request: CopyRequest, profilesDirectory: String?, showProgress: Bool,
        operation: (CopyEngine, CopyFile, CopyFile, CopyContext) throws(CopyFailure) -> CopyOutcome
    ) throws(CopyFailure) -> CopyOutcome {
        // The profiles are parsed here, once, before anything is opened: a broken
        // profile is reported as itself, not as a copy that found no backend.
        let store = ProfileOptions.store(directory: profilesDirectory)
        do { _ = try ProfileOptions.load(store) } catch { throw CopyFailure(error: error, skipped: []) }
        let engine = CopyEngine(selector: ProfileSelector(store: store), logger: Logs.logger("ssc-agent.engine"))
        let sourceFile: CopyFile
        let destinationFile: CopyFile
        do {
            sourceFile = try CopyFile.openSource(path: source)
        } catch {
            throw CopyFailure(error: error, skipped: [])
        }
        let existed = access(destination, F_OK) == 0
        do {
            destinationFile = try CopyFile.openDestination(path: destination)
        } catch {
            throw CopyFailure(error: error, skipped: [])
        }
        // The total is only needed for a bar; asking the size costs a READ CAPACITY
        // on a SCSI generic node, so it is not asked otherwise.
        let total: UInt64 =
            !showProgress ? 0
            : request.count > 0 ? request.count
            : (try? sourceFile.size()).map { $0 - min($0, request.srcOffset) } ?? 0
        // No bar object at all when none is drawn (its first use costs runtime work).
        let bar = showProgress ? ProgressBar(total: total, enabled: true) : nil
        let context = bar.map { bar in CopyContext { bar.update($0) } } ?? CopyContext()
        defer { bar?.finish() }
        do {
            return try operation(engine, sourceFile, destinationFile, context)
        } catch {
            if !existed, error.error.bytes == 0, destinationFile.kind == .regular, (try? destinationFile.size()) == 0 {
                unlink(destination)
            }
            throw error
        }
    }
}

enum Explain {
    static func print(_ skipped: [BackendSkip], chosen: BackendName?, plan: BackendPlan?) {
        for line in plan?.explanation ?? [] {
            Output.writeLine("explain: \(line)", to: STDERR_FILENO)
        }
        for skip in skipped {
            Output.writeLine("explain: \(skip.backend): passed over (\(skip.reason.rawValue)): \(skip.message)", to: STDERR_FILENO)
        }
        if let chosen {
            Output.writeLine("explain: \(chosen): chosen", to: STDERR_FILENO)
        }
    }
}
