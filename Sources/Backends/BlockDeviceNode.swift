import Glibc
import XCopy

/// One block device under a file or device, from sysfs, with the devices it is built
/// on: a partition sits on its whole disk, a loop device on its backing file, a
/// device-mapper or md device on its slaves. Profiles match the leaves of this tree
/// (the disks that hold the data).
public struct BlockDeviceNode: Sendable, Equatable {
    public enum Role: String, Sendable {
        case disk, partition, loop
        case deviceMapper = "device-mapper"
        case md
    }

    /// The kernel's name: "sda1", "loop3", "dm-0".
    public var name: String
    /// "major:minor".
    public var device: String
    public var role: Role
    /// How the disk is attached: "scsi", "nvme", "virtio", "loop", "device-mapper",
    /// "md", "mmc", "nbd", "other".
    public var transport: String
    /// sysfs `device/vendor`, `device/model`, `device/rev` (for SCSI disks the kernel's
    /// copy of the INQUIRY strings, trimmed).
    public var vendor: String?
    public var model: String?
    public var revision: String?
    public var logicalBlockSize: Int?
    public var physicalBlockSize: Int?
    public var rotational: Bool?
    /// A loop device's backing file (`loop/backing_file`).
    public var backingFile: String?
    /// A device-mapper device's name and uuid (`dm/name`, `dm/uuid`).
    public var mapperName: String?
    public var mapperUUID: String?
    /// For a SCSI disk: the standard INQUIRY data and VPD page 0x83 the kernel keeps
    /// (`device/inquiry`, `device/vpd_pg83`), decoded.
    public var scsi: SCSIIdentity?
    /// What this device is built on: the whole disk of a partition, the slaves of a
    /// device-mapper or md device. Empty for a disk and a loop device.
    public var lower: [BlockDeviceNode]

    /// The devices at the bottom of the tree (this one if nothing is below it).
    public var leaves: [BlockDeviceNode] {
        lower.isEmpty ? [self] : lower.flatMap(\.leaves)
    }

    /// Reads the device `major:minor` from `sysfs` and everything below it. Nil when
    /// sysfs has no such block device (an anonymous device number, as btrfs reports).
    public static func read(device: String, sysfs: String = "/sys") -> BlockDeviceNode? {
        read(device: device, sysfs: sysfs, depth: 0)
    }

    /// Reads the device whose sysfs directory is already open (a copy endpoint's, see
    /// `CopyFile.sysfsDirectory`) and everything below it.
    static func read(_ directory: SysfsDirectory, device: String, sysfs: String = "/sys") -> BlockDeviceNode {
        read(directory, device: device, sysfs: sysfs, depth: 0)
    }

    /// Device stacks are shallow; the bound only guards against a sysfs loop.
    private static let maxDepth = 8

    private static func read(device: String, sysfs: String, depth: Int) -> BlockDeviceNode? {
        let link = "\(sysfs)/dev/block/\(device)"
        // A link that resolves exists; only an unresolved one needs asking.
        let path = resolvedSysfsPath(link)
        guard path != link || access(link, F_OK) == 0 else { return nil }
        return read(directory: path, device: device, sysfs: sysfs, depth: depth)
    }

    /// Reads the node at `path` with its attributes looked up relative to the directory
    /// (and to its disk's `device` directory), not walked from / each time. `device`
    /// nil: read from the directory's `dev`.
    private static func read(directory path: String, device: String?, sysfs: String, depth: Int) -> BlockDeviceNode {
        let name = basename(of: path)
        guard let directory = SysfsDirectory(path: path) else {
            // Gone between the lookup and now (hot removal): what the name tells.
            let role: Role = name.hasPrefix("loop") ? .loop : name.hasPrefix("dm-") ? .deviceMapper : .disk
            return BlockDeviceNode(
                name: name, device: device ?? "", role: role, transport: transport(ofDisk: name, unit: nil, role: role), lower: [])
        }
        return read(directory, device: device, sysfs: sysfs, depth: depth)
    }

    private static func read(_ directory: SysfsDirectory, device: String?, sysfs: String, depth: Int) -> BlockDeviceNode {
        let name = basename(of: directory.path)
        let isPartition = directory.has("partition")
        let role: Role =
            isPartition ? .partition
            : name.hasPrefix("loop") ? .loop
            : name.hasPrefix("dm-") ? .deviceMapper
            : name.hasPrefix("md") && directory.has("md") ? .md
            : .disk
        let disk = isPartition ? SysfsDirectory(path: parent(of: directory.path)) ?? directory : directory
        let unit = SysfsDirectory(disk, "device")
        let transport = transport(ofDisk: basename(of: disk.path), unit: unit, role: role)
        // A partition has no device attributes of its own: its identity is the disk's,
        // read once, for the disk's node below it.
        let own = isPartition ? nil : unit
        // A SCSI disk's vendor, model and rev attributes are the kernel's copies of
        // INQUIRY bytes 8..35 (sdev->vendor, ->model, ->rev point into sdev->inquiry):
        // taken from the `inquiry` attribute read anyway, three attribute reads fewer.
        let inquiry = transport == "scsi" ? own?.bytes("inquiry") : nil
        let fields = inquiry.flatMap(InquiryStrings.init)
        var node = BlockDeviceNode(
            name: name, device: device ?? directory.text("dev") ?? "", role: role, transport: transport,
            vendor: fields.map(\.vendor) ?? own?.text("vendor"), model: fields.map(\.model) ?? own?.text("model"),
            revision: fields.map(\.revision) ?? own.flatMap { $0.text("rev") ?? $0.text("firmware_rev") },
            logicalBlockSize: disk.text("queue/logical_block_size").flatMap { Int($0) },
            physicalBlockSize: disk.text("queue/physical_block_size").flatMap { Int($0) },
            rotational: disk.text("queue/rotational").map { $0 == "1" },
            backingFile: role == .loop ? directory.text("loop/backing_file") : nil,
            mapperName: role == .deviceMapper ? directory.text("dm/name") : nil,
            mapperUUID: role == .deviceMapper ? directory.text("dm/uuid") : nil,
            scsi: nil, lower: [])
        if let inquiry, let own { node.scsi = SCSIIdentity.read(inquiry: inquiry, unit: own) }
        guard depth < maxDepth else { return node }
        if isPartition {
            node.lower = [read(disk, device: nil, sysfs: sysfs, depth: depth + 1)]
        } else {
            for slave in directory.list("slaves") ?? [] {
                let slaveDirectory = resolvedSysfsPath("\(directory.path)/slaves/\(slave)")
                node.lower.append(read(directory: slaveDirectory, device: nil, sysfs: sysfs, depth: depth + 1))
            }
        }
        return node
    }

    /// How the disk named `name` is attached; `unit` is its `device` directory.
    private static func transport(ofDisk name: String, unit: SysfsDirectory?, role: Role) -> String {
        switch role {
        case .loop: return "loop"
        case .deviceMapper: return "device-mapper"
        case .md: return "md"
        case .disk, .partition: break
        }
        if let unit, unit.has("scsi_level") || unit.has("scsi_disk") { return "scsi" }
        if name.hasPrefix("nvme") { return "nvme" }
        if name.hasPrefix("vd") { return "virtio" }
        if name.hasPrefix("mmcblk") { return "mmc" }
        if name.hasPrefix("nbd") { return "nbd" }
        return "other"
    }
}

/// What a SCSI logical unit says about itself: the standard INQUIRY data and the
/// Device Identification VPD page, as the kernel cached them at scan time (sysfs
/// `inquiry` and `vpd_pg83`), so identifying a device sends it no command.
public struct SCSIIdentity: Sendable, Equatable {
    public var vendor: String
    public var product: String
    public var revision: String
    public var peripheralDeviceType: UInt8
    /// INQUIRY byte 5 bit 3: the unit supports EXTENDED COPY.
    public var threePC: Bool
    public var designators: [Designator]

    public init(inquiry: StandardInquiry, designators: [Designator]) {
        vendor = inquiry.vendor
        product = inquiry.product
        revision = inquiry.revision
        peripheralDeviceType = inquiry.peripheralDeviceType
        threePC = inquiry.threePC
        self.designators = designators
    }

    /// Decodes recorded answers: standard INQUIRY data and a VPD page 0x83 (which may
    /// be absent or unreadable: the designators are then empty).
    public init(inquiryBytes: [UInt8], deviceIdentificationPage: [UInt8]?) throws(SCSIError) {
        let inquiry = try StandardInquiry(bytes: inquiryBytes)
        let designators = deviceIdentificationPage.flatMap { try? Designator.parsePage($0) } ?? []
        self.init(inquiry: inquiry, designators: designators)
    }

    /// The logical unit's preferred designator (NAA, else EUI-64, else T10 vendor id).
    public var preferredDesignator: Designator? { designators.preferredLogicalUnit }

    /// Reads `inquiry` and `vpd_pg83` of a SCSI device directory (…/0:0:0:1).
    public static func read(deviceDirectory: String) -> SCSIIdentity? {
        SysfsDirectory(path: deviceDirectory).flatMap(read)
    }

    static func read(_ unit: SysfsDirectory) -> SCSIIdentity? {
        unit.bytes("inquiry").flatMap { read(inquiry: $0, unit: unit) }
    }

    /// Decodes `inquiry` (the unit's `inquiry` attribute) with the unit's `vpd_pg83`.
    static func read(inquiry: [UInt8], unit: SysfsDirectory) -> SCSIIdentity? {
        guard !inquiry.isEmpty else { return nil }
        return try? SCSIIdentity(inquiryBytes: inquiry, deviceIdentificationPage: unit.bytes("vpd_pg83"))
    }
}

/// The vendor, product and revision strings of standard INQUIRY data as the kernel's
/// sysfs attributes show them: each field up to its first NUL (they are printed with
/// "%.Ns"), trimmed, nil when empty. Nil for data shorter than the 36 bytes that hold
/// them (the kernel then pads its own copy with spaces; its attributes are read instead).
struct InquiryStrings {
    var vendor: String?
    var model: String?
    var revision: String?

    init?(_ inquiry: [UInt8]) {
        guard inquiry.count >= 36 else { return nil }
        vendor = Self.field(inquiry[8..<16])
        model = Self.field(inquiry[16..<32])
        revision = Self.field(inquiry[32..<36])
    }

    private static func field(_ bytes: ArraySlice<UInt8>) -> String? {
        let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self).trimmed
        return text.isEmpty ? nil : text
    }
}
