import CShims
import Glibc
import Synchronization
import SystemPackage
import XCopy

/// What a copy endpoint is. Only regular files and block devices are copied.
public enum FileKind: String, Sendable, Codable {
    case regular
    case block
    case directory
    case fifo
    case socket
    case character
    case symlink
    case unknown

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFBLK: self = .block
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFCHR: self = .character
        case S_IFLNK: self = .symlink
        default: self = .unknown
        }
    }

    var isCopyable: Bool { self == .regular || self == .block }

    var article: String {
        switch self {
        case .regular: "a regular file"
        case .block: "a block device"
        case .directory: "a directory"
        case .fifo: "a FIFO"
        case .socket: "a socket"
        case .character: "a character device"
        case .symlink: "a symbolic link"
        case .unknown: "a file of unknown type"
        }
    }
}

/// One end of a copy: an open descriptor with what the engine needs to know about it.
/// A descriptor opened here is owned and closed on deinit; a descriptor handed in by a
/// caller is used as it is and never closed, reopened wider, or changed in its flags.
public final class CopyFile: @unchecked Sendable {
    public let descriptor: CInt
    /// The path or another human name, used in every message about this file.
    public let name: String
    public let kind: FileKind
    /// st_dev of the filesystem holding the file (for a block device, the devtmpfs).
    public let device: UInt64
    public let inode: UInt64
    /// st_rdev for a block device: the device itself.
    public let rdev: UInt64
    private let ownsDescriptor: Bool
    /// The block topology, looked up in sysfs once: assessing and running an xcopy
    /// both need it, and a device node's place in sysfs does not change while open.
    private let topologyCache = Mutex<BlockTopology??>(nil)
    /// A block device's sysfs directory, opened once and held while this endpoint lives:
    /// its identity (for the profiles) and its topology (for xcopy) are both read
    /// relative to it, so the long path under /sys/devices is walked once per copy.
    private let sysfsDirectoryCache = Mutex<SysfsDirectory??>(nil)
    private let openedPathCache = Mutex<String??>(nil)

    /// Whether this object opened the descriptor itself (and may seek on it).
    public var isOwned: Bool { ownsDescriptor }

    /// A SCSI generic node (/dev/sgN, character major 21): copied only by xcopy,
    /// and only when asked for explicitly.
    public var isSCSIGeneric: Bool { kind == .character && Self.isSCSIGeneric(rdev: rdev) }

    static func isSCSIGeneric(rdev: UInt64) -> Bool {
        ((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~UInt64(0xfff)) == 21
    }

    /// Wraps `descriptor`; the caller keeps ownership unless `owned` is true.
    /// `openedPath`, when the caller has already read it (`CopyFile.openedPath(of:)`),
    /// is kept instead of being read again.
    public init(descriptor: CInt, name: String, owned: Bool = false, openedPath: String?? = nil) throws(CopyError) {
        let st: stat
        do { st = try SystemCalls.fstat(descriptor) } catch {
            if owned { close(descriptor) }
            throw CopyError(error, doing: "fstat", on: name)
        }
        self.descriptor = descriptor
        self.name = name
        self.kind = FileKind(mode: st.st_mode)
        self.device = UInt64(st.st_dev)
        self.inode = UInt64(st.st_ino)
        self.rdev = UInt64(st.st_rdev)
        self.ownsDescriptor = owned
        if let openedPath { openedPathCache.withLock { $0 = .some(openedPath) } }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// The topology xcopy needs (sysfs, looked up on first use): nil for a file that is
    /// neither a block device nor a SCSI generic node.
    var topology: BlockTopology? {
        topologyCache.withLock { cached in
            if let cached { return cached }
            let topology = BlockTopology.of(self)
            cached = .some(topology)
            return topology
        }
    }

    /// Where /sys/dev/block/MAJ:MIN of this block device leads, opened on first use; nil
    /// for any other kind of file, or a device sysfs does not show.
    var sysfsDirectory: SysfsDirectory? {
        guard kind == .block else { return nil }
        return sysfsDirectoryCache.withLock { cached in
            if let cached { return cached }
            let directory = SysfsDirectory(blockDevice: DeviceProbe.deviceString(rdev), sysfs: "/sys")
            cached = .some(directory)
            return directory
        }
    }

    /// Opens `path` as a copy source: read-only, and never blocking on a FIFO or a
    /// device that waits for a peer (O_NONBLOCK until the type is known).
    public static func openSource(path: String) throws(CopyError) -> CopyFile {
        try open(path: path, flags: O_RDONLY, role: "source")
    }

    /// Opens `path` as a copy destination: `O_WRONLY | O_CREAT`, no `O_TRUNC` (the engine
    /// truncates only when asked), mode 0666 minus the umask.
    public static func openDestination(path: String) throws(CopyError) -> CopyFile {
        try open(path: path, flags: O_WRONLY | O_CREAT, role: "destination")
    }

    private static func open(path: String, flags: CInt, role: String) throws(CopyError) -> CopyFile {
        // A directory or FIFO is refused before open: opening a FIFO could wait forever.
        if let st = try? SystemCalls.stat(path: path) {
            let kind = FileKind(mode: st.st_mode)
            guard kind.isCopyable || (kind == .character && isSCSIGeneric(rdev: UInt64(st.st_rdev))) else {
                throw wrongType(name: path, kind: kind, role: role)
            }
        }
        let fd: CInt
        do {
            fd = try SystemCalls.open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, mode: 0o666)
        } catch {
            throw openError(error, path: path, role: role)
        }
        let file = try CopyFile(descriptor: fd, name: path, owned: true)
        guard file.kind.isCopyable || file.isSCSIGeneric else {
            throw wrongType(name: path, kind: file.kind, role: role)
        }
        do {
            let status = try SystemCalls.fileStatusFlags(fd)
            try SystemCalls.setFileStatusFlags(fd, status & ~O_NONBLOCK)
        } catch {
            throw CopyError(error, doing: "fcntl(F_SETFL)", on: path)
        }
        return file
    }

    static func openError(_ errno: Errno, path: String, role: String) -> CopyError {
        switch errno {
        case .noSuchFileOrDirectory:
            return CopyError(.invalid, "\(path): cannot open the \(role): \(errno.summary)", errno: errno)
        case .isDirectory:
            return wrongType(name: path, kind: .directory, role: role)
        default:
            var error = CopyError(errno, doing: "opening the \(role)", on: path)
            error.message = "\(path): cannot open the \(role): \(errno.summary)"
            return error
        }
    }

    static func wrongType(name: String, kind: FileKind, role: String) -> CopyError {
        CopyError(
            .wrongType, "\(name): the \(role) is \(kind.article), not a regular file or block device",
            isDirectory: kind == .directory)
    }

    /// The file's size now: st_size for a regular file, BLKGETSIZE64 for a block device,
    /// READ CAPACITY(16) for a SCSI generic node.
    public func size() throws(CopyError) -> UInt64 {
        if let capacity = try scsiCapacity() { return try Self.bytes(of: capacity, name: name) }
        do {
            if kind == .block { return try SystemCalls.blockDeviceSize(descriptor) }
            return UInt64(try SystemCalls.fstat(descriptor).st_size)
        } catch {
            throw CopyError(error, doing: kind == .block ? "BLKGETSIZE64" : "fstat", on: name)
        }
    }

    /// What a SCSI generic node's logical unit answers to READ CAPACITY(16); nil for any
    /// other file.
    public func scsiCapacity() throws(CopyError) -> Capacity? {
        guard isSCSIGeneric else { return nil }
        do {
            return try SCSIDevice(transport: SGIODevice(descriptor: descriptor, name: name)).readCapacity16()
        } catch {
            throw CopyError(.io, "\(name): \(error)")
        }
    }

    /// The size from a READ CAPACITY(16) answer already at hand, else as `size()`.
    func size(capacity: Capacity?) throws(CopyError) -> UInt64 {
        guard let capacity else { return try size() }
        return try Self.bytes(of: capacity, name: name)
    }

    /// A capacity in bytes; a device that claims more than 2^64 bytes answered nonsense.
    static func bytes(of capacity: Capacity, name: String) throws(CopyError) -> UInt64 {
        let (bytes, overflow) = capacity.blocks.multipliedReportingOverflow(by: UInt64(capacity.blockSize))
        guard !overflow else {
            throw CopyError(.io, "\(name): READ CAPACITY(16) reports \(capacity.blocks) blocks of \(capacity.blockSize) bytes, more than 2^64 bytes")
        }
        return bytes
    }

    /// Bytes allocated on disk (st_blocks × 512), for sparseness reports.
    public func allocatedBytes() throws(CopyError) -> UInt64 {
        do { return UInt64(try SystemCalls.fstat(descriptor).st_blocks) * 512 } catch {
            throw CopyError(error, doing: "fstat", on: name)
        }
    }

    public var accessMode: CInt {
        ((try? SystemCalls.fileStatusFlags(descriptor)) ?? O_RDWR) & O_ACCMODE
    }

    /// The O_DIRECT alignment rule of the design: a regular file when statx reports a
    /// nonzero STATX_DIOALIGN, a block device by BLKSSZGET, nothing else.
    public func directIOAlignment() -> DirectIOAlignment? {
        switch kind {
        case .block:
            guard let lbs = try? SystemCalls.logicalBlockSize(descriptor), lbs > 0 else { return nil }
            return DirectIOAlignment(memory: lbs, offset: lbs)
        case .regular:
            guard let info = try? SystemCalls.directIOAlignment(descriptor), info.has_dioalign != 0,
                info.mem_align > 0, info.offset_align > 0
            else { return nil }
            return DirectIOAlignment(memory: Int(info.mem_align), offset: Int(info.offset_align))
        default:
            return nil
        }
    }

    /// A second descriptor for the same open file with the same access mode plus `extra`
    /// flags, through /proc/self/fd (a new open file description, so the caller's
    /// descriptor keeps its flags and file position). Nil when the kernel refuses.
    public func reopen(adding extra: CInt) -> CInt? {
        let mode = accessMode
        return try? SystemCalls.open("/proc/self/fd/\(descriptor)", mode | extra | O_CLOEXEC | O_NOCTTY)
    }

    /// The path the kernel reports for an open descriptor (its /proc/self/fd link), for
    /// messages and mount lookups; nil when it has none.
    public static func openedPath(of descriptor: CInt) -> String? {
        readLink("/proc/self/fd/\(descriptor)")
    }

    /// The path this descriptor was opened by, as the kernel names it now (read once).
    public var openedPath: String? {
        openedPathCache.withLock { cached in
            if let cached { return cached }
            let path = Self.openedPath(of: descriptor)
            cached = .some(path)
            return path
        }
    }

    /// Whether both name the same file (same device and inode).
    public func isSameFile(as other: CopyFile) -> Bool {
        if kind == .block && other.kind == .block { return rdev == other.rdev }
        return device == other.device && inode == other.inode
    }
}

/// O_DIRECT constraints: buffer address alignment and file offset/length alignment.
public struct DirectIOAlignment: Sendable, Equatable, Codable {
    public var memory: Int
    public var offset: Int
}
