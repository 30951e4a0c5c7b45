import CShims
import Glibc
import SystemPackage

/// What `probe` reports about one path.
public struct FileProbe: Sendable {
    public var path: String
    public var type: FileKind
    public var fstype: String?
    public var mountPoint: String?
    public var mountSource: String?
    /// For a file, the filesystem's device ("major:minor"); for a block device, itself.
    public var device: String
    public var size: UInt64
    public var stBlksize: Int
    public var fsBlockSize: UInt64
    public var dioMemAlign: Int
    public var dioOffsetAlign: Int
    public var logicalBlockSize: Int?
    public var physicalBlockSize: Int?
    /// For a block device: where it sits (partition, whole disk, sg node).
    public var topology: BlockTopology?
    /// For a SCSI logical unit: what it answered.
    public var scsi: SCSIProbe?
}

/// One backend's answer for a pair, as the protocol's `device.probe` reports it.
public struct BackendVerdict: Sendable, Codable {
    public var name: BackendName
    public var verdict: String  // "yes" | "no" | "maybe"
    public var reason: String
    /// For a "no": the design's failure class (not_supported, cannot_serve, denied,
    /// excluded by the profiles).
    public var declineClass: DeclineClass?
    /// The "no" is held in the engine's negative cache (not supported, within its TTL).
    public var remembered: Bool

    public init(name: BackendName, verdict: String, reason: String, declineClass: DeclineClass? = nil, remembered: Bool = false) {
        self.name = name
        self.verdict = verdict
        self.reason = reason
        self.declineClass = declineClass
        self.remembered = remembered
    }
}

/// A pair's verdicts with what selection chose for it.
public struct PairProbe: Sendable {
    public var verdicts: [BackendVerdict]
    public var plan: BackendPlan
}

public enum DeviceProbe {
    /// "major:minor" of a dev_t, decoded as glibc's gnu_dev_major/minor (macros Swift
    /// cannot import).
    public static func deviceString(_ dev: UInt64) -> String {
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        return "\(major):\(minor)"
    }

    /// Identity and block sizes of `path` (a file, a block device, or a directory).
    public static func probe(path: String, mounts: MountTable = .current()) throws(CopyError) -> FileProbe {
        let fd: CInt
        do { fd = try SystemCalls.open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK) } catch {
            throw CopyFile.openError(error, path: path, role: "file to probe")
        }
        defer { close(fd) }
        return try probe(descriptor: fd, name: path, resolvedPath: realPath(path), mounts: mounts)
    }

    /// Identity and block sizes of an open file. `resolvedPath` (the file's absolute path,
    /// e.g. from /proc/self/fd) finds its mount; `name` appears in the report. Only
    /// fstat, fstatfs, statx and read-only ioctls touch the descriptor.
    public static func probe(descriptor fd: CInt, name path: String, resolvedPath: String, mounts: MountTable = .current())
        throws(CopyError) -> FileProbe
    {
        let st: Glibc.stat
        do { st = try SystemCalls.fstat(fd) } catch { throw CopyError(error, doing: "fstat", on: path) }
        let kind = FileKind(mode: st.st_mode)
        let fsDevice = deviceString(UInt64(st.st_dev))
        // A block device is described by the filesystem mounted from it, if any, not
        // by the devtmpfs its node lives on (btrfs shows an anonymous device number in
        // mountinfo, so the mount source is matched too).
        let mount =
            kind == .block
            ? mounts.entries.last { $0.device == deviceString(UInt64(st.st_rdev)) || $0.source == resolvedPath }
            : mounts.mount(forPath: resolvedPath, device: fsDevice)
        let statfs = try? SystemCalls.statfs(fd)
        var probe = FileProbe(
            path: path, type: kind, fstype: mount?.fstype, mountPoint: mount?.mountPoint, mountSource: mount?.source,
            device: fsDevice, size: UInt64(st.st_size), stBlksize: Int(st.st_blksize), fsBlockSize: statfs?.block_size ?? 0,
            dioMemAlign: 0, dioOffsetAlign: 0)
        if kind == .block {
            probe.device = deviceString(UInt64(st.st_rdev))
            probe.size = (try? SystemCalls.blockDeviceSize(fd)) ?? 0
            probe.logicalBlockSize = try? SystemCalls.logicalBlockSize(fd)
            probe.physicalBlockSize = try? SystemCalls.physicalBlockSize(fd)
            probe.dioMemAlign = probe.logicalBlockSize ?? 0
            probe.dioOffsetAlign = probe.logicalBlockSize ?? 0
            probe.topology = BlockTopology.of(rdev: UInt64(st.st_rdev))
            if let topology = probe.topology, topology.isSCSI { probe.scsi = SCSIProbe.probe(topology) }
        } else if let dio = try? SystemCalls.directIOAlignment(fd), dio.has_dioalign != 0 {
            probe.dioMemAlign = Int(dio.mem_align)
            probe.dioOffsetAlign = Int(dio.offset_align)
        }
        return probe
    }

    /// Which backends could copy `source` to `destination`, tried without changing
    /// either: the kernel's answers come from trial calls into an unnamed O_TMPFILE
    /// file in the destination's directory, which vanishes when closed. A destination
    /// that does not exist yet is judged by its directory. Backends the pair's profiles
    /// leave out are not tried; a trial that finds a backend not supported is
    /// remembered in the engine's negative cache, as a copy's failure would be.
    public static func verdicts(source sourcePath: String, destination destinationPath: String, engine: CopyEngine)
        throws(CopyError) -> PairProbe
    {
        let source = try CopyFile.openSource(path: sourcePath)
        _ = try source.size()  // a source that cannot report its size is refused here
        let destinationStat = try? SystemCalls.stat(path: destinationPath)
        let destinationKind = destinationStat.map { FileKind(mode: $0.st_mode) }
        let destinationIsSCSIGeneric =
            destinationKind == .character && CopyFile.isSCSIGeneric(rdev: UInt64(destinationStat?.st_rdev ?? 0))
        if let destinationKind, !destinationKind.isCopyable, !destinationIsSCSIGeneric {
            throw CopyFile.wrongType(name: destinationPath, kind: destinationKind, role: "destination")
        }
        if destinationKind == .block || destinationIsSCSIGeneric {
            let destination = try CopyFile(descriptor: try openForProbe(destinationPath), name: destinationPath, owned: true)
            return verdicts(source: source, destination: destination, trial: true, engine: engine)
        }
        if let pair = try? verdicts(source: source, trialBeside: destinationPath, engine: engine) { return pair }
        // No trial file possible (read-only directory, a filesystem without O_TMPFILE):
        // the profiles are chosen by the directory, the verdicts from nothing but types.
        let mounts = MountTable.current()
        let directory = parentDirectory(of: destinationPath)
        let destinationIdentity =
            (try? DeviceIdentity.of(path: directory, mounts: mounts))
            ?? DeviceIdentity(path: directory, fileType: .regular, device: "0:0")
        let plan = engine.selector.plan(source: DeviceIdentity.of(source, mounts: mounts), destination: destinationIdentity)
        let verdicts = engine.backends.map { backend in
            excludedVerdict(backend.name, plan)
                ?? BackendVerdict(name: backend.name, verdict: "maybe", reason: "no trial file could be made in \(directory)")
        }
        return PairProbe(verdicts: verdicts, plan: plan)
    }

    /// The verdicts for an open source and a destination path, with trial calls into an
    /// unnamed O_TMPFILE file in the destination's directory. Throws when no trial file
    /// can be made there.
    public static func verdicts(source: CopyFile, trialBeside destinationPath: String, engine: CopyEngine) throws(CopyError)
        -> PairProbe
    {
        let directory = parentDirectory(of: destinationPath)
        let fd: CInt
        do { fd = try SystemCalls.open(directory, ssc_o_tmpfile() | O_WRONLY | O_CLOEXEC, mode: 0o600) } catch {
            throw CopyError(error, doing: "O_TMPFILE", on: directory)
        }
        let trial = try CopyFile(descriptor: fd, name: destinationPath, owned: true)
        return verdicts(source: source, destination: trial, trial: true, engine: engine)
    }

    /// The verdicts for open files. With `trial`, a regular `destination` is a scratch
    /// file that reflink and copy_file_range are really called on; without, it is the
    /// real destination, so those two are judged from types alone ("maybe") and nothing
    /// is written.
    public static func verdicts(source: CopyFile, destination: CopyFile, trial: Bool, engine: CopyEngine) -> PairProbe {
        let sourceSize = (try? source.size()) ?? 0
        let plan = engine.plan(source: source, destination: destination)
        let trialPlan = CopyPlan(
            source: source, destination: destination, srcOffset: 0, dstOffset: 0, count: min(sourceSize, 4096),
            sourceSize: sourceSize, destinationSize: 0, tunables: plan.tunables)
        let verdicts = engine.backends.map { backend in
            if let excluded = excludedVerdict(backend.name, plan) { return excluded }
            if case .no(let decline) = backend.assess(trialPlan) {
                return BackendVerdict(name: backend.name, verdict: "no", reason: decline.message, declineClass: decline.reason)
            }
            let key = NegativeCache.Key(backend: backend.name, sourceDevice: source.deviceKey, destinationDevice: destination.deviceKey)
            if let remembered = engine.negativeCache.lookup(key) {
                return BackendVerdict(
                    name: backend.name, verdict: "no", reason: "remembered as not supported: \(remembered)", declineClass: .notSupported,
                    remembered: true)
            }
            if !trial, destination.kind == .regular, backend.name == .reflink || backend.name == .copyFileRange {
                return BackendVerdict(name: backend.name, verdict: "maybe", reason: "judged without a trial call: the kernel answers at copy time")
            }
            switch backend.trial(trialPlan) {
            case .yes(let reason): return BackendVerdict(name: backend.name, verdict: "yes", reason: reason)
            case .maybe(let reason): return BackendVerdict(name: backend.name, verdict: "maybe", reason: reason)
            case .no(let decline):
                if decline.reason == .notSupported { engine.negativeCache.remember(key, reason: decline.message) }
                return BackendVerdict(
                    name: backend.name, verdict: "no", reason: decline.message, declineClass: decline.reason,
                    remembered: decline.reason == .notSupported)
            }
        }
        return PairProbe(verdicts: verdicts, plan: plan)
    }

    private static func excludedVerdict(_ name: BackendName, _ plan: BackendPlan) -> BackendVerdict? {
        guard !plan.order.contains(name) else { return nil }
        let reason = plan.excluded.first { $0.backend == name }?.message ?? "not in the order selection chose"
        return BackendVerdict(name: name, verdict: "no", reason: reason, declineClass: .excluded)
    }

    private static func openForProbe(_ path: String) throws(CopyError) -> CInt {
        do { return try SystemCalls.open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK) } catch {
            throw CopyFile.openError(error, path: path, role: "destination")
        }
    }

    static func parentDirectory(of path: String) -> String {
        if let st = try? SystemCalls.stat(path: path), FileKind(mode: st.st_mode) == .directory { return path }
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// The reason a trial system call's errno gives, in the words `probe` shows.
func trialReason(_ call: String, _ errno: Errno) -> String {
    switch errno {
    case .improperLink: "\(call): the two files are on different filesystems (\(errno.summary))"
    case .notSupported, .inappropriateIOCTLForDevice, .noFunction: "\(call): the filesystem does not support it (\(errno.summary))"
    default: "\(call): \(errno.summary)"
    }
}
