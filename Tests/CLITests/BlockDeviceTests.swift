import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Raw (unmounted) loop devices: device → device, file → device, device → file, all by
/// aio with O_DIRECT. O_DIRECT is confirmed independently: caches are dropped before the
/// copy and the destination (and source) must have (almost) nothing in the page cache
/// afterwards. Bytes of a device outside the copied range must be untouched.
final class BlockDeviceTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.loopDevice("A", size: 128 * MiB)
        try lab.loopDevice("B", size: 192 * MiB)
        try lab.filesystem(.ext4, "ext4", size: 512 * MiB)
        try lab.filesystem(.xfs, "xfs", size: 512 * MiB)
    }

    private func assertAioDirect(_ report: CopyReport?, source: Bool, destination: Bool, file: StaticString = #filePath, line: UInt = #line) {
        guard let report else { return }
        assertSkipped(report, ["reflink", "copy_file_range", "xcopy"], file: file, line: line)
        XCTAssertEqual(report.directSource, source, "direct.source: \(report.text)", file: file, line: line)
        XCTAssertEqual(report.directDestination, destination, "direct.destination: \(report.text)", file: file, line: line)
    }

    func testDeviceToDeviceWholeCopy() throws {
        let a = device("A"), b = device("B")
        try Files.writeRandom(a, length: 128 * MiB)
        try Files.fill(b, length: 192 * MiB, byte: 0xFF)
        let holdA = try Files.Holder(a), holdB = try Files.Holder(b)
        try Files.dropCaches()
        let report = assertCopied(try copy(a, b), bytes: 128 * MiB, backend: "aio")
        assertAioDirect(report, source: true, destination: true)
        assertNotCached(b, holder: holdB, copied: 128 * MiB)
        assertNotCached(a, holder: holdA, copied: 128 * MiB)
        assertSize(b, 192 * MiB)
        assertSameBytes(a, 0, b, 0, count: 128 * MiB)
        assertBytes(b, at: 128 * MiB, length: 64 * MiB, allEqual: 0xFF)
    }

    func testDeviceToDeviceAlignedRange() throws {
        let a = device("A"), b = device("B")
        try Files.writeRandom(a, length: 128 * MiB)
        try Files.fill(b, length: 192 * MiB, byte: 0xFF)
        let holdB = try Files.Holder(b)
        try Files.dropCaches()
        let run = try copy(a, b, ["--src-offset", String(4 * MiB), "--dst-offset", String(40 * MiB), "--count", String(64 * MiB)])
        let report = assertCopied(run, bytes: 64 * MiB, backend: "aio")
        assertAioDirect(report, source: true, destination: true)
        assertNotCached(b, holder: holdB, copied: 64 * MiB)
        assertSize(b, 192 * MiB)
        assertBytes(b, at: 0, length: 40 * MiB, allEqual: 0xFF)
        assertSameBytes(a, 4 * MiB, b, 40 * MiB, count: 64 * MiB)
        assertBytes(b, at: 104 * MiB, length: 88 * MiB, allEqual: 0xFF)
    }

    func testDeviceToDeviceUnalignedRange() throws {
        let a = device("A"), b = device("B")
        try Files.writeRandom(a, length: 128 * MiB)
        try Files.fill(b, length: 192 * MiB, byte: 0xFF)
        let (srcOffset, dstOffset, count): (Int64, Int64, Int64) = (1000, 3 * MiB + 3, 5 * MiB + 1001)
        let run = try copy(a, b, ["--src-offset", String(srcOffset), "--dst-offset", String(dstOffset), "--count", String(count)])
        assertCopied(run, bytes: count, backend: "aio")
        assertSize(b, 192 * MiB)
        assertBytes(b, at: 0, length: dstOffset, allEqual: 0xFF)
        assertSameBytes(a, srcOffset, b, dstOffset, count: count)
        assertBytes(b, at: dstOffset + count, length: 192 * MiB - dstOffset - count, allEqual: 0xFF)
    }

    /// count absent with a source offset: to the source's end (the device's size).
    func testDeviceToDeviceFromOffsetToEnd() throws {
        let a = device("A"), b = device("B")
        try Files.writeRandom(a, length: 128 * MiB)
        try Files.fill(b, length: 192 * MiB, byte: 0xFF)
        let run = try copy(a, b, ["--src-offset", String(100 * MiB), "--dst-offset", String(1 * MiB)])
        assertCopied(run, bytes: 28 * MiB, backend: "aio")
        assertBytes(b, at: 0, length: 1 * MiB, allEqual: 0xFF)
        assertSameBytes(a, 100 * MiB, b, 1 * MiB, count: 28 * MiB)
        assertBytes(b, at: 29 * MiB, length: 163 * MiB, allEqual: 0xFF)
    }

    func testFileOnExt4ToDevice() throws {
        let b = device("B")
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 48 * MiB)
        try Files.fill(b, length: 192 * MiB, byte: 0xFF)
        let holdB = try Files.Holder(b)
        try Files.dropCaches()
        let report = assertCopied(try copy(src, b), bytes: 48 * MiB, backend: "aio")
        assertAioDirect(report, source: true, destination: true)
        assertNotCached(b, holder: holdB, copied: 48 * MiB)
        assertNotCached(src, copied: 48 * MiB)
        assertSize(b, 192 * MiB)
        assertSameBytes(src, 0, b, 0, count: 48 * MiB)
        assertBytes(b, at: 48 * MiB, length: 144 * MiB, allEqual: 0xFF)
    }

    func testFileOnXFSToDeviceAtOffset() throws {
        let b = device("B")
        let src = lab.fresh(on: fs("xfs"), "src")
        try Files.createRandom(src, size: 32 * MiB)
        try Files.fill(b, length: 192 * MiB, byte: 0xFF)
        let holdB = try Files.Holder(b)
        try Files.dropCaches()
        let report = assertCopied(try copy(src, b, ["--dst-offset", String(64 * MiB)]), bytes: 32 * MiB, backend: "aio")
        assertAioDirect(report, source: true, destination: true)
        assertNotCached(b, holder: holdB, copied: 32 * MiB)
        assertSize(b, 192 * MiB)
        assertBytes(b, at: 0, length: 64 * MiB, allEqual: 0xFF)
        assertSameBytes(src, 0, b, 64 * MiB, count: 32 * MiB)
        assertBytes(b, at: 96 * MiB, length: 96 * MiB, allEqual: 0xFF)
    }

    func testDeviceToNewFileOnXFS() throws {
        let a = device("A")
        try Files.writeRandom(a, length: 128 * MiB)
        let dst = lab.fresh(on: fs("xfs"), "from-device")
        let holdA = try Files.Holder(a)
        try Files.dropCaches()
        let report = assertCopied(try copy(a, dst), bytes: 128 * MiB, backend: "aio")
        assertAioDirect(report, source: true, destination: true)
        assertNotCached(dst, copied: 128 * MiB)
        XCTAssertLessThanOrEqual(try Files.fincoreBytes(dst), CLITestCase.residentSlack, "fincore on \(dst)")
        assertNotCached(a, holder: holdA, copied: 128 * MiB)
        assertSize(dst, 128 * MiB)
        assertSameBytes(a, 0, dst, 0, count: 128 * MiB)
        Files.remove(dst)
    }

    /// Whole-device copy onto a longer file on ext4 truncates the file to the device size.
    func testDeviceToLongerFileOnExt4Truncates() throws {
        let a = device("A")
        try Files.writeRandom(a, length: 128 * MiB)
        let dst = lab.fresh(on: fs("ext4"), "longer")
        try Files.createFilled(dst, size: 150 * MiB, byte: 0xFF)
        try Files.dropCaches()
        let report = assertCopied(try copy(a, dst), bytes: 128 * MiB, backend: "aio")
        assertAioDirect(report, source: true, destination: true)
        assertNotCached(dst, copied: 128 * MiB)
        assertSize(dst, 128 * MiB)
        assertSameBytes(a, 0, dst, 0, count: 128 * MiB)
        Files.remove(dst)
    }

    func testDeviceRangeToFileOnExt4() throws {
        let a = device("A")
        try Files.writeRandom(a, length: 128 * MiB)
        let dst = lab.fresh(on: fs("ext4"), "range")
        try Files.createFilled(dst, size: 4 * MiB, byte: 0xFF)
        let run = try copy(a, dst, ["--src-offset", String(8 * MiB), "--dst-offset", String(2 * MiB), "--count", String(16 * MiB)])
        assertCopied(run, bytes: 16 * MiB, backend: "aio")
        assertSize(dst, 18 * MiB)
        assertBytes(dst, at: 0, length: 2 * MiB, allEqual: 0xFF)
        assertSameBytes(a, 8 * MiB, dst, 2 * MiB, count: 16 * MiB)
    }

    /// A sparse file onto a device full of 0xFF: the holes become zeros on the device
    /// (BLKZEROOUT), the bytes beyond the range stay 0xFF.
    func testSparseFileToDeviceZeroesTheHoles() throws {
        let b = device("B")
        let src = lab.fresh(on: fs("ext4"), "sparse")
        let data: [(offset: Int64, length: Int64)] = [(1 * MiB, 1 * MiB), (5 * MiB, 2 * MiB)]
        try Files.createSparse(src, size: 12 * MiB, data: data)
        XCTAssertLessThan(try Files.allocated(src), 6 * MiB, "test source not sparse")
        try Files.fill(b, length: 192 * MiB, byte: 0xFF)
        let run = try copy(src, b, ["--dst-offset", String(16 * MiB)])
        assertCopied(run, bytes: 12 * MiB, backend: "aio")
        assertSize(b, 192 * MiB)
        assertBytes(b, at: 0, length: 16 * MiB, allEqual: 0xFF)
        assertSameBytes(src, 0, b, 16 * MiB, count: 12 * MiB)
        assertBytes(b, at: 16 * MiB, length: 1 * MiB, allEqual: 0)
        assertBytes(b, at: 18 * MiB, length: 3 * MiB, allEqual: 0)
        assertBytes(b, at: 23 * MiB, length: 5 * MiB, allEqual: 0)
        assertBytes(b, at: 28 * MiB, length: 164 * MiB, allEqual: 0xFF)
    }

    // MARK: refusals

    /// A range past the end of a destination device is invalid before any byte moves.
    func testRangePastEndOfDestinationDeviceIsInvalid() throws {
        let b = device("B")
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 4 * MiB)
        try Files.fill(b, length: 192 * MiB, byte: 0xFF)
        let run = try copy(src, b, ["--dst-offset", String(190 * MiB), "--count", String(4 * MiB)])
        assertFailed(run, kind: "invalid")
        assertSize(b, 192 * MiB)
        assertBytes(b, at: 0, length: 192 * MiB, allEqual: 0xFF)
    }

    /// A whole-file copy of a file bigger than the device: invalid, device untouched.
    func testFileBiggerThanDestinationDeviceIsInvalid() throws {
        let a = device("A")
        let src = lab.fresh(on: fs("ext4"), "big")
        try Files.createRandom(src, size: 129 * MiB)
        try Files.fill(a, length: 128 * MiB, byte: 0xFF)
        assertFailed(try copy(src, a), kind: "invalid")
        assertSize(a, 128 * MiB)
        assertBytes(a, at: 0, length: 128 * MiB, allEqual: 0xFF)
        Files.remove(src)
    }

    func testForcedCopyFileRangeOnDevicesIsNotSupported() throws {
        let a = device("A"), b = device("B")
        try Files.writeRandom(a, length: 8 * MiB)
        try Files.fill(b, length: 192 * MiB, byte: 0xFF)
        assertFailed(try copy(a, b, ["--backend", "copy_file_range", "--count", String(8 * MiB)]), kind: "not_supported")
        assertFailed(try copy(a, b, ["--backend", "reflink", "--count", String(8 * MiB)]), kind: "not_supported")
        assertBytes(b, at: 0, length: 192 * MiB, allEqual: 0xFF)
    }
}
