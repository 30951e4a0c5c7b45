import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Finds and runs the built `ssc-agent` binary.
enum Agent {
    /// `$SSC_AGENT_BIN`, else `ssc-agent` beside the running test executable
    /// (/proc/self/exe: `.build/debug/ssc-agentPackageTests.xctest` under `swift test`).
    static func binary() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["SSC_AGENT_BIN"], !explicit.isEmpty {
            guard access(explicit, X_OK) == 0 else {
                throw HarnessError("SSC_AGENT_BIN=\(explicit) is not an executable file")
            }
            return explicit
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        guard !exe.isEmpty else { throw HarnessError("cannot resolve /proc/self/exe to find ssc-agent") }
        let candidate = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("ssc-agent").path
        guard access(candidate, X_OK) == 0 else {
            throw HarnessError(
                "the ssc-agent binary is missing: looked for \(candidate) (beside the test executable \(exe)); "
                    + "build it first (swift build --product ssc-agent) or set SSC_AGENT_BIN")
        }
        return candidate
    }

    /// Runs `ssc-agent ARGS...`. A run that outlives `timeout` is killed and reported as
    /// hung (this is a hang guard, never an assertion about speed).
    static func run(_ arguments: [String], timeout: TimeInterval = 900) throws -> AgentRun {
        AgentRun(process: try Shell.run(try binary(), arguments, timeout: timeout))
    }
}

/// One run of the binary, with its `--json` output decoded when there is one.
struct AgentRun: CustomStringConvertible {
    let process: ProcessResult
    var status: Int32 { process.status }
    var stdout: String { process.stdout }
    var stderr: String { process.stderr }
    var description: String { process.description }

    /// The single JSON object on stdout, or why there is none.
    var json: Result<[String: Any], HarnessError> {
        let text = process.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return .failure(HarnessError("stdout is empty, expected one JSON object")) }
        guard let data = text.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data, options: [])
        else { return .failure(HarnessError("stdout is not exactly one JSON value: \(text)")) }
        guard let dictionary = object as? [String: Any] else {
            return .failure(HarnessError("stdout is JSON but not an object: \(text)"))
        }
        return .success(dictionary)
    }

    var report: CopyReport? {
        if case .success(let object) = json { return CopyReport(object) }
        return nil
    }
}

/// Typed view of the `--json` result of `copy` / `clone`.
struct CopyReport {
    let raw: [String: Any]
    init(_ raw: [String: Any]) { self.raw = raw }

    var ok: Bool? { raw["ok"] as? Bool }
    var bytes: Int64? { JSONNumber.int(raw["bytes"]) }
    var count: Int64? { JSONNumber.int(raw["count"]) }
    var short: Bool? { raw["short"] as? Bool }
    var committed: String? { raw["committed"] as? String }
    var backend: String? { raw["backend"] as? String }
    var seconds: Double? { JSONNumber.double(raw["seconds"]) }
    var hasDirect: Bool { raw["direct"] != nil && !(raw["direct"] is NSNull) }
    var directSource: Bool? { (raw["direct"] as? [String: Any])?["source"] as? Bool }
    var directDestination: Bool? { (raw["direct"] as? [String: Any])?["destination"] as? Bool }

    /// (backend, reason) pairs, nil when the key is missing or malformed.
    var skipped: [(backend: String, reason: String)]? {
        guard let list = raw["skipped"] as? [Any] else { return nil }
        var result: [(String, String)] = []
        for item in list {
            guard let entry = item as? [String: Any], let backend = entry["backend"] as? String,
                let reason = entry["reason"] as? String
            else { return nil }
            result.append((backend, reason))
        }
        return result
    }
    var skippedNames: [String] { (skipped ?? []).map(\.backend) }

    var error: [String: Any]? { raw["error"] as? [String: Any] }
    var errorKind: String? { error?["kind"] as? String }
    var errorMessage: String? { error?["message"] as? String }
    var errorNFS4: String? { error?["nfs4"] as? String }
    var errorBytes: Int64? { JSONNumber.int(error?["bytes"]) }
    var errorErrno: Int64? { JSONNumber.int(error?["errno"]) }

    var text: String {
        guard let data = try? JSONSerialization.data(withJSONObject: raw, options: [.sortedKeys]) else { return "\(raw)" }
        return String(decoding: data, as: UTF8.self)
    }
}

enum JSONNumber {
    static func int(_ value: Any?) -> Int64? {
        switch value {
        case let v as Int: Int64(v)
        case let v as Int64: v
        case let v as UInt64: Int64(exactly: v)
        case let v as Double: v.rounded() == v ? Int64(exactly: v) : nil
        case let v as NSNumber: v.int64Value
        default: nil
        }
    }

    static func double(_ value: Any?) -> Double? {
        switch value {
        case let v as Double: v
        case let v as Int: Double(v)
        case let v as NSNumber: v.doubleValue
        default: nil
        }
    }
}
