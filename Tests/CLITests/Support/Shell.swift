import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A harness problem (a missing tool, a failed mkfs, no root): every test of the class
/// fails with this message; nothing is ever skipped.
struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// What a child process did. `timedOut` means it was killed by the harness's hang guard
/// (no test asserts on durations; the guard only turns a hang into a failure).
struct ProcessResult: CustomStringConvertible {
    var command: [String]
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool

    var description: String {
        var text = "`\(command.map(Shell.quote).joined(separator: " "))` exited with status \(status)"
        if timedOut { text += " (KILLED: still running after the harness's hang guard expired)" }
        text += "\n--- stdout ---\n\(stdout.isEmpty ? "(empty)" : stdout)"
        text += "\n--- stderr ---\n\(stderr.isEmpty ? "(empty)" : stderr)"
        return text
    }
}

enum Shell {
    static func quote(_ word: String) -> String {
        if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || "/._-=:,+@%".contains($0) }) {
            return word
        }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Directories searched for tools besides $PATH (CI shells sometimes drop /sbin).
    static let extraPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The absolute path of a tool, or nil.
    static func which(_ tool: String) -> String? {
        if tool.contains("/") { return access(tool, X_OK) == 0 ? tool : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":").map(String.init) + extraPath where !dir.isEmpty {
            let candidate = dir + "/" + tool
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Runs `executable` with `arguments`, stdin from /dev/null, capturing stdout and
    /// stderr completely (through files, so a chatty child can never block on a pipe).
    /// After `timeout` seconds the child is killed and the result says so.
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 600) throws -> ProcessResult {
        guard let path = which(executable) else {
            throw HarnessError("cannot run \(executable): not found in PATH or \(extraPath)")
        }
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("ssc-cli-tests-out-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do {
            try process.run()
        } catch {
            try? outHandle.close()
            try? errHandle.close()
            throw HarnessError("cannot start \(path): \(error)")
        }
        var timedOut = false
        if done.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            done.wait()
        }
        try? outHandle.close()
        try? errHandle.close()
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return ProcessResult(
            command: [path] + arguments, status: process.terminationStatus,
            stdout: stdout, stderr: stderr, timedOut: timedOut)
    }

    /// Runs a tool that must succeed (mkfs, losetup, mount ...); returns its stdout.
    @discardableResult
    static func checked(_ executable: String, _ arguments: [String], timeout: TimeInterval = 600) throws -> String {
        let result = try run(executable, arguments, timeout: timeout)
        guard result.status == 0, !result.timedOut else {
            throw HarnessError("harness command failed: \(result)")
        }
        return result.stdout
    }

    /// Runs a shell snippet that must succeed.
    @discardableResult
    static func sh(_ script: String, timeout: TimeInterval = 600) throws -> String {
        try checked("/bin/sh", ["-c", script], timeout: timeout)
    }
}
