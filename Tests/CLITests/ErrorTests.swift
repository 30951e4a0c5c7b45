import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Refusals and failures: overlapping ranges, ranges past EOF, directories / FIFOs /
/// character devices, read-only and full destinations, guarded copies, the one-line
/// stderr message, argument errors. Every refusal leaves the files as they were.
final class ErrorTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.ext4, "ext4", size: 1 * GiB)
        try lab.filesystem(.btrfs, "btrfs", size: 512 * MiB)
        // ENOSPC targets: a 32 MiB ext4 filled from another filesystem, and a 48 MiB ext4
        // filled by copy_file_range from within.
        try lab.filesystem(.ext4, "tiny", size: 32 * MiB)
        try lab.filesystem(.ext4, "tiny2", size: 48 * MiB)
        // A filesystem remounted read-only with one existing file on it.
        let ro = try lab.filesystem(.ext4, "ro", size: 64 * MiB)
        try Files.createFilled(ro.path("existing"), size: 1 * MiB, byte: 0xFF)
        try lab.remount(ro, options: "ro")
    }

    /// Hang guard for runs that must fail fast (a FIFO read would block forever).
    static let quick: TimeInterval = 120

    // MARK: overlap

    func testOverlappingRangesInOneFileAreInvalid() throws {
        for fsName in ["ext4", "btrfs"] {
            let file = lab.fresh(on: fs(fsName), "self")
            try Files.createRandom(file, size: 4 * MiB)
            let before = hash(file)
            let cases: [(Int64, Int64, Int64)] = [
                (0, 4096, 1 * MiB),  // dst starts inside src
                (1 * MiB + 5, 1 * MiB, 1 * MiB),  // src starts inside dst
                (1 * MiB, 1 * MiB - 1, 10),  // unaligned, one byte apart
                (2 * MiB, 2 * MiB, 4096),  // the same range
            ]
            for (srcOffset, dstOffset, count) in cases {
                let run = try copy(file, file, ["--src-offset", String(srcOffset), "--dst-offset", String(dstOffset), "--count", String(count)])
                assertFailed(run, kind: "invalid")
                XCTAssertEqual(hash(file), before, "\(fsName): source changed by \(run.process.command)")
            }
            // Whole-file copy of a file onto itself (and onto a hard link to it): must not
            // truncate it.
            assertFailed(try copy(file, file), kind: "invalid")
            let link = lab.fresh(on: fs(fsName), "hardlink")
            XCTAssertEqual(Glibc.link(file, link), 0, Files.errnoText())
            assertFailed(try copy(file, link), kind: "invalid")
            assertSize(file, 4 * MiB)
            XCTAssertEqual(hash(file), before, "\(fsName): whole-file self copy changed the file")
        }
    }

    func testNonOverlappingRangeInOneFileSucceeds() throws {
        for fsName in ["ext4", "btrfs"] {
            let file = lab.fresh(on: fs(fsName), "self")
            let original = lab.fresh(on: fs(fsName), "original")
            try Files.createRandom(file, size: 4 * MiB)
            try Shell.checked("cp", ["--reflink=never", file, original])
            let run = try copy(file, file, ["--src-offset", "0", "--dst-offset", String(2 * MiB), "--count", String(1 * MiB)])
            assertCopied(run, bytes: 1 * MiB)
            assertSize(file, 4 * MiB)
            assertSameBytes(original, 0, file, 0, count: 2 * MiB)
            assertSameBytes(original, 0, file, 2 * MiB, count: 1 * MiB)
            assertSameBytes(original, 3 * MiB, file, 3 * MiB, count: 1 * MiB)
        }
    }

    // MARK: past EOF

    func testRangesPastSourceEOFAreInvalid() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 1 * MiB)
        try Files.createFilled(dst, size: 2 * MiB, byte: 0xFF)
        let before = hash(src)
        let cases: [[String]] = [
            ["--src-offset", String(1 * MiB + 1)],
            ["--src-offset", String(5 * MiB), "--count", "10"],
            ["--src-offset", "0", "--count", String(1 * MiB + 1)],
            ["--src-offset", String(512 * KiB), "--count", String(512 * KiB + 1)],
            ["--count", String(2 * MiB)],
        ]
        for arguments in cases {
            assertFailed(try copy(src, dst, arguments), kind: "invalid")
            assertSize(dst, 2 * MiB)
            assertBytes(dst, at: 0, length: 2 * MiB, allEqual: 0xFF)
        }
        XCTAssertEqual(hash(src), before)
    }

    // MARK: wrong types

    func testDirectoryAsSourceIsWrongType() throws {
        let dir = lab.fresh(on: fs("ext4"), "dir")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        let dst = lab.fresh(on: fs("ext4"), "dst")
        assertFailed(try copy(dir, dst, timeout: ErrorTests.quick), kind: "wrong_type", nfs4: "NFS4ERR_ISDIR")
        XCTAssertEqual((try? Files.size(dst)) ?? 0, 0, "nothing may be written to \(dst)")
        assertOneLineError(try copy(dir, dst, json: false, timeout: ErrorTests.quick), naming: dir)
    }

    func testFIFOAsSourceIsWrongTypeWithoutHanging() throws {
        let fifo = lab.scratch + "/" + lab.fresh("fifo")
        try Shell.checked("mkfifo", [fifo])
        let dst = lab.fresh(on: fs("ext4"), "dst")
        assertFailed(try copy(fifo, dst, timeout: ErrorTests.quick), kind: "wrong_type", nfs4: "NFS4ERR_WRONG_TYPE")
        assertOneLineError(try copy(fifo, dst, json: false, timeout: ErrorTests.quick), naming: fifo)
    }

    func testCharacterDeviceAsSourceIsWrongType() throws {
        let dst = lab.fresh(on: fs("ext4"), "dst")
        assertFailed(try copy("/dev/zero", dst, timeout: ErrorTests.quick), kind: "wrong_type", nfs4: "NFS4ERR_WRONG_TYPE")
        XCTAssertEqual((try? Files.size(dst)) ?? 0, 0, "nothing may be written to \(dst)")
    }

    func testDirectoryAsDestinationIsWrongType() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 64 * KiB)
        let dir = lab.fresh(on: fs("ext4"), "dir")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        assertFailed(try copy(src, dir, timeout: ErrorTests.quick), kind: "wrong_type", nfs4: "NFS4ERR_ISDIR")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "nothing may be created inside \(dir)")
    }

    func testFIFOAsDestinationIsWrongTypeWithoutHanging() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 64 * KiB)
        let fifo = lab.scratch + "/" + lab.fresh("fifo")
        try Shell.checked("mkfifo", [fifo])
        assertFailed(try copy(src, fifo, timeout: ErrorTests.quick), kind: "wrong_type", nfs4: "NFS4ERR_WRONG_TYPE")
    }

    // MARK: read-only destination

    func testReadOnlyDestinationIsRofs() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 2 * MiB)
        let before = hash(src)
        let existing = fs("ro").path("existing")
        assertFailed(try copy(src, existing), kind: "rofs")
        assertSize(existing, 1 * MiB)
        assertBytes(existing, at: 0, length: 1 * MiB, allEqual: 0xFF)
        assertFailed(try copy(src, existing, ["--count", String(1 * MiB)]), kind: "rofs")
        let fresh = fs("ro").path("new")
        assertFailed(try copy(src, fresh), kind: "rofs")
        XCTAssertFalse(Files.exists(fresh))
        assertOneLineError(try copy(src, fresh, json: false), naming: fresh)
        XCTAssertEqual(hash(src), before, "source changed")
    }

    // MARK: ENOSPC

    /// A 64 MiB copy from ext4 into a 32 MiB ext4 (aio): nospace, never ok, `bytes` > 0
    /// and the destination's first `bytes` bytes equal the source's.
    func testDestinationFillingUpIsNospaceWithBytesInPlace() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 64 * MiB)
        let dst = lab.fresh(on: fs("tiny"), "dst")
        let run = try copy(src, dst)
        let report = assertFailed(run, kind: "nospace")
        checkPartial(report, src: src, dst: dst, asked: 64 * MiB)
        Files.remove(dst)
        let plain = try copy(src, dst, json: false)
        assertOneLineError(plain, naming: dst)
        Files.remove(dst)
    }

    /// copy_file_range within one 48 MiB ext4 that cannot hold a second copy.
    func testCopyFileRangeFillingUpIsNospaceWithBytesInPlace() throws {
        let src = lab.fresh(on: fs("tiny2"), "src")
        let free = try freeBytes(fs("tiny2").mountPoint)
        // Bigger than half the free space: the copy cannot fit next to its source.
        let size = (free / 2 + 8 * MiB) / MiB * MiB
        try Files.createRandom(src, size: size)
        Files.fsync(src)
        let dst = lab.fresh(on: fs("tiny2"), "dst")
        let report = assertFailed(try copy(src, dst, ["--backend", "copy_file_range"]), kind: "nospace")
        checkPartial(report, src: src, dst: dst, asked: size)
        Files.remove(dst)
        // Automatic selection on the same pair must fail the same way (no silent fallback).
        let auto = assertFailed(try copy(src, dst), kind: "nospace")
        checkPartial(auto, src: src, dst: dst, asked: size)
        Files.remove(dst, src)
    }

    private func checkPartial(_ report: CopyReport?, src: String, dst: String, asked: Int64, file: StaticString = #filePath, line: UInt = #line) {
        guard let report else { return }
        guard let bytes = report.errorBytes else {
            XCTFail("error.bytes missing: \(report.text)", file: file, line: line)
            return
        }
        print("CLITests: ENOSPC after \(bytes) of \(asked) bytes: \(report.errorMessage ?? "")")
        XCTAssertGreaterThan(bytes, 0, "some bytes must have moved before ENOSPC: \(report.text)", file: file, line: line)
        XCTAssertLessThan(bytes, asked, "cannot have moved everything: \(report.text)", file: file, line: line)
        let size = (try? Files.size(dst)) ?? -1
        XCTAssertGreaterThanOrEqual(size, bytes, "destination shorter than the bytes reported in place: \(report.text)", file: file, line: line)
        assertSameBytes(src, 0, dst, 0, count: min(bytes, max(size, 0)), file: file, line: line)
    }

    private func freeBytes(_ path: String) throws -> Int64 {
        var st = statvfs()
        guard statvfs(path, &st) == 0 else { throw HarnessError("statvfs \(path): \(Files.errnoText())") }
        return Int64(st.f_bavail) * Int64(st.f_frsize)
    }

    // MARK: guarded

    func testGuardedOntoExistingDataIsExists() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 1 * MiB)
        try Files.createFilled(dst, size: 3 * MiB + 1, byte: 0xFF)
        assertFailed(try copy(src, dst, ["--guarded"]), kind: "exists")
        assertSize(dst, 3 * MiB + 1)
        assertBytes(dst, at: 0, length: 3 * MiB + 1, allEqual: 0xFF)
        assertFailed(try copy(src, dst, ["--guarded", "--dst-offset", String(4 * MiB)]), kind: "exists")
        assertSize(dst, 3 * MiB + 1)
    }

    func testGuardedOntoNewFileSucceeds() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 1 * MiB + 3)
        for fsName in ["ext4", "btrfs"] {
            let dst = lab.fresh(on: fs(fsName), "guarded")
            assertCopied(try copy(src, dst, ["--guarded"]), bytes: 1 * MiB + 3)
            assertIdentical(src, dst)
        }
    }

    /// DESIGN.md: guarded fails only if the destination "already has data".
    func testGuardedOntoEmptyExistingFileSucceeds() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("ext4"), "empty")
        try Files.createRandom(src, size: 100_000)
        try Files.createEmpty(dst)
        assertCopied(try copy(src, dst, ["--guarded"]), bytes: 100_000)
        assertIdentical(src, dst)
    }

    // MARK: messages and arguments

    func testMissingSourceFailsWithOneLineNamingIt() throws {
        let missing = fs("ext4").path("no-such-file")
        let dst = lab.fresh(on: fs("ext4"), "dst")
        assertOneLineError(try copy(missing, dst, json: false), naming: missing)
        let run = try copy(missing, dst)
        XCTAssertEqual(run.status, 1, "\(run)")
        XCTAssertEqual(run.report?.ok, false, "\(run)")
    }

    func testDestinationInMissingDirectoryFailsWithOneLine() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 4096)
        let dst = fs("ext4").path("no-such-dir/dst")
        assertOneLineError(try copy(src, dst, json: false), naming: dst)
    }

    func testArgumentErrorsExitNonZero() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 4096)
        let dst = lab.fresh(on: fs("ext4"), "dst")
        // (No arguments at all prints the help and exits 0, as ArgumentParser does.)
        let cases: [[String]] = [
            ["copy"],
            ["copy", src],
            ["copy", src, dst, "--backend", "bogus"],
            ["copy", src, dst, "--count", "abc"],
            ["copy", src, dst, "--src-offset", "-1"],
            ["copy", src, dst, "--dst-offset", "1x"],
            ["copy", src, dst, "--no-such-option"],
            ["copy", src, dst, "extra-argument"],
            ["no-such-command", src, dst],
            ["clone", src],
            ["probe"],
        ]
        for arguments in cases {
            let run = try Agent.run(arguments, timeout: ErrorTests.quick)
            XCTAssertFalse(run.process.timedOut, "\(run)")
            XCTAssertNotEqual(run.status, 0, "argument error must exit non-zero: \(run)")
            XCTAssertFalse(run.stderr.isEmpty, "argument error must say why on stderr: \(run)")
            XCTAssertFalse(Files.exists(dst), "an argument error created the destination: \(run)")
        }
    }
}
