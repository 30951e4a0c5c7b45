import Backends
import Glibc
import XCTest

/// The design's copy semantics, exercised in-process on files in /tmp through the real
/// backends (the CLI tests cover each filesystem and device type).
final class CopySemanticsTests: XCTestCase {
    let engine = CopyEngine()

    func copy(_ scratch: Scratch, _ src: String, _ dst: String, _ request: CopyRequest, context: CopyContext = CopyContext())
        throws -> CopyOutcome
    {
        let source = try CopyFile.openSource(path: scratch.file(src))
        let destination = try CopyFile.openDestination(path: scratch.file(dst))
        return try engine.copy(source: source, destination: destination, request: request, context: context)
    }

    func failure(_ scratch: Scratch, _ src: String, _ dst: String, _ request: CopyRequest) throws -> CopyError {
        do {
            let outcome = try copy(scratch, src, dst, request)
            XCTFail("expected a failure, got \(outcome.bytes) bytes with \(outcome.backend)")
            throw POSIXError(.EIO)
        } catch let failure as CopyFailure {
            return failure.error
        }
    }

    func testCountZeroCopiesToSourceEnd() throws {
        let s = try Scratch()
        let data = pattern(10_000, seed: 1)
        try s.write("a", data)
        let outcome = try copy(s, "a", "b", CopyRequest(srcOffset: 1000))
        XCTAssertEqual(outcome.bytes, 9000)
        XCTAssertEqual(outcome.count, 9000)
        XCTAssertFalse(outcome.short)
        XCTAssertEqual(try s.read("b"), Array(data[1000...]))
    }

    func testRangeNeverShrinksDestinationAndLeavesOutsideBytes() throws {
        let s = try Scratch()
        let data = pattern(8192, seed: 2)
        let old = [UInt8](repeating: 0xEE, count: 20_000)
        try s.write("a", data)
        try s.write("b", old)
        _ = try copy(s, "a", "b", CopyRequest(srcOffset: 100, dstOffset: 5000, count: 3000))
        var expected = old
        expected.replaceSubrange(5000..<8000, with: data[100..<3100])
        XCTAssertEqual(try s.read("b"), expected)
    }

    func testTruncateCutsTheDestinationBeforeCopying() throws {
        let s = try Scratch()
        let data = pattern(5000, seed: 3)
        try s.write("a", data)
        try s.write("b", [UInt8](repeating: 1, count: 50_000))
        _ = try copy(s, "a", "b", CopyRequest(truncate: true))
        XCTAssertEqual(try s.read("b"), data)
    }

    func testARefusedForcedBackendDoesNotTruncateTheDestination() throws {
        // /tmp is ext4 here: reflink refuses with EOPNOTSUPP.
        let s = try Scratch()
        try s.write("a", pattern(10, seed: 30))
        let old = pattern(70_000, seed: 31)
        try s.write("b", old)
        let error = try failure(s, "a", "b", CopyRequest(truncate: true, backend: .reflink))
        XCTAssertEqual(error.kind, .notSupported)
        XCTAssertEqual(try s.read("b"), old)
    }

    func testRangePastTheSourceEndIsInvalidAndChangesNothing() throws {
        let s = try Scratch()
        try s.write("a", pattern(4096, seed: 4))
        try s.write("b", [9, 9, 9])
        XCTAssertEqual(try failure(s, "a", "b", CopyRequest(srcOffset: 5000)).kind, .invalid)
        XCTAssertEqual(try failure(s, "a", "b", CopyRequest(srcOffset: 4000, count: 97)).kind, .invalid)
        XCTAssertEqual(try s.read("b"), [9, 9, 9])
    }

    func testOverlappingRangesInOneFileAreInvalid() throws {
        let s = try Scratch()
        let data = pattern(65536, seed: 5)
        try s.write("a", data)
        let error = try failure(s, "a", "a", CopyRequest(srcOffset: 0, dstOffset: 4096, count: 8192))
        XCTAssertEqual(error.kind, .invalid)
        XCTAssertEqual(error.kind.nfs4, "NFS4ERR_INVAL")
        XCTAssertEqual(try s.read("a"), data)
        // Adjacent, not overlapping: allowed.
        _ = try copy(s, "a", "a", CopyRequest(srcOffset: 0, dstOffset: 8192, count: 8192))
        XCTAssertEqual(Array(try s.read("a")[8192..<16384]), Array(data[0..<8192]))
    }

    func testGuardedRefusesADestinationWithData() throws {
        let s = try Scratch()
        try s.write("a", pattern(100, seed: 6))
        try s.write("b", [7])
        let error = try failure(s, "a", "b", CopyRequest(guarded: true))
        XCTAssertEqual(error.kind, .exists)
        XCTAssertEqual(error.kind.nfs4, "NFS4ERR_EXIST")
        XCTAssertEqual(try s.read("b"), [7])
        XCTAssertEqual(try copy(s, "a", "c", CopyRequest(guarded: true)).bytes, 100)
    }

    func testStableGivesFileSync() throws {
        let s = try Scratch()
        try s.write("a", pattern(100, seed: 7))
        XCTAssertEqual(try copy(s, "a", "b", CopyRequest(stable: true)).committed, .fileSync)
        XCTAssertEqual(try copy(s, "a", "c", CopyRequest()).committed, .unstable)
    }

    func testDirectoryAndFIFOAreWrongType() throws {
        let s = try Scratch()
        mkdir(s.file("dir"), 0o755)
        mkfifo(s.file("fifo"), 0o644)
        for name in ["dir", "fifo"] {
            XCTAssertThrowsError(try CopyFile.openSource(path: s.file(name))) { error in
                XCTAssertEqual((error as? CopyError)?.kind, .wrongType)
            }
        }
        XCTAssertThrowsError(try CopyFile.openSource(path: s.file("dir"))) { error in
            XCTAssertEqual((error as? CopyError)?.nfs4, "NFS4ERR_ISDIR")
        }
    }

    func testEveryBackendKeepsHolesAndZeroesThemOverOldData() throws {
        let s = try Scratch()
        let block = 1 << 20
        let first = pattern(block, seed: 8), second = pattern(block, seed: 9)
        try s.write("sparse", first, at: block)  // hole [0, 1M)
        try s.write("sparse", second, at: 4 * block)  // hole [2M, 4M)
        try s.truncate("sparse", to: 8 * block)  // hole at the end
        var expected = [UInt8](repeating: 0, count: 8 * block)
        expected.replaceSubrange(block..<2 * block, with: first)
        expected.replaceSubrange(4 * block..<5 * block, with: second)
        for backend in [BackendName.copyFileRange, .aio] {
            // Onto a new file: same bytes, still sparse.
            let fresh = "new-\(backend)"
            let outcome = try copy(s, "sparse", fresh, CopyRequest(truncate: true, backend: backend))
            XCTAssertEqual(outcome.backend, backend)
            XCTAssertEqual(try s.read(fresh), expected, "\(backend)")
            XCTAssertLessThan(s.allocatedBytes(fresh), 3 * block, "\(backend) filled the holes")
            // Onto old data: the holes read back as zeros.
            let full = "full-\(backend)"
            try s.write(full, [UInt8](repeating: 0xFF, count: 9 * block))
            _ = try copy(s, "sparse", full, CopyRequest(backend: backend))
            var expectedFull = expected
            expectedFull += [UInt8](repeating: 0xFF, count: block)
            XCTAssertEqual(try s.read(full), expectedFull, "\(backend)")
        }
    }

    func testCancellationGivesAShortResultWithTheBytesInPlace() throws {
        let s = try Scratch()
        let data = pattern(8 << 20, seed: 10)
        try s.write("a", data)
        let flag = CancellationFlag()
        let overrides = TunableOverrides(aioBlockSize: 1 << 20, aioQueueDepth: 1)
        let context = CopyContext(cancellation: flag) { bytes in
            if bytes >= 2 << 20 { flag.cancel() }
        }
        let source = try CopyFile.openSource(path: s.file("a"))
        let destination = try CopyFile.openDestination(path: s.file("b"))
        let outcome = try engine.copy(
            source: source, destination: destination, request: CopyRequest(backend: .aio), overrides: overrides,
            context: context)
        XCTAssertTrue(outcome.short)
        XCTAssertGreaterThanOrEqual(outcome.bytes, 2 << 20)
        XCTAssertLessThan(outcome.bytes, 8 << 20)
        XCTAssertEqual(Array(try s.read("b")[0..<Int(outcome.bytes)]), Array(data[0..<Int(outcome.bytes)]))
    }

    func testUnalignedOffsetsWithDirectIOStillCopyExactly() throws {
        let s = try Scratch()
        let data = pattern(3 << 20, seed: 11)
        try s.write("a", data)
        let old = pattern(4 << 20, seed: 12)
        try s.write("b", old)
        // Source aligned, destination not: reads may be direct, writes must be buffered.
        _ = try copy(s, "a", "b", CopyRequest(srcOffset: 4096, dstOffset: 1, count: (2 << 20) + 7, backend: .aio))
        var expected = old
        expected.replaceSubrange(1..<(1 + (2 << 20) + 7), with: data[4096..<(4096 + (2 << 20) + 7)])
        XCTAssertEqual(try s.read("b"), expected)
    }
}
