import CShims
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Backend fallback on filesystems without reflink: copy_file_range within one ext4,
/// aio across mounted filesystems (copy_file_range refuses EXDEV there), tmpfs both ways.
final class FallbackCopyTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.ext4, "ext4", size: 1 * GiB)
        try lab.filesystem(.ext4, "ext4b", size: 512 * MiB)
        try lab.filesystem(.xfs, "xfs", size: 1 * GiB)
        try lab.tmpfs("tmpfs", size: 512 * MiB)
    }

    func testCopyWithinExt4UsesCopyFileRange() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 16 * MiB + 333)
        let report = assertCopied(try copy(src, dst), bytes: 16 * MiB + 333, backend: "copy_file_range")
        assertSkipped(report, ["reflink"])
        assertIdentical(src, dst)
    }

    func testCopyWithinExt4OntoLongerDestinationTruncates() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("ext4"), "longer")
        try Files.createRandom(src, size: 3 * MiB + 5)
        try Files.createFilled(dst, size: 9 * MiB, byte: 0xFF)
        assertCopied(try copy(src, dst), bytes: 3 * MiB + 5, backend: "copy_file_range")
        assertIdentical(src, dst)
    }

    /// ext4 → another filesystem: reflink and copy_file_range skipped, aio with O_DIRECT
    /// on both sides (sizes are multiples of 4096).
    private func checkCrossFilesystemAio(
        from srcFS: String, to dstFS: String, size: Int64, directSource: Bool?, directDestination: Bool?,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let src = lab.fresh(on: fs(srcFS), "src")
        let dst = lab.fresh(on: fs(dstFS), "dst")
        try Files.createRandom(src, size: size)
        let report = assertCopied(try copy(src, dst), bytes: size, backend: "aio", file: file, line: line)
        assertSkipped(report, ["reflink", "copy_file_range"], file: file, line: line)
        if let directSource {
            XCTAssertEqual(report?.directSource, directSource, "direct.source: \(report?.text ?? "")", file: file, line: line)
        }
        if let directDestination {
            XCTAssertEqual(report?.directDestination, directDestination, "direct.destination: \(report?.text ?? "")", file: file, line: line)
            if directDestination {
                assertNotCached(dst, copied: size, file: file, line: line)
            }
        }
        assertIdentical(src, dst, file: file, line: line)
    }

    func testExt4ToXFSFallsBackToAio() throws {
        try checkCrossFilesystemAio(from: "ext4", to: "xfs", size: 24 * MiB, directSource: true, directDestination: true)
    }

    func testExt4ToSecondExt4FallsBackToAio() throws {
        try checkCrossFilesystemAio(from: "ext4", to: "ext4b", size: 24 * MiB, directSource: true, directDestination: true)
    }

    func testXFSToExt4FallsBackToAio() throws {
        try checkCrossFilesystemAio(from: "xfs", to: "ext4", size: 24 * MiB, directSource: true, directDestination: true)
    }

    func testExt4ToXFSOfUnalignedSizeFallsBackToAio() throws {
        try checkCrossFilesystemAio(from: "ext4", to: "xfs", size: 7 * MiB + 4097, directSource: nil, directDestination: nil)
    }

    func testTmpfsToExt4UsesAio() throws {
        try checkCrossFilesystemAio(from: "tmpfs", to: "ext4", size: 12 * MiB, directSource: nil, directDestination: true)
    }

    func testExt4ToTmpfsUsesAio() throws {
        try checkCrossFilesystemAio(from: "ext4", to: "tmpfs", size: 12 * MiB, directSource: true, directDestination: nil)
    }

    /// Whole-file aio copy onto a longer destination truncates it.
    func testAioOntoLongerDestinationTruncates() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("xfs"), "longer")
        try Files.createRandom(src, size: 5 * MiB + 77)
        try Files.createFilled(dst, size: 11 * MiB, byte: 0xFF)
        assertCopied(try copy(src, dst), bytes: 5 * MiB + 77, backend: "aio")
        assertIdentical(src, dst)
    }

    /// Within one tmpfs: whatever the running kernel does with copy_file_range between two
    /// tmpfs files (asked directly here), the agent must agree: copy_file_range if the
    /// kernel serves it (same superblock: splice fallback), aio otherwise.
    func testWithinTmpfsFollowsWhatTheKernelServes() throws {
        let probeSrc = lab.fresh(on: fs("tmpfs"), "probe-src")
        let probeDst = lab.fresh(on: fs("tmpfs"), "probe-dst")
        try Files.createRandom(probeSrc, size: 64 * KiB)
        let (kernelServes, code) = try kernelCopyFileRange(probeSrc, probeDst, length: 64 * KiB)
        print("CLITests: kernel \(kernelRelease()) copy_file_range within one tmpfs: \(kernelServes.map { "served \($0) bytes" } ?? "refused (\(Files.errnoText(code)))")")

        let src = lab.fresh(on: fs("tmpfs"), "src")
        let dst = lab.fresh(on: fs("tmpfs"), "dst")
        try Files.createRandom(src, size: 10 * MiB + 1)
        let expected = kernelServes == 64 * KiB ? "copy_file_range" : "aio"
        let report = assertCopied(try copy(src, dst), bytes: 10 * MiB + 1, backend: expected)
        assertSkipped(report, ["reflink"])
        assertIdentical(src, dst)
    }

    /// Also what the kernel does across two ext4 filesystems (for the report): EXDEV.
    func testKernelRefusesCopyFileRangeAcrossExt4Filesystems() throws {
        let src = lab.fresh(on: fs("ext4"), "probe-src")
        let dst = lab.fresh(on: fs("ext4b"), "probe-dst")
        try Files.createRandom(src, size: 64 * KiB)
        let (served, code) = try kernelCopyFileRange(src, dst, length: 64 * KiB)
        print("CLITests: kernel \(kernelRelease()) copy_file_range ext4 -> other ext4: \(served.map { "served \($0) bytes" } ?? "refused (\(Files.errnoText(code)))")")
        XCTAssertNil(served, "the kernel served copy_file_range across two ext4 mounts; the fallback tests assume it does not")
        XCTAssertEqual(code, EXDEV, "expected EXDEV, got \(Files.errnoText(code))")
    }

    // MARK: forcing a backend that cannot serve

    func testForcedReflinkOnExt4IsNotSupported() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 1 * MiB)
        try Files.createFilled(dst, size: 2 * MiB, byte: 0xFF)
        assertFailed(try copy(src, dst, ["--backend", "reflink", "--count", String(1 * MiB)]), kind: "not_supported")
        assertSize(dst, 2 * MiB)
        assertBytes(dst, at: 0, length: 2 * MiB, allEqual: 0xFF)
    }

    func testForcedCopyFileRangeAcrossFilesystemsIsNotSupported() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("xfs"), "dst")
        try Files.createRandom(src, size: 1 * MiB)
        try Files.createFilled(dst, size: 2 * MiB, byte: 0xFF)
        assertFailed(try copy(src, dst, ["--backend", "copy_file_range", "--count", String(1 * MiB)]), kind: "not_supported")
        assertSize(dst, 2 * MiB)
        assertBytes(dst, at: 0, length: 2 * MiB, allEqual: 0xFF)
    }

    /// A forced backend that cannot serve refuses before any byte moves: a whole-file copy
    /// (which would truncate) must leave a longer existing destination as it was, not cut
    /// it to the source's size and then report not_supported with bytes 0.
    func testRefusedForcedWholeFileCopyLeavesDestinationUntouched() throws {
        let cases: [(backend: String, srcFS: String, dstFS: String)] = [
            ("reflink", "ext4", "ext4"), ("copy_file_range", "ext4", "xfs"),
        ]
        for (backend, srcFS, dstFS) in cases {
            let src = lab.fresh(on: fs(srcFS), "src")
            let dst = lab.fresh(on: fs(dstFS), "dst")
            try Files.createRandom(src, size: 1 * MiB)
            try Files.createFilled(dst, size: 3 * MiB, byte: 0xFF)
            assertFailed(try copy(src, dst, ["--backend", backend]), kind: "not_supported")
            assertSize(dst, 3 * MiB)
            assertBytes(dst, at: 0, length: 3 * MiB, allEqual: 0xFF)
        }
    }

    func testForcedAioWithinExt4() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 8 * MiB)
        let report = assertCopied(try copy(src, dst, ["--backend", "aio"]), bytes: 8 * MiB, backend: "aio")
        XCTAssertEqual(report?.directSource, true, report?.text ?? "")
        XCTAssertEqual(report?.directDestination, true, report?.text ?? "")
        assertIdentical(src, dst)
    }

    // MARK: durability

    func testFsyncCommitsFileSyncWithCopyFileRangeAndAio() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 3 * MiB)
        for (dstFS, backend) in [("ext4", "copy_file_range"), ("xfs", "aio")] {
            let synced = lab.fresh(on: fs(dstFS), "synced")
            assertCopied(try copy(src, synced, ["--fsync"]), bytes: 3 * MiB, backend: backend, committed: "FILE_SYNC")
            assertIdentical(src, synced)
            let unsynced = lab.fresh(on: fs(dstFS), "unsynced")
            assertCopied(try copy(src, unsynced), bytes: 3 * MiB, backend: backend, committed: "UNSTABLE")
            assertIdentical(src, unsynced)
        }
    }

    // MARK: --explain

    /// --explain (without --json) succeeds and shows why reflink and copy_file_range were
    /// passed over for an ext4 → XFS copy.
    func testExplainShowsSkippedBackends() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("xfs"), "dst")
        try Files.createRandom(src, size: 1 * MiB)
        let run = try Agent.run(["copy", src, dst, "--explain"])
        XCTAssertEqual(run.status, 0, "\(run)")
        let text = run.stdout + run.stderr
        for name in ["reflink", "copy_file_range", "aio"] {
            XCTAssertTrue(text.contains(name), "--explain should mention \(name): \(run)")
        }
        assertIdentical(src, dst)
    }

    // MARK: kernel probes

    /// copy_file_range(2) of `length` bytes between two files: bytes copied (nil on
    /// error) and errno.
    private func kernelCopyFileRange(_ src: String, _ dst: String, length: Int64) throws -> (served: Int64?, errno: Int32) {
        let s = try Files.open(src, O_RDONLY)
        defer { close(s) }
        let d = try Files.open(dst, O_WRONLY | O_CREAT)
        defer { close(d) }
        var inOffset: Int64 = 0
        var outOffset: Int64 = 0
        let n = ssc_copy_file_range(s, &inOffset, d, &outOffset, Int(length))
        return (n < 0 ? nil : Int64(n), n < 0 ? errno : 0)
    }

    private func kernelRelease() -> String {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }
}
