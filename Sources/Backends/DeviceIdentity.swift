import CShims
import Glibc
import SystemPackage

/// Who holds a copy endpoint: for a regular file its filesystem (type and mount from
/// /proc/self/mountinfo, magic from statfs) and the block devices under it; for a block
/// device the device itself and what it is built on. Profiles are matched against this.
public struct DeviceIdentity: Sendable, Equatable {
    public var path: String
    public var fileType: FileKind
    /// "major:minor": the filesystem's device for a file, the device itself for a
    /// block device (st_rdev).
    public var device: String
    /// The filesystem holding a regular file ("xfs", "nfs4", "cifs" ...), from
    /// mountinfo; for a block device, the filesystem mounted from it, if any.
    public var fstype: String?
    public var mountPoint: String?
    public var mountSource: String?
    /// statfs f_type of the filesystem holding the path.
    public var filesystemMagic: UInt64?
    /// The block device a regular file's filesystem lives on, or the block device
    /// itself, with what it is built on. Nil for filesystems without one (tmpfs, NFS).
    public var blockDevice: BlockDeviceNode?

    public init(
        path: String, fileType: FileKind, device: String, fstype: String? = nil, mountPoint: String? = nil,
        mountSource: String? = nil, filesystemMagic: UInt64? = nil, blockDevice: BlockDeviceNode? = nil
    ) {
        self.path = path
        self.fileType = fileType
        self.device = device
        self.fstype = fstype
        self.mountPoint = mountPoint
        self.mountSource = mountSource
        self.filesystemMagic = filesystemMagic
        self.blockDevice = blockDevice
    }

    /// The disks at the bottom of the block device tree.
    public var leaves: [BlockDeviceNode] { blockDevice?.leaves ?? [] }

    /// Identifies an open copy endpoint. The descriptor's path (for the mount lookup
    /// of a btrfs file, whose st_dev has no sysfs entry) comes from /proc/self/fd.
    ///
    /// `sibling`, an identity made just before (the other end of the same copy), lends
    /// its block device tree when both are regular files of one filesystem: the sysfs
    /// walk is then done once per copy, not twice.
    ///
    /// `nodes`, a long-running engine's, supplies a block device's tree read for an
    /// earlier copy of the same disk (same device and disk sequence numbers) and keeps
    /// the one read now; the mount it carries is looked up every time.
    public static func of(
        _ file: CopyFile, mounts: MountTable, sysfs: String = "/sys", sibling: DeviceIdentity? = nil,
        nodes: BlockDeviceNodeCache? = nil
    ) -> DeviceIdentity {
        let resolved = file.openedPath ?? file.name
        let magic = (try? SystemCalls.statfs(file.descriptor)).map { $0.type }
        let sameFilesystem =
            sibling.map { $0.fileType == .regular && $0.device == DeviceProbe.deviceString(file.device) } ?? false
        let key = sysfs == "/sys" && nodes != nil ? BlockDeviceNodeCache.key(of: file) : nil
        let known = key.flatMap { nodes?.node(for: $0) }
        // A block device's own sysfs directory is opened once per endpoint and shared
        // with its topology (the standard sysfs only: a test's tree is read by path).
        let identity = identify(
            name: file.name, resolvedPath: resolved, kind: file.kind, stDev: file.device, stRdev: file.rdev,
            magic: magic, mounts: mounts, sysfs: sysfs, knownBlockDevice: sameFilesystem ? .some(sibling?.blockDevice) : nil,
            knownBlockNode: known, blockDirectory: known == nil && sysfs == "/sys" ? file.sysfsDirectory : nil)
        if let key, known == nil, let node = identity.blockDevice { nodes?.remember(node, for: key) }
        return identity
    }

    /// Identifies `path` (a file, a block device, or a directory) without opening it
    /// for I/O.
    public static func of(path: String, mounts: MountTable, sysfs: String = "/sys") throws(CopyError) -> DeviceIdentity {
        let st: Glibc.stat
        do { st = try SystemCalls.stat(path: path) } catch {
            throw CopyFile.openError(error, path: path, role: "file to identify")
        }
        var magic: UInt64? = nil
        if let fd = try? SystemCalls.open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK) {
            magic = (try? SystemCalls.statfs(fd)).map { $0.type }
            close(fd)
        }
        return identify(
            name: path, resolvedPath: realPath(path), kind: FileKind(mode: st.st_mode), stDev: UInt64(st.st_dev),
            stRdev: UInt64(st.st_rdev), magic: magic, mounts: mounts, sysfs: sysfs)
    }

    /// `knownBlockDevice`, when given, is a regular file's block device tree already
    /// read for another file of the same filesystem.
    static func identify(
        name: String, resolvedPath: String, kind: FileKind, stDev: UInt64, stRdev: UInt64, magic: UInt64?,
        mounts: MountTable, sysfs: String, knownBlockDevice: BlockDeviceNode?? = nil, knownBlockNode: BlockDeviceNode? = nil,
        blockDirectory: SysfsDirectory? = nil
    ) -> DeviceIdentity {
        let fsDevice = DeviceProbe.deviceString(stDev)
        if kind == .block {
            let device = DeviceProbe.deviceString(stRdev)
            // A block device is described by the filesystem mounted from it, if any (btrfs
            // shows an anonymous device number in mountinfo, so the source is matched too).
            let mount = mounts.entries.last { $0.device == device || $0.source == resolvedPath }
            return DeviceIdentity(
                path: name, fileType: kind, device: device, fstype: mount?.fstype, mountPoint: mount?.mountPoint,
                mountSource: mount?.source, filesystemMagic: magic,
                blockDevice: knownBlockNode ?? blockDirectory.map { BlockDeviceNode.read($0, device: device, sysfs: sysfs) }
                    ?? BlockDeviceNode.read(device: device, sysfs: sysfs))
        }
        let mount = mounts.mount(forPath: resolvedPath, device: fsDevice)
        return DeviceIdentity(
            path: name, fileType: kind, device: fsDevice, fstype: mount?.fstype, mountPoint: mount?.mountPoint,
            mountSource: mount?.source, filesystemMagic: magic,
            blockDevice: knownBlockDevice ?? filesystemBlockDevice(fsDevice, mount: mount, sysfs: sysfs))
    }

    /// The block device tree under a filesystem: its st_dev's, or for btrfs (whose
    /// files carry an anonymous st_dev) the mount source's.
    private static func filesystemBlockDevice(_ fsDevice: String, mount: MountEntry?, sysfs: String) -> BlockDeviceNode? {
        if let node = BlockDeviceNode.read(device: fsDevice, sysfs: sysfs) { return node }
        guard let source = mount?.source, source.hasPrefix("/"), let st = try? SystemCalls.stat(path: source),
            FileKind(mode: st.st_mode) == .block
        else { return nil }
        return BlockDeviceNode.read(device: DeviceProbe.deviceString(UInt64(st.st_rdev)), sysfs: sysfs)
    }
}
