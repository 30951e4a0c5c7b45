import Backends
import Glibc

/// One run of an external tool as a child process, followed by an fdatasync of the
/// destination by the bench, both inside the timing.
///
/// CPU: the child's rusage from wait4 (its own reaped children included) plus the
/// bench's own CPU over the run (spawning, the fdatasync). Bytes read and written: the
/// bench's /proc/self/io before spawning and after reaping, since the kernel adds a
/// reaped child's counters to its parent's; the bench itself does no I/O meanwhile
/// other than the fdatasync, which is part of the copy.
///
/// fio is the exception for time and process CPU: they are its own figures for its two
/// jobs (see FioFigures).
struct ToolRun {
    let tool: ToolName?
    let command: [String]

    func run(_ facts: PairFacts, run: Int) throws(BenchError) -> Result<RunMeasurement, CaseFailure> {
        let program = command[0].split(separator: "/").last.map(String.init) ?? command[0]
        let before = try CounterSnapshot.before()
        let exit: ChildProcess.Exit
        do {
            exit = try ChildProcess.run(command)
        } catch {
            return .failure(CaseFailure(message: error.message, run: run))
        }
        var syncError: String?
        if exit.succeeded { syncError = fdatasync(facts.destination.path) }
        let after = try CounterSnapshot.after()

        guard exit.succeeded else {
            let detail = Self.errorLine(exit.errorTail, program: program).map { ": \($0)" } ?? ""
            return .failure(CaseFailure(message: "\(program) \(exit.summary)\(detail)", run: run, exitStatus: exit.status))
        }
        if let syncError {
            return .failure(CaseFailure(message: "\(facts.destination.path): fdatasync after \(program): \(syncError)", run: run, exitStatus: exit.status))
        }
        if facts.destination.kind == .regular {
            var st = Glibc.stat()
            guard fstatat(AT_FDCWD, facts.destination.path, &st, 0) == 0 else {
                return .failure(CaseFailure(message: "\(facts.destination.path): missing after \(program) exited 0", run: run, exitStatus: 0))
            }
            guard UInt64(st.st_size) == facts.size else {
                return .failure(CaseFailure(
                    message: "\(facts.destination.path): \(st.st_size) bytes after \(program), expected \(facts.size)", run: run, exitStatus: 0))
            }
        }
        var seconds = after.seconds(since: before)
        var cpu = exit.cpu + (after.cpu - before.cpu)
        if tool == .fio {
            switch FioFigures.parse(exit.output) {
            case .failure(let problem):
                return .failure(CaseFailure(message: problem.message, run: run, exitStatus: 0))
            case .success(let figures):
                guard figures.bytesRead == facts.size, figures.bytesWritten == facts.size else {
                    return .failure(CaseFailure(
                        message: "fio read \(figures.bytesRead) and wrote \(figures.bytesWritten) bytes, expected \(facts.size) each",
                        run: run, exitStatus: 0))
                }
                // fio counts whole milliseconds: a job shorter than that reads 0, and
                // then the process's own wall time is the better figure.
                if figures.seconds > 0 { seconds = figures.seconds }
                cpu = figures.cpu
            }
        }
        return .success(RunMeasurement(
            seconds: seconds, bytes: facts.size, cpu: cpu,
            systemCPUSeconds: after.system.seconds(since: before.system), io: after.io.since(before.io),
            bufferedBytes: nil))
    }

    /// The line of a tool's stderr that says what went wrong: the last one it prefixed
    /// with its own name ("dd: error writing ...", "/usr/bin/cp: ..."), as dd follows its
    /// error with statistics; else the last line.
    static func errorLine(_ stderr: String, program: String) -> String? {
        let lines = stderr.split(separator: "\n").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        let named = lines.last { line in
            guard let colon = line.firstIndex(of: ":") else { return false }
            let prefix = line[..<colon]
            return prefix == program || prefix.hasSuffix("/" + program)
        }
        return (named ?? lines.last).map(String.init)
    }

    /// nil on success, else the error text.
    private func fdatasync(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return errnoText() }
        defer { close(fd) }
        while Glibc.fdatasync(fd) != 0 {
            if errno != EINTR { return errnoText() }
        }
        return nil
    }
}
