import Backends
import BuiltInProfiles
import Profiles
import TestSupport
import XCTest

/// Identity and matching on recorded SCSI answers laid out as sysfs shows them, with
/// the built-in profiles: LIO, the arrays, partitions, multipath, mixed stacks.
final class MatchingTests: XCTestCase {
    var scratch: ScratchDirectory!
    var sysfs: FakeSysfs!
    var set: ProfileSet!

    override func setUpWithError() throws {
        scratch = try ScratchDirectory()
        sysfs = FakeSysfs(scratch: scratch)
        set = try ProfileSet.builtIn()
    }

    func blockIdentity(_ device: String) throws -> DeviceIdentity {
        let node = try XCTUnwrap(BlockDeviceNode.read(device: device, sysfs: sysfs.root), "no sysfs entry for \(device)")
        return DeviceIdentity(path: "/dev/test-\(device)", fileType: .block, device: device, blockDevice: node)
    }

    func testLIOLogicalUnitFromRecordedAnswersIsTheLIOProfile() throws {
        try sysfs.scsiDisk("sda", device: "8:0", hctl: "0:0:0:0", inquiry: LIO.Recorded.inquiryA, vpd83: LIO.Recorded.deviceIdentificationA)
        let id = try blockIdentity("8:0")
        let disk = try XCTUnwrap(id.blockDevice)
        XCTAssertEqual(disk.transport, "scsi")
        XCTAssertEqual(disk.role, .disk)
        XCTAssertEqual(disk.scsi?.vendor, "LIO-ORG")
        XCTAssertEqual(disk.scsi?.product, "FILEIO")
        XCTAssertEqual(disk.scsi?.revision, "4.0")
        XCTAssertEqual(disk.scsi?.threePC, true)
        XCTAssertEqual(disk.scsi?.preferredDesignator?.description, "naa.6001405a1ab000000000000000000000")
        XCTAssertEqual(disk.logicalBlockSize, 512)
        XCTAssertEqual(disk.physicalBlockSize, 4096)
        XCTAssertEqual(disk.rotational, false)
        let choice = set.choose(for: id)
        XCTAssertEqual(choice.profile.name, "lio", choice.reason)
        XCTAssertTrue(choice.reason.contains("LIO-ORG"), choice.reason)
        XCTAssertTrue(choice.alsoMatching.contains("generic"))
    }

    func testLIOUnitWithThreePCOffStillMatchesLIOAndSaysSo() throws {
        try sysfs.scsiDisk("sdd", device: "8:48", hctl: "0:0:0:3", inquiry: LIO.Recorded.inquiryD, vpd83: nil)
        let id = try blockIdentity("8:48")
        XCTAssertEqual(id.blockDevice?.scsi?.threePC, false)
        XCTAssertEqual(id.blockDevice?.scsi?.designators, [])
        XCTAssertEqual(set.choose(for: id).profile.name, "lio")
    }

    func testArraysByTheirInquiryStrings() throws {
        let cases: [(String, String, String, String)] = [
            ("PURE", "FlashArray", "8888", "pure-flasharray"),
            ("NETAPP", "LUN C-Mode", "9800", "netapp-ontap"),
            ("DellEMC", "PowerStore", "0", "dell-powerstore"),
            ("DGC", "VRAID", "5100", "dell-unity"),
            ("3PARdata", "VV", "4.4", "hpe-3par-primera"),
            ("IBM", "2145", "0000", "ibm-flashsystem"),
            ("HITACHI", "OPEN-V", "9000", "hitachi-vsp"),
            ("EMC", "SYMMETRIX", "6079", "dell-powermax"),
            // Unity's placeholder LUNZ is no data disk: nothing specific matches it.
            ("DGC", "LUNZ", "5100", "generic"),
            ("ATA", "Samsung SSD 870", "1B6Q", "generic"),
        ]
        for (index, (vendor, product, revision, expected)) in cases.enumerated() {
            let device = "8:\(index * 16)"
            try sysfs.scsiDisk(
                "sd\(index)", device: device, hctl: "0:0:0:\(index)",
                inquiry: Recorded.inquiry(vendor: vendor, product: product, revision: revision), vpd83: nil)
            let choice = set.choose(for: try blockIdentity(device))
            XCTAssertEqual(choice.profile.name, expected, "\(vendor) \(product): \(choice.reason)")
            if expected != "generic" {
                XCTAssertFalse(choice.profile.verified, "\(expected) is not verified on a device here")
                XCTAssertEqual(choice.profile.order, [.xcopy, .aio])
            }
        }
    }

    /// A SCSI disk's vendor, model and revision come from the cached INQUIRY data as
    /// the kernel's vendor/model/rev attributes show them (each field up to a NUL,
    /// trimmed); data too short to hold them leaves the attributes to say.
    func testInquiryStringsReadAsTheKernelPrintsThem() throws {
        var padded = Recorded.inquiry(vendor: "ACME", product: "Box", revision: "1")
        padded.replaceSubrange(8..<16, with: Array("ACME".utf8) + [0, 0x41, 0x41, 0x41])  // "%.8s" stops at the NUL
        padded.replaceSubrange(32..<36, with: [0x20, 0x32, 0x20, 0x20])
        try sysfs.scsiDisk("sda", device: "8:0", hctl: "0:0:0:0", inquiry: padded, vpd83: nil)
        let disk = try XCTUnwrap(try blockIdentity("8:0").blockDevice)
        XCTAssertEqual(disk.vendor, "ACME")
        XCTAssertEqual(disk.model, "Box")
        XCTAssertEqual(disk.revision, "2")

        try sysfs.scsiDisk(
            "sdb", device: "8:16", hctl: "0:0:0:1", inquiry: Recorded.inquiry(vendor: "FULL", product: "Data", revision: "9"), vpd83: nil)
        let unit = "sys/devices/platform/host0/target0:0:0/0:0:0:1"
        _ = try scratch.write("\(unit)/inquiry", Array(Recorded.inquiry(vendor: "SHORT", product: "X", revision: "0")[0..<20]))
        _ = try scratch.write("\(unit)/vendor", "FROMATTR\n")
        _ = try scratch.write("\(unit)/model", "Model Attr      \n")
        let short = try XCTUnwrap(try blockIdentity("8:16").blockDevice)
        XCTAssertEqual(short.vendor, "FROMATTR")
        XCTAssertEqual(short.model, "Model Attr")
        XCTAssertEqual(short.revision, "9")
    }

    /// Choosing decides with `matches`, wording with `evaluate`: the two agree for every
    /// built-in profile on disks, stacks, partitions, loops and files.
    func testMatchesAgreesWithEvaluateEverywhere() throws {
        try sysfs.scsiDisk("sda", device: "8:0", hctl: "0:0:0:0", inquiry: LIO.Recorded.inquiryA, vpd83: LIO.Recorded.deviceIdentificationA)
        try sysfs.scsiDisk(
            "sdb", device: "8:16", hctl: "1:0:0:0", inquiry: Recorded.inquiry(vendor: "PURE", product: "FlashArray", revision: "8888"),
            vpd83: nil)
        try sysfs.scsiDisk(
            "sdc", device: "8:32", hctl: "2:0:0:0", inquiry: Recorded.inquiry(vendor: "NETAPP", product: "LUN C-Mode", revision: "9800"),
            vpd83: nil)
        try sysfs.partition(of: "sda", diskDevice: "8:0", name: "sda1", device: "8:1", startSector: 2048)
        try sysfs.mapper("dm-0", device: "253:0", mapperName: "mixed", slaves: [("sda", "8:0"), ("sdb", "8:16")])
        try sysfs.loop("loop7", device: "7:7", backingFile: "/var/tmp/disk.img")
        // An NVMe namespace whose controller reports an array's strings: only the
        // transport rule keeps it from that array's profile.
        let controller = "sys/devices/pci0000:00/nvme/nvme0"
        _ = try scratch.write("\(controller)/nvme0n1/dev", "259:0\n")
        _ = try scratch.write("\(controller)/vendor", "PURE\n")
        _ = try scratch.write("\(controller)/model", "FlashArray\n")
        _ = try scratch.write("\(controller)/rev", "8888\n")
        try scratch.symlink("\(controller)/nvme0n1/device", to: "..")
        try scratch.symlink("sys/dev/block/259:0", to: "../../../\(controller)/nvme0n1")
        var identities = try ["8:0", "8:16", "8:32", "8:1", "253:0", "7:7", "259:0"].map(blockIdentity)
        XCTAssertEqual(identities.last?.blockDevice?.transport, "nvme")
        XCTAssertEqual(identities.last?.blockDevice?.vendor, "PURE")
        for fstype in ["btrfs", "xfs", "ext4", "tmpfs", "nfs4", "cifs", "zfs"] {
            identities.append(identity("/x", fstype: fstype))
            identities.append(identity("/x", fstype: fstype, disk: identities[0].blockDevice))
        }
        identities.append(identity("/dev/x", fileType: .block, fstype: "xfs"))
        identities.append(identity("/dev/y", fileType: .block, disk: identities[1].blockDevice))
        var matched = 0
        for id in identities {
            for profile in set.profiles {
                let evaluated: Bool
                if case .match = profile.match.evaluate(id) { evaluated = true } else { evaluated = false }
                XCTAssertEqual(profile.match.matches(id, leaves: id.leaves), evaluated, "\(profile.name) on \(id.path) \(id.device)")
                if evaluated { matched += 1 }
            }
        }
        XCTAssertGreaterThan(matched, identities.count, "some specific profiles matched, not only the catch-all")
    }

    func testPartitionIsMatchedByItsWholeDisk() throws {
        try sysfs.scsiDisk("sda", device: "8:0", hctl: "0:0:0:0", inquiry: LIO.Recorded.inquiryA, vpd83: LIO.Recorded.deviceIdentificationA)
        try sysfs.partition(of: "sda", diskDevice: "8:0", name: "sda1", device: "8:1", startSector: 2048)
        let id = try blockIdentity("8:1")
        XCTAssertEqual(id.blockDevice?.role, .partition)
        XCTAssertEqual(id.blockDevice?.lower.map(\.name), ["sda"])
        XCTAssertEqual(id.leaves.map(\.name), ["sda"])
        XCTAssertEqual(set.choose(for: id).profile.name, "lio")
    }

    func testMultipathOverTwoPathsOfOneUnitMatchesAndMixedStacksFallToGeneric() throws {
        try sysfs.scsiDisk("sda", device: "8:0", hctl: "0:0:0:0", inquiry: LIO.Recorded.inquiryA, vpd83: LIO.Recorded.deviceIdentificationA)
        try sysfs.scsiDisk("sdb", device: "8:16", hctl: "1:0:0:0", inquiry: LIO.Recorded.inquiryA, vpd83: LIO.Recorded.deviceIdentificationA)
        try sysfs.scsiDisk(
            "sdc", device: "8:32", hctl: "2:0:0:0", inquiry: Recorded.inquiry(vendor: "PURE", product: "FlashArray", revision: "8888"),
            vpd83: nil)
        try sysfs.mapper("dm-0", device: "253:0", mapperName: "mpatha", slaves: [("sda", "8:0"), ("sdb", "8:16")])
        try sysfs.mapper("dm-1", device: "253:1", mapperName: "vg-striped", slaves: [("sda", "8:0"), ("sdc", "8:32")])
        let multipath = try blockIdentity("253:0")
        XCTAssertEqual(multipath.blockDevice?.role, .deviceMapper)
        XCTAssertEqual(multipath.blockDevice?.mapperName, "mpatha")
        XCTAssertEqual(multipath.leaves.map(\.name), ["sda", "sdb"])
        XCTAssertEqual(set.choose(for: multipath).profile.name, "lio")
        let mixed = try blockIdentity("253:1")
        let choice = set.choose(for: mixed)
        XCTAssertEqual(choice.profile.name, "generic", choice.reason)
        XCTAssertTrue(choice.rejected.contains { $0.profile == "lio" && $0.why.contains("'PURE'") }, "\(choice.rejected)")
    }

    func testLoopDeviceRecordsItsBackingFileAndIsGeneric() throws {
        try sysfs.loop("loop7", device: "7:7", backingFile: "/var/tmp/disk.img")
        let id = try blockIdentity("7:7")
        XCTAssertEqual(id.blockDevice?.role, .loop)
        XCTAssertEqual(id.blockDevice?.transport, "loop")
        XCTAssertEqual(id.blockDevice?.backingFile, "/var/tmp/disk.img")
        XCTAssertEqual(set.choose(for: id).profile.name, "generic")
    }

    func testNoSysfsEntryIsNoBlockDevice() {
        XCTAssertNil(BlockDeviceNode.read(device: "0:55", sysfs: sysfs.root), "btrfs' anonymous device numbers have no entry")
    }

    func testFilesByFilesystemType() {
        for (fstype, expected) in [
            ("btrfs", "btrfs"), ("xfs", "xfs"), ("ext4", "ext4"), ("tmpfs", "tmpfs"), ("nfs4", "nfs4"), ("cifs", "cifs"),
            ("smb3", "cifs"), ("zfs", "generic"),
        ] {
            XCTAssertEqual(set.choose(for: identity("/x", fstype: fstype)).profile.name, expected, fstype)
        }
        // A filesystem type names the filesystem holding a file, never a device copied raw.
        XCTAssertEqual(set.choose(for: identity("/dev/x", fileType: .block, fstype: "xfs")).profile.name, "generic")
    }

    func testMountTableGivesTheFilesystemOfAFile() {
        let table = MountTable(parsing: """
            22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
            90 22 0:51 / /mnt/b rw,relatime shared:40 - btrfs /dev/loop3 rw,space_cache=v2
            91 22 0:52 / /srv/nfs rw,relatime shared:41 - nfs4 server:/export rw,vers=4.2
            """)
        XCTAssertEqual(table.mount(forPath: "/mnt/b/file", device: "0:51")?.fstype, "btrfs")
        XCTAssertEqual(table.mount(forPath: "/srv/nfs/vm.img", device: "0:52")?.fstype, "nfs4")
        XCTAssertEqual(table.mount(forPath: "/etc/passwd", device: "254:0")?.fstype, "ext4")
    }
}
