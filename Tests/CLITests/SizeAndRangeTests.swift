import Foundation
import XCTest

/// Sizes 0, 1, 4095, 4097 and 1 GiB + 1 with each backend, and ranges with aligned and
/// unaligned offsets: data outside the range unchanged, the destination grows to
/// dst_offset + count when shorter and never shrinks.
final class SizeAndRangeTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        // 1 GiB + 1 sources and copies live here; images are sparse.
        try lab.filesystem(.btrfs, "btrfs", size: 3 * GiB)
        try lab.filesystem(.xfs, "xfs", size: 3 * GiB)
        try lab.filesystem(.ext4, "ext4", size: 3 * GiB)
    }

    /// How one configuration is run: forced backend arguments, filesystems, expected backend.
    struct Setup: CustomStringConvertible {
        let arguments: [String]
        let srcFS: String
        let dstFS: String
        let backend: String
        var description: String { "\(backend) \(srcFS)→\(dstFS) \(arguments.joined(separator: " "))" }
    }

    static let forcedSetups = [
        Setup(arguments: ["--backend", "reflink"], srcFS: "btrfs", dstFS: "btrfs", backend: "reflink"),
        Setup(arguments: ["--backend", "reflink"], srcFS: "xfs", dstFS: "xfs", backend: "reflink"),
        Setup(arguments: ["--backend", "copy_file_range"], srcFS: "ext4", dstFS: "ext4", backend: "copy_file_range"),
        Setup(arguments: ["--backend", "aio"], srcFS: "ext4", dstFS: "ext4", backend: "aio"),
        Setup(arguments: ["--backend", "aio"], srcFS: "xfs", dstFS: "ext4", backend: "aio"),
        Setup(arguments: [], srcFS: "ext4", dstFS: "xfs", backend: "aio"),
    ]

    // MARK: sizes

    private func checkSize(_ size: Int64, file: StaticString = #filePath, line: UInt = #line) throws {
        for setup in SizeAndRangeTests.forcedSetups {
            let src = lab.fresh(on: fs(setup.srcFS), "src-\(size)")
            let dst = lab.fresh(on: fs(setup.dstFS), "dst-\(size)")
            try Files.createRandom(src, size: size)
            let run = try copy(src, dst, setup.arguments)
            assertCopied(run, bytes: size, backend: setup.backend, file: file, line: line)
            XCTAssertTrue(Files.exists(dst), "\(setup): destination not created", file: file, line: line)
            assertIdentical(src, dst, file: file, line: line)

            // And onto an existing longer file: truncated to the size.
            let longer = lab.fresh(on: fs(setup.dstFS), "longer-\(size)")
            try Files.createFilled(longer, size: 3 * 4096 + 5, byte: 0xFF)
            assertCopied(try copy(src, longer, setup.arguments), bytes: size, backend: setup.backend, file: file, line: line)
            assertIdentical(src, longer, file: file, line: line)
        }
    }

    func testSizeZero() throws { try checkSize(0) }
    func testSizeOne() throws { try checkSize(1) }
    func testSize4095() throws { try checkSize(4095) }
    func testSize4097() throws { try checkSize(4097) }

    static let big = 1 * GiB + 1

    /// One 1 GiB + 1 source on ext4 shared by the copy_file_range and aio tests.
    nonisolated(unsafe) static var bigExt4Source: String?

    private func bigSourceOnExt4() throws -> String {
        if let path = SizeAndRangeTests.bigExt4Source, Files.exists(path) { return path }
        let path = lab.fresh(on: fs("ext4"), "big")
        try Files.createRandom(path, size: SizeAndRangeTests.big)
        SizeAndRangeTests.bigExt4Source = path
        return path
    }

    override class func tearDown() {
        bigExt4Source = nil
        super.tearDown()
    }

    func testOneGiBPlusOneWithReflink() throws {
        let src = lab.fresh(on: fs("btrfs"), "big")
        let dst = lab.fresh(on: fs("btrfs"), "big-copy")
        try Files.createRandom(src, size: SizeAndRangeTests.big)
        assertCopied(try copy(src, dst, ["--backend", "reflink"]), bytes: SizeAndRangeTests.big, backend: "reflink")
        assertIdentical(src, dst)
        assertSharedExtents([dst], covering: 1 * GiB)
        Files.remove(src, dst)
    }

    func testOneGiBPlusOneWithCopyFileRange() throws {
        let src = try bigSourceOnExt4()
        let dst = lab.fresh(on: fs("ext4"), "big-copy")
        assertCopied(try copy(src, dst, ["--backend", "copy_file_range"]), bytes: SizeAndRangeTests.big, backend: "copy_file_range")
        assertIdentical(src, dst)
        Files.remove(dst)
    }

    func testOneGiBPlusOneWithAio() throws {
        let src = try bigSourceOnExt4()
        let dst = lab.fresh(on: fs("xfs"), "big-copy")
        let report = assertCopied(try copy(src, dst, ["--backend", "aio"]), bytes: SizeAndRangeTests.big, backend: "aio")
        XCTAssertEqual(report?.directDestination, true, "an XFS destination supports O_DIRECT: \(report?.text ?? "")")
        assertIdentical(src, dst)
        Files.remove(dst)
    }

    // MARK: ranges

    static let sourceSize: Int64 = 8 * MiB + 17

    /// Copies src[srcOffset, +count) to dst@dstOffset where dst is `dstInitial` bytes of
    /// 0xFF; checks the range, the bytes before and after it, the gap (zeros) when the
    /// destination grew, and the size max(dstInitial, dstOffset + count).
    private func checkRange(
        _ setup: Setup, srcOffset: Int64, dstOffset: Int64, count: Int64?, dstInitial: Int64,
        expectBackend: String? = nil, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let src = lab.fresh(on: fs(setup.srcFS), "range-src")
        let dst = lab.fresh(on: fs(setup.dstFS), "range-dst")
        try Files.createRandom(src, size: SizeAndRangeTests.sourceSize)
        try Files.createFilled(dst, size: dstInitial, byte: 0xFF)
        var arguments = setup.arguments + ["--src-offset", String(srcOffset), "--dst-offset", String(dstOffset)]
        if let count { arguments += ["--count", String(count)] }
        let moved = count ?? (SizeAndRangeTests.sourceSize - srcOffset)
        let run = try copy(src, dst, arguments)
        let backend = expectBackend ?? setup.backend
        let report = assertCopied(run, bytes: moved, backend: backend, file: file, line: line)
        if backend != "reflink", setup.arguments.isEmpty {
            assertSkipped(report, ["reflink"], file: file, line: line)
        }
        let end = dstOffset + moved
        assertSize(dst, max(dstInitial, end), file: file, line: line)
        assertBytes(dst, at: 0, length: min(dstOffset, dstInitial), allEqual: 0xFF, file: file, line: line)
        if dstInitial < dstOffset {
            assertBytes(dst, at: dstInitial, length: dstOffset - dstInitial, allEqual: 0, file: file, line: line)
        }
        assertSameBytes(src, srcOffset, dst, dstOffset, count: moved, file: file, line: line)
        if end < dstInitial {
            assertBytes(dst, at: end, length: dstInitial - end, allEqual: 0xFF, file: file, line: line)
        }
        XCTAssertEqual(try Files.size(src), SizeAndRangeTests.sourceSize, "the source changed size", file: file, line: line)
        Files.remove(src, dst)
    }

    /// The range cases for one setup; `alignedBackend` / `unalignedBackend` is what auto
    /// selection must pick (reflink for block-aligned ranges, a fallback otherwise).
    private func checkRanges(_ setup: Setup, alignedBackend: String? = nil, unalignedBackend: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        // Aligned, inside a longer destination.
        try checkRange(setup, srcOffset: 1 * MiB, dstOffset: 2 * MiB, count: 3 * MiB, dstInitial: 8 * MiB, expectBackend: alignedBackend, file: file, line: line)
        // Aligned, growing a shorter destination past a gap.
        try checkRange(setup, srcOffset: 1 * MiB, dstOffset: 2 * MiB, count: 3 * MiB, dstInitial: 1 * MiB, expectBackend: alignedBackend, file: file, line: line)
        // Aligned, overlapping the destination's end.
        try checkRange(setup, srcOffset: 0, dstOffset: 1 * MiB, count: 4 * MiB, dstInitial: 2 * MiB, expectBackend: alignedBackend, file: file, line: line)
        // Unaligned, inside.
        try checkRange(setup, srcOffset: 12345, dstOffset: 777, count: 1_000_003, dstInitial: 4 * MiB, expectBackend: unalignedBackend, file: file, line: line)
        // Unaligned, growing past a gap.
        try checkRange(setup, srcOffset: 4097, dstOffset: 3 * MiB + 1, count: 2 * MiB + 3, dstInitial: 1 * MiB + 5, expectBackend: unalignedBackend, file: file, line: line)
        // Unaligned source offset, no count: to the source's end.
        try checkRange(setup, srcOffset: 5 * MiB + 1, dstOffset: 4096, count: nil, dstInitial: 8 * MiB, expectBackend: unalignedBackend, file: file, line: line)
    }

    func testRangesAutoOnBtrfs() throws {
        try checkRanges(Setup(arguments: [], srcFS: "btrfs", dstFS: "btrfs", backend: "reflink"), alignedBackend: "reflink", unalignedBackend: "copy_file_range")
    }

    func testRangesAutoOnXFS() throws {
        try checkRanges(Setup(arguments: [], srcFS: "xfs", dstFS: "xfs", backend: "reflink"), alignedBackend: "reflink", unalignedBackend: "copy_file_range")
    }

    /// An aligned range that ends at the source's (unaligned) end of file and extends the
    /// destination may still be cloned: auto picks reflink.
    func testRangeEndingAtSourceEOFIsClonedOnXFSAndBtrfs() throws {
        for fsName in ["xfs", "btrfs"] {
            try checkRange(Setup(arguments: [], srcFS: fsName, dstFS: fsName, backend: "reflink"), srcOffset: 4 * MiB, dstOffset: 4 * MiB, count: nil, dstInitial: 6 * MiB)
        }
    }

    func testRangesForcedCopyFileRangeOnExt4() throws {
        try checkRanges(Setup(arguments: ["--backend", "copy_file_range"], srcFS: "ext4", dstFS: "ext4", backend: "copy_file_range"))
    }

    func testRangesAutoOnExt4UseCopyFileRange() throws {
        try checkRanges(Setup(arguments: [], srcFS: "ext4", dstFS: "ext4", backend: "copy_file_range"))
    }

    func testRangesForcedAioOnExt4() throws {
        try checkRanges(Setup(arguments: ["--backend", "aio"], srcFS: "ext4", dstFS: "ext4", backend: "aio"))
    }

    func testRangesForcedAioOnXFS() throws {
        try checkRanges(Setup(arguments: ["--backend", "aio"], srcFS: "xfs", dstFS: "xfs", backend: "aio"))
    }

    func testRangesAutoExt4ToXFSUseAio() throws {
        try checkRanges(Setup(arguments: [], srcFS: "ext4", dstFS: "xfs", backend: "aio"))
    }

    /// `--count 0` alone is a range (to the source's EOF), not a whole-file copy: a longer
    /// destination keeps its size and its tail.
    func testCountZeroIsARangeToSourceEOF() throws {
        for setup in SizeAndRangeTests.forcedSetups {
            let src = lab.fresh(on: fs(setup.srcFS), "src")
            let dst = lab.fresh(on: fs(setup.dstFS), "dst")
            try Files.createRandom(src, size: 2 * MiB)
            try Files.createFilled(dst, size: 3 * MiB + 1, byte: 0xFF)
            assertCopied(try copy(src, dst, setup.arguments + ["--count", "0"]), bytes: 2 * MiB, backend: setup.backend)
            assertSize(dst, 3 * MiB + 1)
            assertSameBytes(src, 0, dst, 0, count: 2 * MiB)
            assertBytes(dst, at: 2 * MiB, length: 1 * MiB + 1, allEqual: 0xFF)
        }
    }

    /// Forced reflink on a misaligned range: invalid, the destination untouched.
    func testForcedReflinkOnMisalignedRangeIsInvalid() throws {
        for fsName in ["btrfs", "xfs"] {
            let src = lab.fresh(on: fs(fsName), "src")
            let dst = lab.fresh(on: fs(fsName), "dst")
            try Files.createRandom(src, size: 4 * MiB)
            try Files.createFilled(dst, size: 4 * MiB, byte: 0xFF)
            let before = hash(src)
            let run = try copy(src, dst, ["--backend", "reflink", "--src-offset", "1000", "--dst-offset", "0", "--count", String(1 * MiB)])
            assertFailed(run, kind: "invalid")
            assertSize(dst, 4 * MiB)
            assertBytes(dst, at: 0, length: 4 * MiB, allEqual: 0xFF)
            XCTAssertEqual(hash(src), before, "source changed")
        }
    }
}
