import CShims
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The harness's own probes must be able to see what they are used to rule out, else the
/// O_DIRECT and reflink checks elsewhere would pass vacuously.
final class HarnessTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.ext4, "ext4", size: 256 * MiB)
        try lab.filesystem(.btrfs, "btrfs", size: 512 * MiB)
        try lab.loopDevice("dev", size: 64 * MiB)
    }

    func testPageCacheProbeSeesBufferedPagesOnFilesAndDevices() throws {
        let file = lab.fresh(on: fs("ext4"), "cached")
        let dev = device("dev")
        let holder = try Files.Holder(dev)
        try Files.createRandom(file, size: 8 * MiB)
        try Files.fill(dev, length: 8 * MiB, byte: 0x5A)
        XCTAssertGreaterThanOrEqual(try Files.residentBytes(file), 8 * MiB)
        XCTAssertGreaterThanOrEqual(try Files.fincoreBytes(file), 8 * MiB)
        XCTAssertGreaterThanOrEqual(try Files.residentBytes(dev, holder: holder), 8 * MiB)
        try Files.dropCaches()
        XCTAssertEqual(try Files.residentBytes(file), 0)
        XCTAssertEqual(try Files.fincoreBytes(file), 0)
        XCTAssertEqual(try Files.residentBytes(dev, holder: holder), 0)
        assertBytes(dev, at: 0, length: 8 * MiB, allEqual: 0x5A)
        XCTAssertGreaterThanOrEqual(try Files.residentBytes(dev, holder: holder), 8 * MiB)
        // O_DIRECT writes leave nothing behind, even with the cache kept alive.
        try Files.dropCaches()
        try Shell.checked("dd", ["if=/dev/zero", "of=\(dev)", "bs=1M", "count=8", "oflag=direct", "conv=notrunc", "status=none"])
        XCTAssertEqual(try Files.residentBytes(dev, holder: holder), 0)
        assertBytes(dev, at: 0, length: 8 * MiB, allEqual: 0)
    }

    func testFiemapSeesSharedExtentsAfterAKernelClone() throws {
        let src = lab.fresh(on: fs("btrfs"), "src")
        let dst = lab.fresh(on: fs("btrfs"), "dst")
        try Files.createRandom(src, size: 4 * MiB)
        let before = try Files.fiemap(src)
        XCTAssertEqual(before.shared_bytes, 0)
        XCTAssertEqual(Int64(before.mapped_bytes), 4 * MiB)
        let s = try Files.open(src, O_RDONLY)
        defer { close(s) }
        let d = try Files.open(dst, O_WRONLY | O_CREAT)
        defer { close(d) }
        XCTAssertEqual(ssc_ficlone(d, s), 0, Files.errnoText())
        assertSharedExtents([src, dst], covering: 4 * MiB)
        assertIdentical(src, dst)
    }

    /// The hang guard kills a child that outlives it and says so (this is how a FIFO that
    /// is read forever turns into a failure instead of a stuck CI job).
    func testHangGuardKillsAndReports() throws {
        let result = try Shell.run("sleep", ["600"], timeout: 1)
        XCTAssertTrue(result.timedOut, "\(result)")
        XCTAssertNotEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.description.contains("KILLED"), result.description)
    }

    func testCompareFindsADifferentByte() throws {
        let a = lab.fresh(on: fs("ext4"), "a")
        let b = lab.fresh(on: fs("ext4"), "b")
        try Files.createRandom(a, size: 5 * MiB + 3)
        try Shell.checked("cp", [a, b])
        XCTAssertNil(try Files.compare(a, 0, b, 0, count: 5 * MiB + 3))
        let fd = try Files.open(b, O_WRONLY)
        var byte: UInt8 = 0
        _ = pread(fd, &byte, 1, 0)
        let c = try Files.open(a, O_RDONLY)
        _ = pread(c, &byte, 1, off_t(4 * MiB + 7))
        close(c)
        byte ^= 0xFF
        _ = pwrite(fd, &byte, 1, off_t(4 * MiB + 7))
        close(fd)
        let difference = try Files.compare(a, 0, b, 0, count: 5 * MiB + 3)
        XCTAssertNotNil(difference)
        XCTAssertTrue(difference?.contains("\(4 * MiB + 7)") ?? false, difference ?? "")
        XCTAssertNotNil(try Files.compare(a, 0, b, 0, count: 5 * MiB + 4), "reading past EOF must be reported")
    }
    /// A lab left behind by a crashed run (owner process gone) is unmounted, detached and
    /// removed by the next run; a lab whose owner is alive is left alone.
    func testStaleLabOfADeadRunIsReaped() throws {
        var template = Array("/tmp/\(Lab.prefix)stale-probe.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw HarnessError("mkdtemp: \(Files.errnoText())")
        }
        let stale = String(cString: made)
        // pid 0 never owns a run: the stamp cannot match a live process.
        try "0 0".write(toFile: stale + "/owner", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: stale + "/images", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: stale + "/mnt/t", withIntermediateDirectories: true)
        try Shell.checked("truncate", ["-s", "16M", stale + "/images/x.img"])
        let loop = try Shell.checked("losetup", ["--find", "--show", stale + "/images/x.img"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try Shell.checked("mount", ["-t", "tmpfs", "tmpfs", stale + "/mnt/t"])

        Lab.reapStale()

        XCTAssertEqual(Lab.mountedBelow(stale), [], "stale mounts left")
        XCTAssertFalse(Files.exists(stale), "stale lab directory left")
        let attached = try Shell.checked("losetup", ["-j", stale + "/images/x.img"])
        XCTAssertEqual(attached, "", "stale loop device \(loop) left attached")
        XCTAssertTrue(Files.exists(lab.root), "the live lab of this run must survive")
        XCTAssertFalse(Lab.mountedBelow(lab.root).isEmpty, "the live lab's mounts must survive")
    }
}
