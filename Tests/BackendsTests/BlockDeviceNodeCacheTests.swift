@testable import Backends
import Foundation
import XCTest

/// The agent's cache of block device trees, on real loop devices: a disk seen again is
/// not read again, and a device number given to another disk (a loop device attached to
/// a new backing file gets a new disk sequence number) is read afresh.
final class BlockDeviceNodeCacheTests: XCTestCase {
    var images: [String] = []
    var attached: [String] = []

    override func setUpWithError() throws {
        XCTAssertEqual(geteuid(), 0, "loop devices need root (CI runs the suite as root)")
        for name in ["first", "second"] {
            let image = FileManager.default.temporaryDirectory.appendingPathComponent("node-cache-\(getpid())-\(name).img").path
            XCTAssertTrue(FileManager.default.createFile(atPath: image, contents: Data(count: 1 << 20)))
            images.append(image)
        }
    }

    override func tearDown() {
        for device in attached { _ = try? losetup(["-d", device]) }
        for image in images { try? FileManager.default.removeItem(atPath: image) }
    }

    @discardableResult
    func losetup(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/losetup")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CopyError(.invalid, "losetup \(arguments) failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func identity(_ device: String, _ cache: BlockDeviceNodeCache) throws -> DeviceIdentity {
        let file = try CopyFile.openSource(path: device)
        return DeviceIdentity.of(file, mounts: MountTable.current(), nodes: cache)
    }

    func testADiskSeenAgainIsNotReadAgainAndANewDiskIsRead() throws {
        let device = try losetup(["--find", "--show", images[0]])
        attached.append(device)
        let cache = BlockDeviceNodeCache()

        let first = try identity(device, cache)
        XCTAssertEqual(first.blockDevice?.backingFile, images[0])
        XCTAssertEqual(cache.count, 1)
        let key = try XCTUnwrap(BlockDeviceNodeCache.key(of: try CopyFile.openSource(path: device)))

        // Seen again: the kept tree is what the identity carries (a marked one here).
        var marked = try XCTUnwrap(first.blockDevice)
        marked.backingFile = "/marked/by/the/test"
        cache.remember(marked, for: key)
        XCTAssertEqual(try identity(device, cache).blockDevice?.backingFile, "/marked/by/the/test")

        // The same device number, another disk: read afresh, and kept beside the old.
        try losetup(["-d", device])
        try losetup([device, images[1]])
        let second = try identity(device, cache)
        XCTAssertEqual(second.blockDevice?.backingFile, images[1], "a stale tree was used for a new disk")
        XCTAssertNotEqual(try XCTUnwrap(BlockDeviceNodeCache.key(of: try CopyFile.openSource(path: device))), key)
        XCTAssertEqual(cache.count, 2)

        // Without a cache (a one-shot process), nothing is kept.
        XCTAssertEqual(DeviceIdentity.of(try CopyFile.openSource(path: device), mounts: MountTable.current()).blockDevice?.backingFile, images[1])
    }

    func testAnEntryIsReadAgainOnceItsTimeIsUp() throws {
        let device = try losetup(["--find", "--show", images[0]])
        attached.append(device)
        let cache = BlockDeviceNodeCache(ttl: .zero)
        let key = try XCTUnwrap(BlockDeviceNodeCache.key(of: try CopyFile.openSource(path: device)))
        var marked = try XCTUnwrap(try identity(device, cache).blockDevice)
        marked.backingFile = "/marked/by/the/test"
        cache.remember(marked, for: key)
        XCTAssertEqual(try identity(device, cache).blockDevice?.backingFile, images[0], "an expired entry was used")
    }

    func testOnlyBlockDevicesHaveAKeyAndTheTableIsBounded() throws {
        let file = try CopyFile.openSource(path: images[0])
        XCTAssertNil(BlockDeviceNodeCache.key(of: file))
        let cache = BlockDeviceNodeCache(capacity: 2)
        _ = DeviceIdentity.of(file, mounts: MountTable.current(), nodes: cache)
        XCTAssertEqual(cache.count, 0, "a regular file's tree is not kept")
        let node = BlockDeviceNode(name: "x", device: "1:1", role: .disk, transport: "other", lower: [])
        for sequence in 1...3 { cache.remember(node, for: .init(rdev: 1, diskSequence: UInt64(sequence))) }
        XCTAssertEqual(cache.count, 1, "full at 2: the table starts again")
        XCTAssertNil(cache.node(for: .init(rdev: 1, diskSequence: 1)))
        XCTAssertNotNil(cache.node(for: .init(rdev: 1, diskSequence: 3)))
    }
}
