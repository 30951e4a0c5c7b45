import Foundation
import XCTest

/// packaging/systemd: the units pass `systemd-analyze verify` (with ExecStart pointed
/// at the built binary, since the unit names its installed path), the service runs
/// `serve` with options the binary accepts, and the socket unit listens where the
/// agent's default socket is.
final class SystemdUnitTests: XCTestCase {
    private var packaging: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("packaging/systemd")
    }

    private func unit(_ name: String) throws -> String {
        try String(contentsOf: packaging.appendingPathComponent(name), encoding: .utf8)
    }

    /// The value of `key=` in a unit's text (the last one, as systemd reads it).
    private func value(_ key: String, in text: String) -> String? {
        text.split(separator: "\n").map(String.init).last { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    func testUnitsPassSystemdAnalyzeVerify() throws {
        let binary = try Agent.binary()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ssc-systemd-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let service = try unit("ssc-agent.service")
        let installed = try XCTUnwrap(value("ExecStart", in: service)?.split(separator: " ").first.map(String.init))
        XCTAssertEqual(installed, "/usr/local/sbin/ssc-agent", "the documented install path")
        try service.replacingOccurrences(of: installed, with: binary)
            .write(to: directory.appendingPathComponent("ssc-agent.service"), atomically: true, encoding: .utf8)
        try unit("ssc-agent.socket").write(to: directory.appendingPathComponent("ssc-agent.socket"), atomically: true, encoding: .utf8)

        let result = try Shell.run(
            "systemd-analyze",
            ["verify", directory.appendingPathComponent("ssc-agent.service").path, directory.appendingPathComponent("ssc-agent.socket").path],
            timeout: 120)
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertEqual(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines), "", "systemd-analyze warned: \(result)")
    }

    func testServiceArgumentsAreAcceptedAndTheSocketIsTheAgentsDefault() throws {
        let service = try unit("ssc-agent.service")
        let words = try XCTUnwrap(value("ExecStart", in: service)).split(separator: " ").map(String.init)
        XCTAssertEqual(Array(words.dropFirst().prefix(1)), ["serve"])
        // The service's options, parsed by the binary (--help after them: parsed, then
        // help printed, nothing started).
        let parsed = try Agent.run(Array(words.dropFirst()) + ["--help"])
        XCTAssertEqual(parsed.status, 0, "\(parsed)")

        let socket = try unit("ssc-agent.socket")
        let listen = try XCTUnwrap(value("ListenStream", in: socket))
        let help = try Agent.run(["serve", "--help"])
        XCTAssertTrue(help.stdout.replacingOccurrences(of: "\n", with: " ").contains("The socket is \(listen) for root"), "\(help)")
        XCTAssertEqual(value("SocketGroup", in: socket), words.drop { $0 != "--socket-group" }.dropFirst().first)
    }
}
