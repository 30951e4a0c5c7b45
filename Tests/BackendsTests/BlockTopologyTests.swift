import Backends
import Glibc
import XCTest

/// BlockTopology on a sysfs-shaped tree of real directories and relative links, as the
/// kernel lays it out for a SCSI disk with a partition: the one-readlink resolution of
/// /sys/dev/block links lands where realpath(3) does, and the SCSI address, sg node and
/// partition start come out right.
final class BlockTopologyTests: XCTestCase {
    private var scratch: Scratch!
    private var sysfs: String { scratch.file("sys") }
    private let unit = "devices/platform/host0/target0:0:1/0:0:1:0"

    override func setUpWithError() throws {
        scratch = try Scratch()
        for directory in [
            "\(unit)/block/sda/sda1", "\(unit)/scsi_disk/0:0:1:0", "\(unit)/scsi_generic/sg3", "dev/block", "dev/char", "bus/scsi/devices",
            "devices/platform/host0/target0:0:1/0:0:1:1/block/sdb", "devices/platform/host0/target0:0:1/0:0:1:1/scsi_disk",
        ] {
            try makeDirectories(directory)
        }
        try link("dev/block/8:0", "../../\(unit)/block/sda")
        try link("dev/block/8:1", "../../\(unit)/block/sda/sda1")
        try link("dev/block/8:16", "../../devices/platform/host0/target0:0:1/0:0:1:1/block/sdb")
        try link("dev/char/21:3", "../../\(unit)/scsi_generic/sg3")
        try link("\(unit)/block/sda/device", "../../../0:0:1:0")
        try link("\(unit)/scsi_generic/sg3/device", "../../../0:0:1:0")
        try link("devices/platform/host0/target0:0:1/0:0:1:1/block/sdb/device", "../../../0:0:1:1")
        try link("bus/scsi/devices/0:0:1:0", "../../../\(unit)")
        try link("bus/scsi/devices/0:0:1:1", "../../../devices/platform/host0/target0:0:1/0:0:1:1")
        try link("bus/scsi/devices/host0", "../../../devices/platform/host0")
        try scratch.write("sys/\(unit)/block/sda/sda1/partition", Array("1\n".utf8))
        try scratch.write("sys/\(unit)/block/sda/sda1/start", Array("2048\n".utf8))
        try scratch.write("sys/\(unit)/vpd_pg83", [0x00, 0x83, 0x00, 0x04, 1, 2, 3, 4])
        try scratch.write("sys/devices/platform/host0/target0:0:1/0:0:1:1/vpd_pg83", [0x00, 0x83, 0x00, 0x02, 9, 9])
        try scratch.write("sys/devices/platform/host0/vpd_pg83", [0xFF])
    }

    private func makeDirectories(_ relative: String) throws {
        var path = sysfs
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw POSIXError(.EIO) }
        for component in relative.split(separator: "/") {
            path += "/\(component)"
            guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw POSIXError(.EIO) }
        }
    }

    private func link(_ relative: String, _ target: String) throws {
        guard symlink(target, "\(sysfs)/\(relative)") == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
    }

    private func device(_ major: UInt64, _ minor: UInt64) -> UInt64 { (major << 8) | minor }

    private func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return "(realpath failed for \(path))" }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    func testPartitionResolvesToItsDiskTheWayRealpathDoes() throws {
        let topology = try XCTUnwrap(BlockTopology.of(rdev: device(8, 1), sysfs: sysfs))
        XCTAssertEqual(topology.diskDirectory, realPath("\(sysfs)/\(unit)/block/sda"))
        XCTAssertEqual(topology.disk, "sda")
        XCTAssertTrue(topology.isPartition)
        XCTAssertEqual(topology.partitionOffset, 2048 * 512)
        XCTAssertTrue(topology.isSCSI)
        XCTAssertEqual(topology.genericNode, "/dev/sg3")
        XCTAssertEqual(topology.scsiAddress, "0:0:1:0")
    }

    func testWholeDiskAndSCSIGenericNode() throws {
        let disk = try XCTUnwrap(BlockTopology.of(rdev: device(8, 0), sysfs: sysfs))
        XCTAssertEqual(disk.diskDirectory, realPath("\(sysfs)/dev/block/8:0"))
        XCTAssertFalse(disk.isPartition)
        XCTAssertEqual(disk.partitionOffset, 0)
        let other = try XCTUnwrap(BlockTopology.of(rdev: device(8, 16), sysfs: sysfs))
        XCTAssertEqual(other.scsiAddress, "0:0:1:1")
        XCTAssertNil(other.genericNode)
        let generic = try XCTUnwrap(BlockTopology.ofSCSIGeneric(rdev: device(21, 3), sysfs: sysfs))
        XCTAssertEqual(generic.diskDirectory, realPath("\(sysfs)/dev/char/21:3"))
        XCTAssertEqual(generic.passThroughNode, "/dev/sg3")
        XCTAssertEqual(generic.scsiAddress, "0:0:1:0")
    }

    /// A link whose target is not "../" steps followed by plain names is resolved the
    /// general way, with the same result.
    func testUnusualLinkTargetsStillResolve() throws {
        try link("dev/block/8:2", "../../\(unit)/./block/../block/sda/sda1")
        let topology = try XCTUnwrap(BlockTopology.of(rdev: device(8, 2), sysfs: sysfs))
        XCTAssertEqual(topology.diskDirectory, realPath("\(sysfs)/\(unit)/block/sda"))
        XCTAssertEqual(topology.partitionOffset, 2048 * 512)
        XCTAssertNil(BlockTopology.of(rdev: device(8, 99), sysfs: sysfs), "no such device")
    }

    /// A disk's SCSI address is the name of the unit directory it sits in; a disk whose
    /// directory has another shape is asked through its `device` link.
    func testSCSIAddressFromTheDiskDirectoryOrItsLink() throws {
        try makeDirectories("devices/platform/host0/target0:0:1/0:0:1:7/block/sdh")
        try link("dev/block/8:112", "../../devices/platform/host0/target0:0:1/0:0:1:7/block/sdh")
        let unlinked = try XCTUnwrap(BlockTopology.of(rdev: device(8, 112), sysfs: sysfs))
        XCTAssertEqual(unlinked.scsiAddress, "0:0:1:7", "no `device` link needed")
        try makeDirectories("devices/virtual/block/sdz")
        try makeDirectories("devices/platform/host0/target0:0:1/0:0:1:9")
        try link("devices/virtual/block/sdz/device", "../../../platform/host0/target0:0:1/0:0:1:9")
        try link("dev/block/8:240", "../../devices/virtual/block/sdz")
        let elsewhere = try XCTUnwrap(BlockTopology.of(rdev: device(8, 240), sysfs: sysfs))
        XCTAssertEqual(elsewhere.scsiAddress, "0:0:1:9", "from the link")
    }

    func testDeviceIdentificationPagesLeaveOutTheExcludedUnitsUnread() throws {
        var seen: [String] = []
        BlockTopology.forEachDeviceIdentificationPage(sysfs: sysfs, excluding: ["0:0:1:0"]) { address, _ in seen.append(address) }
        XCTAssertEqual(seen, ["0:0:1:1"])
    }

    /// The units of the disk's own target are read relative to the target's directory,
    /// the others through /sys/bus/scsi/devices: the same pages either way.
    func testDeviceIdentificationPagesNearTheTargetAreTheSame() throws {
        try makeDirectories("devices/platform/host0/target0:0:2/0:0:2:0")
        try link("bus/scsi/devices/0:0:2:0", "../../../devices/platform/host0/target0:0:2/0:0:2:0")
        try scratch.write("sys/devices/platform/host0/target0:0:2/0:0:2:0/vpd_pg83", [0x00, 0x83, 0x00, 0x01, 7])
        let disk = try XCTUnwrap(BlockTopology.of(rdev: device(8, 16), sysfs: sysfs))
        XCTAssertEqual(disk.targetDirectory, realPath("\(sysfs)/devices/platform/host0/target0:0:1"))
        XCTAssertEqual(try XCTUnwrap(BlockTopology.of(rdev: device(8, 1), sysfs: sysfs)).targetDirectory, disk.targetDirectory)
        var plain: [String: [UInt8]] = [:]
        BlockTopology.forEachDeviceIdentificationPage(sysfs: sysfs) { plain[$0] = $1 }
        var near: [String: [UInt8]] = [:]
        BlockTopology.forEachDeviceIdentificationPage(sysfs: sysfs, target: disk.targetDirectory) { near[$0] = $1 }
        XCTAssertEqual(Set(plain.keys), ["0:0:1:0", "0:0:1:1", "0:0:2:0"])
        XCTAssertEqual(near, plain)
        // A directory of another shape has no target directory.
        try makeDirectories("devices/virtual/block/sdz")
        try link("dev/block/8:240", "../../devices/virtual/block/sdz")
        XCTAssertNil(try XCTUnwrap(BlockTopology.of(rdev: device(8, 240), sysfs: sysfs)).targetDirectory)
    }

    func testDeviceIdentificationPagesOfLogicalUnitsOnly() throws {
        var seen: [String] = []
        var pages: [[UInt8]] = []
        BlockTopology.forEachDeviceIdentificationPage(sysfs: sysfs) { address, page in
            seen.append(address)
            pages.append(page)
        }
        XCTAssertEqual(seen, ["0:0:1:0", "0:0:1:1"], "host0 is no logical unit")
        XCTAssertEqual(pages, [[0x00, 0x83, 0x00, 0x04, 1, 2, 3, 4], [0x00, 0x83, 0x00, 0x02, 9, 9]])
    }
}
