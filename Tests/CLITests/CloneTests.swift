import Foundation
import XCTest

/// `clone`: reflink only, all or nothing; offsets and count multiples of the clone block
/// size except a range ending at the source's EOF; xdev across filesystems,
/// not_supported without reflink, invalid when misaligned.
final class CloneTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.xfs, "xfs", size: 512 * MiB)
        try lab.filesystem(.btrfs, "btrfs", size: 512 * MiB)
        try lab.filesystem(.ext4, "ext4", size: 256 * MiB)
    }

    @discardableResult
    private func assertCloned(_ run: AgentRun, bytes: Int64, file: StaticString = #filePath, line: UInt = #line) -> CopyReport? {
        XCTAssertFalse(run.process.timedOut, "ssc-agent hung: \(run)", file: file, line: line)
        XCTAssertEqual(run.status, 0, "expected exit 0: \(run)", file: file, line: line)
        guard case .success(let object) = run.json else {
            XCTFail("expected one JSON object on stdout: \(run)", file: file, line: line)
            return nil
        }
        let report = CopyReport(object)
        XCTAssertEqual(report.ok, true, "ok: \(report.text)", file: file, line: line)
        XCTAssertEqual(report.bytes, bytes, "bytes: \(report.text)", file: file, line: line)
        if report.backend != nil {
            XCTAssertEqual(report.backend, "reflink", "clone is reflink only: \(report.text)", file: file, line: line)
        }
        return report
    }

    private func checkWholeFileClone(on fsName: String, size: Int64) throws {
        let src = lab.fresh(on: fs(fsName), "src")
        let dst = lab.fresh(on: fs(fsName), "clone")
        try Files.createRandom(src, size: size)
        assertCloned(try clone(src, dst), bytes: size)
        assertIdentical(src, dst)
        assertSharedExtents([src, dst], covering: size / 4096 * 4096)
    }

    func testWholeFileCloneOnXFS() throws {
        try checkWholeFileClone(on: "xfs", size: 4 * MiB)
    }

    func testWholeFileCloneOfUnalignedSizeOnXFS() throws {
        try checkWholeFileClone(on: "xfs", size: 4 * MiB + 100)
    }

    func testWholeFileCloneOnBtrfs() throws {
        try checkWholeFileClone(on: "btrfs", size: 4 * MiB + 100)
    }

    /// Whole-file clone onto a longer existing file: the result is the source.
    func testWholeFileCloneOntoLongerFileOnXFS() throws {
        let src = lab.fresh(on: fs("xfs"), "src")
        let dst = lab.fresh(on: fs("xfs"), "longer")
        try Files.createRandom(src, size: 2 * MiB)
        try Files.createFilled(dst, size: 5 * MiB, byte: 0xFF)
        assertCloned(try clone(src, dst), bytes: 2 * MiB)
        assertIdentical(src, dst)
    }

    func testAlignedRangeCloneOnXFS() throws {
        let src = lab.fresh(on: fs("xfs"), "src")
        let dst = lab.fresh(on: fs("xfs"), "dst")
        try Files.createRandom(src, size: 4 * MiB)
        try Files.createFilled(dst, size: 4 * MiB, byte: 0xFF)
        Files.fsync(dst)
        let run = try clone(src, dst, ["--src-offset", String(1 * MiB), "--dst-offset", String(2 * MiB), "--count", String(1 * MiB)])
        assertCloned(run, bytes: 1 * MiB)
        assertSize(dst, 4 * MiB)
        assertBytes(dst, at: 0, length: 2 * MiB, allEqual: 0xFF)
        assertSameBytes(src, 1 * MiB, dst, 2 * MiB, count: 1 * MiB)
        assertBytes(dst, at: 3 * MiB, length: 1 * MiB, allEqual: 0xFF)
        assertSharedExtents([dst], covering: 1 * MiB)
    }

    /// An aligned range that grows the destination.
    func testAlignedRangeCloneGrowingDestinationOnXFS() throws {
        let src = lab.fresh(on: fs("xfs"), "src")
        let dst = lab.fresh(on: fs("xfs"), "dst")
        try Files.createRandom(src, size: 4 * MiB)
        try Files.createFilled(dst, size: 1 * MiB, byte: 0xFF)
        let run = try clone(src, dst, ["--src-offset", String(2 * MiB), "--dst-offset", String(1 * MiB), "--count", String(2 * MiB)])
        assertCloned(run, bytes: 2 * MiB)
        assertSize(dst, 3 * MiB)
        assertBytes(dst, at: 0, length: 1 * MiB, allEqual: 0xFF)
        assertSameBytes(src, 2 * MiB, dst, 1 * MiB, count: 2 * MiB)
    }

    /// A range ending at the source's unaligned EOF (count 0 / absent) is allowed.
    func testRangeCloneEndingAtSourceEOFOnXFS() throws {
        let src = lab.fresh(on: fs("xfs"), "src")
        let dst = lab.fresh(on: fs("xfs"), "dst")
        try Files.createRandom(src, size: 3 * MiB + 100)
        let run = try clone(src, dst, ["--src-offset", String(1 * MiB), "--dst-offset", "0"])
        assertCloned(run, bytes: 2 * MiB + 100)
        assertSize(dst, 2 * MiB + 100)
        assertSameBytes(src, 1 * MiB, dst, 0, count: 2 * MiB + 100)
    }

    func testMisalignedRangeCloneIsInvalid() throws {
        for fsName in ["xfs", "btrfs"] {
            let src = lab.fresh(on: fs(fsName), "src")
            let dst = lab.fresh(on: fs(fsName), "dst")
            try Files.createRandom(src, size: 4 * MiB)
            try Files.createFilled(dst, size: 4 * MiB, byte: 0xFF)
            let before = hash(src)
            let cases: [[String]] = [
                ["--src-offset", "1000", "--dst-offset", "0", "--count", String(1 * MiB)],
                ["--src-offset", "0", "--dst-offset", "512", "--count", String(1 * MiB)],
                ["--src-offset", "0", "--dst-offset", "0", "--count", "5000"],
            ]
            for arguments in cases {
                assertFailed(try clone(src, dst, arguments), kind: "invalid")
                assertSize(dst, 4 * MiB)
                assertBytes(dst, at: 0, length: 4 * MiB, allEqual: 0xFF)
            }
            XCTAssertEqual(hash(src), before)
        }
    }

    func testCloneOnExt4IsNotSupported() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 1 * MiB)
        assertFailed(try clone(src, dst), kind: "not_supported")
        XCTAssertEqual((try? Files.size(dst)) ?? 0, 0, "clone is all or nothing")
        try Files.createFilled(dst, size: 1 * MiB, byte: 0xFF)
        assertFailed(try clone(src, dst, ["--count", String(1 * MiB)]), kind: "not_supported")
        assertBytes(dst, at: 0, length: 1 * MiB, allEqual: 0xFF)
    }

    func testCloneFromBtrfsToXFSIsXdev() throws {
        let src = lab.fresh(on: fs("btrfs"), "src")
        let dst = lab.fresh(on: fs("xfs"), "dst")
        try Files.createRandom(src, size: 1 * MiB)
        assertFailed(try clone(src, dst), kind: "xdev")
        XCTAssertEqual((try? Files.size(dst)) ?? 0, 0, "clone is all or nothing")
        try Files.createFilled(dst, size: 1 * MiB, byte: 0xFF)
        assertFailed(try clone(src, dst, ["--count", String(1 * MiB)]), kind: "xdev")
        assertBytes(dst, at: 0, length: 1 * MiB, allEqual: 0xFF)
    }

    /// All or nothing: a whole-file clone that is refused up front (no reflink on ext4,
    /// two filesystems) must not have truncated a longer destination first.
    func testRefusedWholeFileCloneLeavesLongerDestinationUntouched() throws {
        for (srcFS, dstFS, kind) in [("ext4", "ext4", "not_supported"), ("btrfs", "xfs", "xdev")] {
            let src = lab.fresh(on: fs(srcFS), "src")
            let dst = lab.fresh(on: fs(dstFS), "longer")
            try Files.createRandom(src, size: 1 * MiB)
            try Files.createFilled(dst, size: 3 * MiB, byte: 0xFF)
            assertFailed(try clone(src, dst), kind: kind)
            assertSize(dst, 3 * MiB)
            assertBytes(dst, at: 0, length: 3 * MiB, allEqual: 0xFF)
        }
    }

    func testCloneRangePastSourceEOFIsInvalid() throws {
        let src = lab.fresh(on: fs("xfs"), "src")
        let dst = lab.fresh(on: fs("xfs"), "dst")
        try Files.createRandom(src, size: 1 * MiB)
        assertFailed(try clone(src, dst, ["--src-offset", String(2 * MiB)]), kind: "invalid")
        assertFailed(try clone(src, dst, ["--count", String(2 * MiB)]), kind: "invalid")
    }
}
