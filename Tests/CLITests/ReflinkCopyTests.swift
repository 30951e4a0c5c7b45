import Foundation
import XCTest

/// `copy` on filesystems with reflink (btrfs, XFS reflink=1): the automatic choice is
/// `reflink`, the extents end up shared, and whole-file copies truncate longer targets.
final class ReflinkCopyTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.btrfs, "btrfs", size: 1 * GiB)
        try lab.filesystem(.xfs, "xfs", size: 1 * GiB)
    }

    /// Auto copy of an 8 MiB file within `fsName` picks reflink, nothing skipped, extents
    /// shared on both files afterwards, data identical.
    private func checkAutoCopyPicksReflink(_ fsName: String, size: Int64, file: StaticString = #filePath, line: UInt = #line) throws {
        let src = lab.fresh(on: fs(fsName), "src")
        let dst = lab.fresh(on: fs(fsName), "dst")
        try Files.createRandom(src, size: size)
        Files.fsync(src)
        let run = try copy(src, dst)
        let report = assertCopied(run, bytes: size, backend: "reflink", file: file, line: line)
        XCTAssertEqual(report?.skippedNames ?? ["?"], [], "reflink is first: nothing skipped: \(run)", file: file, line: line)
        assertIdentical(src, dst, file: file, line: line)
        assertSharedExtents([src, dst], covering: size / 4096 * 4096, file: file, line: line)
    }

    func testAutoCopyOnBtrfsPicksReflinkAndSharesExtents() throws {
        try checkAutoCopyPicksReflink("btrfs", size: 8 * MiB)
    }

    func testAutoCopyOnXFSPicksReflinkAndSharesExtents() throws {
        try checkAutoCopyPicksReflink("xfs", size: 8 * MiB)
    }

    func testAutoCopyOnBtrfsOfUnalignedSizePicksReflink() throws {
        try checkAutoCopyPicksReflink("btrfs", size: 3 * MiB + 1234)
    }

    func testAutoCopyOnXFSOfUnalignedSizePicksReflink() throws {
        try checkAutoCopyPicksReflink("xfs", size: 3 * MiB + 1234)
    }

    /// Whole-file copy onto an existing, longer destination full of 0xFF: the result is
    /// exactly the source (truncated), through reflink, shared.
    private func checkOntoLongerDestination(_ fsName: String, size: Int64, file: StaticString = #filePath, line: UInt = #line) throws {
        let src = lab.fresh(on: fs(fsName), "src")
        let dst = lab.fresh(on: fs(fsName), "longer")
        try Files.createRandom(src, size: size)
        try Files.createFilled(dst, size: 20 * MiB + 555, byte: 0xFF)
        Files.fsync(src)
        Files.fsync(dst)
        let run = try copy(src, dst)
        assertCopied(run, bytes: size, backend: "reflink", file: file, line: line)
        assertIdentical(src, dst, file: file, line: line)
        assertSharedExtents([src, dst], covering: size / 4096 * 4096, file: file, line: line)
    }

    func testWholeFileCopyOntoLongerDestinationOnBtrfsTruncates() throws {
        try checkOntoLongerDestination("btrfs", size: 6 * MiB)
    }

    func testWholeFileCopyOntoLongerDestinationOnXFSTruncates() throws {
        try checkOntoLongerDestination("xfs", size: 6 * MiB)
    }

    func testWholeFileCopyOfUnalignedSizeOntoLongerDestinationOnXFSTruncates() throws {
        try checkOntoLongerDestination("xfs", size: 5 * MiB + 4097)
    }

    func testWholeFileCopyOfUnalignedSizeOntoLongerDestinationOnBtrfsTruncates() throws {
        try checkOntoLongerDestination("btrfs", size: 5 * MiB + 4097)
    }

    /// --fsync on a reflink copy: FILE_SYNC; without it UNSTABLE.
    func testFsyncOnReflinkCommitsFileSync() throws {
        let src = lab.fresh(on: fs("btrfs"), "src")
        try Files.createRandom(src, size: 2 * MiB)
        let synced = lab.fresh(on: fs("btrfs"), "synced")
        assertCopied(try copy(src, synced, ["--fsync"]), bytes: 2 * MiB, backend: "reflink", committed: "FILE_SYNC")
        assertIdentical(src, synced)
        let unsynced = lab.fresh(on: fs("btrfs"), "unsynced")
        assertCopied(try copy(src, unsynced), bytes: 2 * MiB, backend: "reflink", committed: "UNSTABLE")
        assertIdentical(src, unsynced)
    }

    /// Forcing reflink across two reflink filesystems cannot work: not_supported, and an
    /// existing destination (range copy, so no truncation) is untouched.
    func testForcedReflinkAcrossFilesystemsIsNotSupported() throws {
        let src = lab.fresh(on: fs("btrfs"), "src")
        let dst = lab.fresh(on: fs("xfs"), "dst")
        try Files.createRandom(src, size: 2 * MiB)
        try Files.createFilled(dst, size: 3 * MiB, byte: 0xFF)
        let run = try copy(src, dst, ["--backend", "reflink", "--count", String(2 * MiB)])
        assertFailed(run, kind: "not_supported")
        assertSize(dst, 3 * MiB)
        assertBytes(dst, at: 0, length: 3 * MiB, allEqual: 0xFF)
    }

    /// Auto copy btrfs → XFS: reflink and copy_file_range cannot cross, aio does it.
    func testAutoCopyBtrfsToXFSFallsBackToAio() throws {
        let src = lab.fresh(on: fs("btrfs"), "src")
        let dst = lab.fresh(on: fs("xfs"), "dst")
        try Files.createRandom(src, size: 4 * MiB)
        let report = assertCopied(try copy(src, dst), bytes: 4 * MiB, backend: "aio")
        assertSkipped(report, ["reflink", "copy_file_range"])
        assertIdentical(src, dst)
        XCTAssertEqual(try Files.fiemap(dst).shared_bytes, 0, "a streamed copy shares nothing")
    }
}
