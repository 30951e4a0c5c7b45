import Foundation
import XCTest

/// A sparse source (a hole at the start, holes inside, a hole at the end, all ≥ 1 MiB)
/// copied with each backend forced: onto a new file it stays sparse; onto an existing file
/// full of 0xFF (same size, or longer) the holes read back as zeros.
final class SparseCopyTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.btrfs, "btrfs", size: 1 * GiB)
        try lab.filesystem(.xfs, "xfs", size: 1 * GiB)
        try lab.filesystem(.ext4, "ext4", size: 1 * GiB)
    }

    static let size: Int64 = 24 * MiB
    /// Data: [1, 2) MiB, [4, 6) MiB, [9, 10) MiB, [13, 14) MiB; holes elsewhere, the last
    /// one [14, 24) MiB running to the end of the file.
    static let data: [(offset: Int64, length: Int64)] = [
        (1 * MiB, 1 * MiB), (4 * MiB, 2 * MiB), (9 * MiB, 1 * MiB), (13 * MiB, 1 * MiB),
    ]
    static var dataBytes: Int64 { data.reduce(0) { $0 + $1.length } }

    private func makeSource(on fsName: String) throws -> String {
        let src = lab.fresh(on: fs(fsName), "sparse")
        try Files.createSparse(src, size: SparseCopyTests.size, data: SparseCopyTests.data)
        let allocated = try Files.allocated(src)
        guard allocated < SparseCopyTests.size / 2 else {
            throw HarnessError("\(fs(fsName)) did not keep the test source sparse: \(allocated) bytes allocated")
        }
        return src
    }

    /// The holes of the source, for the explicit zero checks.
    private var holes: [(offset: Int64, length: Int64)] {
        var result: [(Int64, Int64)] = []
        var at: Int64 = 0
        for range in SparseCopyTests.data {
            if range.offset > at { result.append((at, range.offset - at)) }
            at = range.offset + range.length
        }
        if at < SparseCopyTests.size { result.append((at, SparseCopyTests.size - at)) }
        return result
    }

    private func assertHolesAreZero(_ dst: String, file: StaticString = #filePath, line: UInt = #line) {
        for hole in holes {
            assertBytes(dst, at: hole.offset, length: hole.length, allEqual: 0, file: file, line: line)
        }
    }

    private func run(_ backend: String, _ src: String, _ dst: String, _ extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws {
        assertCopied(try copy(src, dst, ["--backend", backend] + extra), bytes: SparseCopyTests.size, backend: backend, file: file, line: line)
    }

    /// The four cases for one backend on one filesystem.
    private func checkBackend(_ backend: String, on fsName: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let src = try makeSource(on: fsName)
        let size = SparseCopyTests.size

        // 1. Onto a new file: identical, and still sparse.
        let fresh = lab.fresh(on: fs(fsName), "new")
        try run(backend, src, fresh, file: file, line: line)
        assertIdentical(src, fresh, file: file, line: line)
        let allocated = try Files.allocated(fresh)
        XCTAssertLessThanOrEqual(
            allocated, size / 2,
            "\(backend) on \(fsName): the copy of a sparse file (\(SparseCopyTests.dataBytes) data bytes of \(size)) has \(allocated) bytes allocated",
            file: file, line: line)

        // 2. Onto an existing file of the same size full of 0xFF: holes read zeros.
        let same = lab.fresh(on: fs(fsName), "same")
        try Files.createFilled(same, size: size, byte: 0xFF)
        try run(backend, src, same, file: file, line: line)
        assertIdentical(src, same, file: file, line: line)
        assertHolesAreZero(same, file: file, line: line)

        // 3. Onto a longer 0xFF file, whole-file copy: truncated, holes zeros.
        let longer = lab.fresh(on: fs(fsName), "longer")
        try Files.createFilled(longer, size: size + 8 * MiB, byte: 0xFF)
        try run(backend, src, longer, file: file, line: line)
        assertIdentical(src, longer, file: file, line: line)
        assertHolesAreZero(longer, file: file, line: line)

        // 4. Onto a longer 0xFF file as a range (--count): never shrinks, the tail stays 0xFF,
        //    holes inside the range read zeros (the trailing hole is inside the old size).
        let ranged = lab.fresh(on: fs(fsName), "ranged")
        try Files.createFilled(ranged, size: size + 8 * MiB, byte: 0xFF)
        try run(backend, src, ranged, ["--count", String(size)], file: file, line: line)
        assertSize(ranged, size + 8 * MiB, file: file, line: line)
        assertSameBytes(src, 0, ranged, 0, count: size, file: file, line: line)
        assertHolesAreZero(ranged, file: file, line: line)
        assertBytes(ranged, at: size, length: 8 * MiB, allEqual: 0xFF, file: file, line: line)

        Files.remove(src, fresh, same, longer, ranged)
    }

    func testSparseWithReflinkOnBtrfs() throws {
        try checkBackend("reflink", on: "btrfs")
    }

    func testSparseWithReflinkOnXFS() throws {
        try checkBackend("reflink", on: "xfs")
    }

    func testSparseWithCopyFileRangeOnExt4() throws {
        try checkBackend("copy_file_range", on: "ext4")
    }

    func testSparseWithCopyFileRangeOnXFS() throws {
        try checkBackend("copy_file_range", on: "xfs")
    }

    func testSparseWithAioOnExt4() throws {
        try checkBackend("aio", on: "ext4")
    }

    func testSparseWithAioOnXFS() throws {
        try checkBackend("aio", on: "xfs")
    }

    /// Auto copy ext4 → XFS (aio) of the sparse source onto a new file stays sparse too.
    func testSparseAcrossFilesystemsStaysSparse() throws {
        let src = try makeSource(on: "ext4")
        let dst = lab.fresh(on: fs("xfs"), "across")
        assertCopied(try copy(src, dst), bytes: SparseCopyTests.size, backend: "aio")
        assertIdentical(src, dst)
        XCTAssertLessThanOrEqual(try Files.allocated(dst), SparseCopyTests.size / 2, "allocated bytes of \(dst)")
    }
}
