import Glibc

/// An external program run to completion with posix_spawn and reaped with wait4, which
/// hands back its CPU time (its own children's included). stdin is /dev/null; stdout
/// and stderr go to unlinked temporary files, so a chatty tool can never block on a
/// pipe the bench does not read while it waits, stdout can be parsed (fio's JSON) and
/// the end of stderr can explain a failure.
struct ChildProcess {
    struct Exit {
        /// The exit status when the program exited normally.
        var status: Int32?
        /// The signal that ended it, if one did.
        var signal: Int32?
        var cpu: CPUTime
        /// What it wrote on stdout (up to `maxOutput` bytes).
        var output: [UInt8]
        /// The end of what it wrote on stderr.
        var errorTail: String

        var succeeded: Bool { status == 0 }

        var summary: String {
            if let status { return "exited with status \(status)" }
            if let signal { return "was killed by signal \(signal)" }
            return "ended abnormally"
        }
    }

    static let maxOutput = 4 << 20

    /// Runs `arguments[0]` (an absolute path) with the rest as its arguments and waits
    /// for it. Throws only when it could not be started.
    static func run(_ arguments: [String]) throws(BenchError) -> Exit {
        precondition(!arguments.isEmpty && arguments[0].hasPrefix("/"), "ChildProcess.run needs an absolute path")
        let stdout = try temporaryFile(for: arguments[0])
        defer { close(stdout) }
        let stderr = try temporaryFile(for: arguments[0])
        defer { close(stderr) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

        // Messages in the C locale, so a failure reads the same everywhere.
        var environment = currentEnvironment().filter { !$0.hasPrefix("LC_ALL=") && !$0.hasPrefix("LANGUAGE=") }
        environment.append("LC_ALL=C")

        let pid: pid_t = try withCStrings(arguments) { argv throws(BenchError) in
            try withCStrings(environment) { envp throws(BenchError) in
                var pid: pid_t = 0
                let result = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
                guard result == 0 else {
                    throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(result)))")
                }
                return pid
            }
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("wait4 for \(arguments[0]) (pid \(pid)): \(errnoText())") }
        }
        let termination = status & 0x7f
        let errorBytes = contents(of: stderr, last: 2048)
        return Exit(
            status: termination == 0 ? (status >> 8) & 0xff : nil,
            signal: termination != 0 && termination != 0x7f ? termination : nil,
            cpu: CPUTime(usage), output: contents(of: stdout, last: maxOutput),
            errorTail: String(decoding: errorBytes, as: UTF8.self))
    }

    /// An unlinked file in /tmp for one of the child's output streams. Only the child's
    /// descriptors 1 and 2 keep it open across exec (dup2 clears close-on-exec).
    private static func temporaryFile(for program: String) throws(BenchError) -> CInt {
        var template = Array("/tmp/ssc-agent-bench-output.XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw BenchError("cannot create a temporary file for \(program)'s output: \(errnoText())") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    /// The last `last` bytes of a file.
    private static func contents(of fd: CInt, last: Int) -> [UInt8] {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return [] }
        let start = max(0, Int(size) - last)
        var buffer = [UInt8](repeating: 0, count: Int(size) - start)
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(start + done)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        return Array(buffer[0..<done])
    }

    private static func currentEnvironment() -> [String] {
        var result: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            result.append(String(cString: pointer))
            entry += 1
        }
        return result
    }

    /// A NULL-terminated array of C strings valid for the duration of `body`.
    private static func withCStrings<R>(
        _ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) throws(BenchError) -> R
    ) throws(BenchError) -> R {
        let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return try body(pointers)
    }
}

func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
