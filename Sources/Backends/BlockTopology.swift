import Glibc

/// Where a block device sits, from sysfs: the whole disk behind a partition and the
/// partition's start, and for a SCSI disk its generic (sg) node and its cached VPD 0x83
/// page. XCOPY addresses LBAs from the start of the logical unit, so a partition adds
/// its start offset; SG_IO goes to the whole disk (or its sg node), never a partition.
public struct BlockTopology: Sendable, Equatable {
    /// "sda" for /dev/sda1.
    public var disk: String
    /// Partition start in bytes (sysfs `start` counts 512-byte sectors); 0 for a disk.
    public var partitionOffset: UInt64
    public var isPartition: Bool
    /// The sysfs directory of the whole disk, e.g. /sys/devices/.../block/sda.
    public var diskDirectory: String
    /// "/dev/sg2" when the SCSI generic driver has bound the disk.
    public var genericNode: String?
    /// Whether the disk is a SCSI logical unit (sd), as opposed to loop, nvme, virtio ...
    public var isSCSI: Bool

    /// Reads the topology of the block device `rdev` from /sys/dev/block/MAJ:MIN.
    public static func of(rdev: UInt64, sysfs: String = "/sys") -> BlockTopology? {
        let link = "\(sysfs)/dev/block/\(DeviceProbe.deviceString(rdev))"
        let path = realPath(link)
        guard path != link || access(path, F_OK) == 0 else { return nil }
        let isPartition = access("\(path)/partition", F_OK) == 0
        let diskDirectory = isPartition ? parent(of: path) : path
        var offset: UInt64 = 0
        if isPartition, let start = readWholeFile("\(path)/start").flatMap({ UInt64($0.trimmed) }) {
            offset = start * 512
        }
        let disk = basename(of: diskDirectory)
        let device = "\(diskDirectory)/device"
        let isSCSI = access("\(device)/scsi_disk", F_OK) == 0 || access("\(device)/scsi_generic", F_OK) == 0
            || access("\(device)/scsi_level", F_OK) == 0
        var generic: String? = nil
        if let entries = listDirectory("\(device)/scsi_generic"), let sg = entries.first(where: { $0.hasPrefix("sg") }) {
            generic = "/dev/\(sg)"
        }
        return BlockTopology(
            disk: disk, partitionOffset: offset, isPartition: isPartition, diskDirectory: diskDirectory,
            genericNode: generic, isSCSI: isSCSI)
    }

    /// The topology of a SCSI generic node (/dev/sgN, character device `rdev`): the
    /// logical unit as a whole, addressed through the node itself.
    public static func ofSCSIGeneric(rdev: UInt64, sysfs: String = "/sys") -> BlockTopology? {
        let link = "\(sysfs)/dev/char/\(DeviceProbe.deviceString(rdev))"
        let path = realPath(link)
        guard access("\(path)/device", F_OK) == 0 else { return nil }
        let node = basename(of: path)
        return BlockTopology(
            disk: node, partitionOffset: 0, isPartition: false, diskDirectory: path, genericNode: "/dev/\(node)", isSCSI: true)
    }

    /// The topology of either kind of copy endpoint xcopy takes.
    static func of(_ file: CopyFile) -> BlockTopology? {
        if file.kind == .block { return of(rdev: file.rdev) }
        if file.isSCSIGeneric { return ofSCSIGeneric(rdev: file.rdev) }
        return nil
    }

    /// The node SG_IO should go to: the sg node if bound, else the whole disk.
    public var passThroughNode: String { genericNode ?? "/dev/\(disk)" }

    /// The kernel's cached copy of the disk's Device Identification VPD page.
    public var cachedDeviceIdentificationPage: [UInt8]? {
        readBinaryFile("\(diskDirectory)/device/vpd_pg83")
    }

    /// The VPD 0x83 pages of every SCSI device the kernel shows, by sysfs device path,
    /// to find logical units that report the same designator.
    public static func allDeviceIdentificationPages(sysfs: String = "/sys") -> [String: [UInt8]] {
        var pages: [String: [UInt8]] = [:]
        for entry in listDirectory("\(sysfs)/bus/scsi/devices") ?? [] where entry.first?.isNumber == true {
            let device = realPath("\(sysfs)/bus/scsi/devices/\(entry)")
            if let page = readBinaryFile("\(device)/vpd_pg83"), !page.isEmpty { pages[device] = page }
        }
        return pages
    }

    /// The kernel's cached Unit Serial Number VPD page (0x80) of a SCSI device directory.
    public static func unitSerialPage(ofDevice device: String) -> [UInt8]? {
        readBinaryFile("\(device)/vpd_pg80")
    }

    /// The sysfs device directory (…/host0/target0:0:0/0:0:0:1) of this disk.
    public var scsiDeviceDirectory: String { realPath("\(diskDirectory)/device") }
}

func parent(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
}

func basename(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
}

func listDirectory(_ path: String) -> [String]? {
    guard let dir = opendir(path) else { return nil }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}

/// A small file's bytes (sysfs attributes, /proc tables), read to its end.
func readBinaryFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        data.append(contentsOf: chunk[0..<n])
    }
    return data
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
