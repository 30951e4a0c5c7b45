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
    /// The node of a SCSI generic device itself (/dev/sgN); nil for a block device, whose
    /// sg node is looked up only when asked for (`genericNode`).
    var knownGenericNode: String?
    /// Whether the disk is a SCSI logical unit (sd), as opposed to loop, nvme, virtio ...
    public var isSCSI: Bool

    /// "/dev/sg2" when the SCSI generic driver has bound the disk. Looked up in sysfs on
    /// each use: a copy of a whole disk sends its commands through its own descriptor and
    /// never needs it.
    public var genericNode: String? {
        if let knownGenericNode { return knownGenericNode }
        guard isSCSI, let entries = listDirectory("\(diskDirectory)/device/scsi_generic") else { return nil }
        return entries.first { $0.hasPrefix("sg") }.map { "/dev/\($0)" }
    }

    /// Reads the topology of the block device `rdev` from /sys/dev/block/MAJ:MIN.
    public static func of(rdev: UInt64, sysfs: String = "/sys") -> BlockTopology? {
        SysfsDirectory(blockDevice: DeviceProbe.deviceString(rdev), sysfs: sysfs).map(of(directory:))
    }

    /// The topology of the block device whose sysfs directory is `directory`.
    static func of(directory: SysfsDirectory) -> BlockTopology {
        let isPartition = directory.has("partition")
        let diskDirectory = isPartition ? parent(of: directory.path) : directory.path
        var offset: UInt64 = 0
        if isPartition, let start = directory.text("start").flatMap({ UInt64($0) }) {
            offset = start * 512
        }
        let disk = basename(of: diskDirectory)
        // Relative to the unit's directory: each absolute path would be walked from /.
        let unit = isPartition ? SysfsDirectory(path: diskDirectory + "/device") : SysfsDirectory(directory, "device")
        let isSCSI = unit.map { $0.has("scsi_disk") || $0.has("scsi_generic") || $0.has("scsi_level") } ?? false
        return BlockTopology(
            disk: disk, partitionOffset: offset, isPartition: isPartition, diskDirectory: diskDirectory, knownGenericNode: nil,
            isSCSI: isSCSI)
    }

    /// The topology of a SCSI generic node (/dev/sgN, character device `rdev`): the
    /// logical unit as a whole, addressed through the node itself.
    public static func ofSCSIGeneric(rdev: UInt64, sysfs: String = "/sys") -> BlockTopology? {
        let link = "\(sysfs)/dev/char/\(DeviceProbe.deviceString(rdev))"
        let path = resolvedSysfsPath(link)
        guard access("\(path)/device", F_OK) == 0 else { return nil }
        let node = basename(of: path)
        return BlockTopology(
            disk: node, partitionOffset: 0, isPartition: false, diskDirectory: path, knownGenericNode: "/dev/\(node)", isSCSI: true)
    }

    /// The topology of either kind of copy endpoint xcopy takes.
    static func of(_ file: CopyFile) -> BlockTopology? {
        if file.kind == .block { return file.sysfsDirectory.map(of(directory:)) }
        if file.isSCSIGeneric { return ofSCSIGeneric(rdev: file.rdev) }
        return nil
    }

    /// The node SG_IO should go to: the sg node if bound, else the whole disk.
    public var passThroughNode: String { genericNode ?? "/dev/\(disk)" }

    /// The kernel's cached copy of the disk's Device Identification VPD page.
    public var cachedDeviceIdentificationPage: [UInt8]? {
        readBinaryFile("\(diskDirectory)/device/vpd_pg83")
    }

    /// Calls `body` with the SCSI address (H:C:T:L, the name under /sys/bus/scsi/devices)
    /// and the kernel's cached VPD 0x83 page of every SCSI device the kernel shows, to
    /// find logical units that report the same designator. (A callback rather than a
    /// returned collection: a dictionary or array of a new element type costs the
    /// runtime a metadata instantiation, and a dictionary a scan of every protocol
    /// conformance record, at each start.)
    ///
    /// The units at the addresses in `excluded` are left out without reading their
    /// pages: each read through /sys/bus/scsi/devices crosses a link to a path a dozen
    /// components deep. The units of `target` (a SCSI target's directory, see
    /// `targetDirectory`), usually the other LUNs of the same array port, are read
    /// relative to it instead, two components down.
    public static func forEachDeviceIdentificationPage<E: Error>(
        sysfs: String = "/sys", excluding excluded: [String] = [], target: String? = nil,
        _ body: (_ address: String, _ page: [UInt8]) throws(E) -> Void
    ) throws(E) {
        guard let devices = SysfsDirectory(path: "\(sysfs)/bus/scsi/devices") else { return }
        // "target0:0:1" holds the units "0:0:1:*".
        let near = target.flatMap { path in SysfsDirectory(path: path).map { ($0, String(basename(of: path).dropFirst(6)) + ":") } }
        for entry in devices.list(".") ?? [] where entry.utf8.first.map(isASCIIDigit) == true && !excluded.contains(entry) {
            var page: [UInt8]? = nil
            if let (directory, prefix) = near, entry.hasPrefix(prefix) { page = directory.bytes("\(entry)/vpd_pg83") }
            if page == nil { page = devices.bytes("\(entry)/vpd_pg83") }
            if let page, !page.isEmpty { try body(entry, page) }
        }
    }

    /// The kernel's cached Unit Serial Number VPD page (0x80) of the SCSI device at
    /// `address` (H:C:T:L).
    public static func unitSerialPage(ofAddress address: String, sysfs: String = "/sys") -> [UInt8]? {
        readBinaryFile("\(sysfs)/bus/scsi/devices/\(address)/vpd_pg80")
    }

    /// The SCSI address (H:C:T:L) of this disk's logical unit: the name its `device`
    /// link points to. The kernel places a SCSI disk's directory (and an sg node's) in
    /// its logical unit's, as …/0:0:1:0/block/sda (…/0:0:1:0/scsi_generic/sg2), so a
    /// resolved directory names the unit without a system call; any other shape is
    /// asked with one readlink.
    public var scsiAddress: String {
        addressFromDirectory ?? basename(of: readLink("\(diskDirectory)/device") ?? realPath("\(diskDirectory)/device"))
    }

    /// The unit's address when the directory has that shape.
    private var addressFromDirectory: String? {
        let above = parent(of: diskDirectory)
        let kind = basename(of: above)
        guard kind == "block" || kind == "scsi_generic" else { return nil }
        let unit = basename(of: parent(of: above))
        return isSCSIAddress(unit) ? unit : nil
    }

    /// The directory of the SCSI target the unit belongs to (…/target0:0:1, which holds
    /// the units 0:0:1:*), when the disk's directory has the kernel's shape
    /// …/targetH:C:T/H:C:T:L/block/sdX; nil otherwise.
    public var targetDirectory: String? {
        guard let address = addressFromDirectory, let lastColon = address.utf8.lastIndex(of: UInt8(ascii: ":")) else { return nil }
        let target = parent(of: parent(of: parent(of: diskDirectory)))
        return basename(of: target) == "target" + address[..<lastColon] ? target : nil
    }
}

/// Whether `name` has the form of a SCSI address: four decimal numbers joined by colons.
private func isSCSIAddress(_ name: String) -> Bool {
    var fields = 1
    var digits = 0
    for byte in name.utf8 {
        if byte == UInt8(ascii: ":") {
            guard digits > 0 else { return false }
            fields += 1
            digits = 0
        } else if isASCIIDigit(byte) {
            digits += 1
        } else {
            return false
        }
    }
    return fields == 4 && digits > 0
}

private func isASCIIDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

/// Where a sysfs link such as /sys/dev/block/8:1 leads ("../../devices/…/block/sda/sda1"
/// resolved against the link's directory), with one readlink: the kernel writes these
/// targets as leading "../" steps and then real directories, so this is what
/// realpath(3) finds with a readlink per path component. Nil when `link` is no link or
/// its target has any other "." or ".." component (the caller then takes realpath).
/// Works on bytes: Character-wise string scanning cost more than the system calls saved.
func resolveSysfsLink(_ link: String) -> String? {
    guard let target = readLinkBytes(link), target.first != slash else { return nil }
    var directory = Array(link.utf8)
    func dropLastComponent() -> Bool {
        guard let last = directory.lastIndex(of: slash) else { return false }
        directory.removeSubrange(last...)
        return true
    }
    guard dropLastComponent() else { return nil }
    var start = 0
    while target[start...].starts(with: [dot, dot, slash]) {
        guard dropLastComponent() else { return nil }
        start += 3
    }
    guard !hasDotComponent(target[start...]) else { return nil }
    directory.append(slash)
    directory.append(contentsOf: target[start...])
    return String(decoding: directory, as: UTF8.self)
}

private let slash = UInt8(ascii: "/")
private let dot = UInt8(ascii: ".")

/// Whether a path has a "." or ".." component.
private func hasDotComponent(_ path: ArraySlice<UInt8>) -> Bool {
    var length = 0
    var dots = 0
    for byte in path {
        if byte == slash {
            if length > 0 && length == dots && dots <= 2 { return true }
            length = 0
            dots = 0
        } else {
            length += 1
            if byte == dot { dots += 1 }
        }
    }
    return length > 0 && length == dots && dots <= 2
}

/// The target of the symbolic link at `path`, nil if it is none.
func readLink(_ path: String) -> String? {
    readLinkBytes(path).map { String(decoding: $0, as: UTF8.self) }
}

func readLinkBytes(_ path: String) -> [UInt8]? {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(PATH_MAX), alignment: 1)
    defer { buffer.deallocate() }
    let length = readlink(path, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), buffer.count)
    guard length > 0 else { return nil }
    return Array(buffer[..<length])
}

/// The path without its last component. (Searching the UTF-8 bytes: a Character-wise
/// search segments graphemes all the way.)
func parent(of path: String) -> String {
    guard let last = path.utf8.lastIndex(of: slash), last != path.startIndex else { return "/" }
    return String(path[..<last])
}

func basename(of path: String) -> String {
    guard let last = path.utf8.lastIndex(of: slash) else { return path }
    return String(path[path.utf8.index(after: last)...])
}

func listDirectory(_ path: String) -> [String]? {
    guard let dir = opendir(path) else { return nil }
    defer { closedir(dir) }
    return directoryEntries(dir)
}

/// The names in an open directory stream, sorted, without "." and "..".
func directoryEntries(_ dir: OpaquePointer) -> [String] {
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}

/// A small file's bytes (sysfs attributes, /proc tables), read to its end in 4 KiB
/// steps: a sysfs attribute is at most a page, and zero-filling a large buffer for each
/// read cost more than the reads themselves.
///
/// `oneRead` stops after the first read, for sysfs *text* attributes: the kernel formats
/// one into at most a page and returns all of it to the first read, so the read that
/// would confirm the end is not needed (a dozen attributes per device on every copy).
func readBinaryFile(_ path: String, oneRead: Bool = false) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return readToEnd(fd, stop: oneRead ? .firstRead : .endOfFile)
}

/// When a read loop may stop short of a read that returns 0.
enum ReadStop {
    /// At the end of the file (a read returning 0): any file.
    case endOfFile
    /// After the first read: sysfs text attributes, which the kernel formats into at
    /// most a page and returns whole to the first read.
    case firstRead
    /// After a read that returned less than asked: sysfs attributes, text or binary
    /// (kernfs hands out at most a page per read, and less only at the end). Not for
    /// /proc tables, whose reads end at record boundaries.
    case shortRead
}

/// The bytes of an open file from its offset to where `stop` says, in 4 KiB reads.
func readToEnd(_ fd: CInt, stop: ReadStop) -> [UInt8] {
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
    defer { chunk.deallocate() }
    var data: [UInt8] = []
    while true {
        let n = read(fd, chunk.baseAddress, chunk.count)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        data.append(contentsOf: chunk[..<n])
        if stop == .firstRead || (stop == .shortRead && n < chunk.count) { break }
    }
    return data
}

/// Where a sysfs link leads: with one readlink when its target has the kernel's usual
/// shape (`resolveSysfsLink`), else through realpath(3); the path itself when neither
/// resolves it.
func resolvedSysfsPath(_ link: String) -> String {
    resolveSysfsLink(link) ?? realPath(link)
}

extension String {
    /// The string without leading and trailing whitespace (`Character.isWhitespace`).
    /// Sysfs attributes, which every copy reads a dozen of, end in an ASCII newline:
    /// those are trimmed on their bytes, and only an end that is not ASCII goes through
    /// Character, whose grapheme and Unicode property look-ups cost far more.
    var trimmed: String {
        func isASCIIWhitespace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || (byte >= 0x09 && byte <= 0x0D)
        }
        let bytes = utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isASCIIWhitespace(bytes[start]) { start = bytes.index(after: start) }
        while start < end, isASCIIWhitespace(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        guard start == end || (bytes[start] < 0x80 && bytes[bytes.index(before: end)] < 0x80) else {
            var s = Substring(self)
            while let c = s.first, c.isWhitespace { s = s.dropFirst() }
            while let c = s.last, c.isWhitespace { s = s.dropLast() }
            return String(s)
        }
        return String(Substring(self.utf8[start..<end]))
    }
}
