import Agent
import Foundation
import JSON

#if canImport(Glibc)
import Glibc
#endif

/// An `ssc-agent serve` child process on a socket of its own, for the protocol tests.
/// It is stopped (SIGTERM) by `stop()` or, failing that, killed when released.
final class RunningAgent {
    let socketPath: String
    let process: Process
    private let logURL: URL
    private var stopped = false

    /// Starts `ssc-agent serve --socket <directory>/agent.sock ARGS` and waits until the
    /// socket accepts connections.
    init(directory: String, arguments: [String] = [], environment: [String: String] = [:]) throws {
        socketPath = directory + "/agent.sock"
        logURL = URL(fileURLWithPath: directory + "/agent-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Agent.binary())
        process.arguments = ["serve", "--socket", socketPath] + arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        let log = try FileHandle(forWritingTo: logURL)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try log.close()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if !process.isRunning { throw HarnessError("ssc-agent serve exited at start: \(self.log)") }
            if (try? AgentClient(path: socketPath)) != nil { return }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        throw HarnessError("ssc-agent serve did not accept connections within 30 s: \(self.log)")
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    func client() throws -> AgentClient {
        do { return try AgentClient(path: socketPath) } catch { throw HarnessError("\(error)") }
    }

    /// Sends `signal` and waits for the exit; returns the exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 120) -> Int32 {
        guard !stopped else { return process.terminationStatus }
        stopped = true
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }

    deinit {
        if !stopped, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Calls that must succeed or fail in a given way, with the agent's words in failures.
extension AgentClient {
    func ok(_ method: String, _ params: JSONValue = .object([]), fds: [CInt] = [], file: StaticString = #filePath, line: UInt = #line)
        throws -> JSONValue
    {
        do { return try call(method, params, descriptors: fds, timeout: 300) } catch {
            throw HarnessError("\(method) failed: \(error)")
        }
    }

    /// The error a call answered with; a success or a transport failure is a harness error.
    func rejection(_ method: String, _ params: JSONValue = .object([]), fds: [CInt] = []) throws -> RPCError {
        do {
            let result = try call(method, params, descriptors: fds, timeout: 300)
            throw HarnessError("\(method) succeeded but should have failed: \(result.serialized)")
        } catch let error as AgentClientError {
            guard case .rejected(let rpc) = error else { throw HarnessError("\(method): \(error)") }
            return rpc
        }
    }
}

/// File refs and params in the protocol's shape.
func fdRef(_ index: Int) -> JSONValue { .object([("fd", .integer(Int64(index)))]) }
func pathRef(_ path: String) -> JSONValue { .object([("path", .string(path))]) }

/// Opens a file for a test, failing the harness with the reason.
func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
    let fd = open(path, flags | O_CLOEXEC, mode)
    guard fd >= 0 else { throw HarnessError("open \(path): \(String(cString: strerror(errno)))") }
    return fd
}
