import Backends
import Glibc
import XCTest

/// The destination's identity borrows the source's block device tree when both are
/// regular files of one filesystem; it must be the identity a walk of its own gives.
final class DeviceIdentitySiblingTests: XCTestCase {
    func testASiblingOnTheSameFilesystemGivesTheSameIdentity() throws {
        let s = try Scratch()
        try s.write("a", pattern(100, seed: 41))
        try s.write("b", pattern(100, seed: 42))
        let mounts = MountTable.current()
        let a = try CopyFile.openSource(path: s.file("a"))
        let b = try CopyFile.openDestination(path: s.file("b"))
        let source = DeviceIdentity.of(a, mounts: mounts)
        XCTAssertEqual(DeviceIdentity.of(b, mounts: mounts, sibling: source), DeviceIdentity.of(b, mounts: mounts))
    }

    func testASiblingElsewhereIsNotBorrowedFrom() throws {
        let s = try Scratch()
        try s.write("a", pattern(100, seed: 43))
        let mounts = MountTable.current()
        let a = try CopyFile.openSource(path: s.file("a"))
        // /proc is another filesystem than the scratch directory's.
        let other = try CopyFile.openSource(path: "/proc/self/status")
        let source = DeviceIdentity.of(a, mounts: mounts)
        let alone = DeviceIdentity.of(other, mounts: mounts)
        XCTAssertEqual(DeviceIdentity.of(other, mounts: mounts, sibling: source), alone)
        XCTAssertNotEqual(alone.device, source.device)
    }
}
