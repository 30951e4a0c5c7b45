import Agent
import ArgumentParser
import Backends
import BuiltInProfiles
import Glibc
import Logging
import Profiles

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the agent: serve the local-socket protocol (version 1) to NFS server fronts and clients.",
        discussion: """
            The socket is /run/ssc-agent/ssc-agent.sock for root, $XDG_RUNTIME_DIR/ssc-agent.sock \
            otherwise, mode 0660, group --socket-group. Under systemd socket activation the \
            inherited socket is used. SIGTERM or SIGINT cancels running copies, reports them, \
            removes the socket file and exits 0. SIGHUP re-reads the device profiles (a broken \
            set leaves the previous one in force).
            """
    )

    @Option(help: "Socket path (default as described above).")
    var socket: String?

    @Option(name: .customLong("socket-group"), help: "Group that may connect (name or number; default the agent's group).")
    var socketGroup: String?

    @Option(name: .customLong("max-async"), help: "Running asynchronous copies allowed; beyond it copy.start answers busy (default 64).")
    var maxAsync: Int?

    @Option(name: .customLong("sync-max-bytes"), help: "Largest synchronous copy; longer ones are short (default 64M).")
    var syncMaxBytes: ByteCount?

    @Option(name: .customLong("retention-seconds"), help: "How long finished jobs and events stay queryable (default 300).")
    var retentionSeconds: Int?

    @OptionGroup var profiles: ProfileOptions

    @Option(name: .customLong("copy-threads"), help: "Threads running asynchronous copies (default 16).")
    var copyThreads: Int?

    func validate() throws {
        if let maxAsync, maxAsync < 1 || maxAsync > 100_000 { throw ValidationError("--max-async must be between 1 and 100000") }
        if let syncMaxBytes, syncMaxBytes.value < 1 { throw ValidationError("--sync-max-bytes must be at least 1") }
        if let retentionSeconds, retentionSeconds < 1 || retentionSeconds > 86400 * 7 {
            throw ValidationError("--retention-seconds must be between 1 and 604800")
        }
        if let copyThreads, copyThreads < 1 || copyThreads > 1024 { throw ValidationError("--copy-threads must be between 1 and 1024") }
    }

    func run() throws {
        // Signals are taken by sigwait on this thread: block them before any other
        // thread exists, so every thread inherits the mask.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)
        raiseDescriptorLimit()

        var limits = AgentLimits()
        if let maxAsync { limits.maxAsyncJobs = maxAsync }
        if let syncMaxBytes { limits.syncMaxBytes = syncMaxBytes.value }
        if let retentionSeconds { limits.retentionSeconds = retentionSeconds }
        if let copyThreads { limits.copyThreads = copyThreads }

        // The profile set is checked at start: an agent never serves on a broken set.
        let store = profiles.store()
        do { _ = try profiles.load(store) } catch {
            Output.printError(error.message)
            throw ExitCode.failure
        }
        let listener: ListeningSocket
        do {
            if let inherited = try ListeningSocket.inherited() {
                listener = inherited
            } else {
                let group = try ListeningSocket.groupID(socketGroup)
                let path = try socket ?? ListeningSocket.defaultPath()
                listener = try ListeningSocket.bind(path: path, group: group, createDirectory: socket == nil)
            }
        } catch let error as ListeningSocket.SetupError {
            Output.printError(error.description)
            throw ExitCode.failure
        }
        let logger = Logs.logger("ssc-agent.serve")
        let service = AgentService(limits: limits, version: SSCAgent.configuration.version, profiles: store, logger: logger)
        let server = AgentServer(service: service, listener: listener, logger: logger)
        server.start()
        let where_ = listener.path ?? "the socket inherited from systemd"
        Output.writeLine(
            "ssc-agent: listening on \(where_) (protocol 1, boot_id \(service.bootID), max_async_jobs \(limits.maxAsyncJobs), sync_max_bytes \(limits.syncMaxBytes))",
            to: STDERR_FILENO)
        if let path = listener.path {
            Output.writeLine("ssc-agent: try: ssc-agent copy SRC DST --agent \(path)   or   ssc-agent jobs --agent \(path)", to: STDERR_FILENO)
        }

        var received: CInt = 0
        while true {
            guard sigwait(&signals, &received) == 0 else { continue }
            guard received == SIGHUP else { break }
            // SIGHUP: re-read the profiles; a broken set leaves the previous one in force.
            if let errors = service.reloadProfiles() {
                Output.writeLine("ssc-agent: profiles not reloaded, the previous set stays: \(errors)", to: STDERR_FILENO)
            } else {
                Output.writeLine("ssc-agent: profiles reloaded", to: STDERR_FILENO)
            }
        }
        Output.writeLine("ssc-agent: signal \(received): cancelling running copies and stopping", to: STDERR_FILENO)
        let lock = ConditionLock()
        nonisolated(unsafe) var stopped = false
        Task.detached {
            await server.stop()
            lock.withLock {
                stopped = true
                lock.broadcast()
            }
        }
        lock.withLock {
            while !stopped { lock.wait() }
        }
        Output.writeLine("ssc-agent: stopped", to: STDERR_FILENO)
        Glibc.exit(0)
    }

    /// A busy agent holds two descriptors per running job: use the hard limit.
    private func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(RLIMIT_NOFILE_, &limit)
    }
}

private let RLIMIT_NOFILE_ = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
