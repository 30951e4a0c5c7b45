import Foundation
import XCTest

/// The same copy or clone asked for in a plain spelling, which the binary parses on its
/// fast path, and in one only ArgumentParser takes (a `--` before the paths): the
/// results, messages and exit statuses are the same.
final class CommandLineRouteTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.xfs, "xfs", size: 512 * MiB)
        try lab.filesystem(.ext4, "ext4", size: 512 * MiB)
    }

    /// Runs `subcommand SRC DST OPTIONS...` both ways and returns (plain, ArgumentParser).
    private func runBothWays(
        _ subcommand: String, _ src: String, _ dst: (String, String), _ options: [String]
    ) throws -> (AgentRun, AgentRun) {
        let plain = try Agent.run([subcommand, src, dst.0] + options, timeout: 300)
        let viaArgumentParser = try Agent.run([subcommand] + options + ["--", src, dst.1], timeout: 300)
        return (plain, viaArgumentParser)
    }

    /// The JSON result without the parts that differ between any two runs: the time,
    /// and the destination's own name (reports of the profiles chosen name the file).
    private func comparable(_ run: AgentRun, destination: String) -> String {
        guard case .success(var object) = run.json else { return "unparsed: " + run.stdout }
        object["seconds"] = nil
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "\(object)" }
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: destination, with: "DST")
    }

    func testReflinkCopyGivesTheSameResultBothWays() throws {
        let src = lab.fresh(on: fs("xfs"), "src")
        try Files.createRandom(src, size: 3 * MiB + 77)
        let dsts = (lab.fresh(on: fs("xfs"), "plain"), lab.fresh(on: fs("xfs"), "parsed"))
        let (plain, parsed) = try runBothWays("copy", src, dsts, ["--json", "--explain"])
        XCTAssertEqual(plain.status, 0, "\(plain)")
        XCTAssertEqual(parsed.status, 0, "\(parsed)")
        XCTAssertEqual(plain.report?.backend, "reflink", "\(plain)")
        XCTAssertEqual(comparable(plain, destination: dsts.0), comparable(parsed, destination: dsts.1), "plain: \(plain)\nArgumentParser: \(parsed)")
        XCTAssertEqual(
            plain.stderr.replacingOccurrences(of: dsts.0, with: "DST"), parsed.stderr.replacingOccurrences(of: dsts.1, with: "DST"),
            "--explain lines differ")
        assertIdentical(src, dsts.0)
        assertIdentical(src, dsts.1)
    }

    func testRangeCopyAcrossFilesystemsGivesTheSameResultBothWays() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 8 * MiB)
        let dsts = (lab.fresh(on: fs("xfs"), "plain"), lab.fresh(on: fs("xfs"), "parsed"))
        let options = ["--src-offset", "1M", "--count=2M", "--dst-offset", "4K", "--backend", "aio", "--block-size", "1M", "--json"]
        let (plain, parsed) = try runBothWays("copy", src, dsts, options)
        XCTAssertEqual(plain.status, 0, "\(plain)")
        XCTAssertEqual(comparable(plain, destination: dsts.0), comparable(parsed, destination: dsts.1), "plain: \(plain)\nArgumentParser: \(parsed)")
        for dst in [dsts.0, dsts.1] {
            XCTAssertNil(try Files.compare(src, 1 * MiB, dst, 4096, count: 2 * MiB), "\(dst) does not hold the range")
        }
    }

    func testRefusedCopyFailsTheSameWayBothWays() throws {
        let missing = fs("xfs").path("no-such-source")
        let dsts = (lab.fresh(on: fs("xfs"), "plain"), lab.fresh(on: fs("xfs"), "parsed"))
        let (plain, parsed) = try runBothWays("copy", missing, dsts, [])
        XCTAssertEqual(plain.status, 1, "\(plain)")
        XCTAssertEqual(parsed.status, plain.status, "\(parsed)")
        XCTAssertEqual(plain.stderr.replacingOccurrences(of: dsts.0, with: "DST"), parsed.stderr.replacingOccurrences(of: dsts.1, with: "DST"))
        XCTAssertFalse(Files.exists(dsts.0) || Files.exists(dsts.1), "a refused copy left a destination behind")
    }

    func testMisalignedCloneFailsTheSameWayBothWays() throws {
        let src = lab.fresh(on: fs("xfs"), "src")
        try Files.createRandom(src, size: 1 * MiB)
        let dsts = (lab.fresh(on: fs("xfs"), "plain"), lab.fresh(on: fs("xfs"), "parsed"))
        let (plain, parsed) = try runBothWays("clone", src, dsts, ["--src-offset", "4K", "--count", "5000", "--json"])
        XCTAssertEqual(plain.status, 1, "\(plain)")
        XCTAssertEqual(parsed.status, plain.status, "\(parsed)")
        XCTAssertEqual(
            plain.stdout.replacingOccurrences(of: dsts.0, with: "DST"), parsed.stdout.replacingOccurrences(of: dsts.1, with: "DST"))
        XCTAssertTrue(plain.stderr.contains("not a multiple of the 4096-byte clone block size"), "\(plain)")
    }
}
