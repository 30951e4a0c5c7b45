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

    public init(name: BackendName, verdict: String, reason: String) {
        self.name = name
        self.verdict = verdict
        self.reason = reason
    }
}

public enum DeviceProbe {
    /// "major:minor" of a dev_t, decoded as glibc's gnu_dev_major/minor (macros Swift
    /// cannot import).
    static func deviceString(_ dev: UInt64) -> String {
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
    public static func probe(descriptor fd: CInt, name: String, resolvedPath: String, mounts: MountTable = .current())
        throws(CopyError) -> FileProbe
    {
        let path = name
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
    /// that does not exist yet is judged by its directory.
    public static func verdicts(source sourcePath: String, destination destinationPath: String, engine: CopyEngine)
        throws(CopyError) -> [BackendVerdict]
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
        var trial: CopyFile? = nil
        var staticDestination: CopyFile? = nil
        if destinationKind == .block || destinationIsSCSIGeneric {
            staticDestination = try CopyFile(descriptor: try openForProbe(destinationPath), name: destinationPath, owned: true)
        } else {
            let directory = parentDirectory(of: destinationPath)
            if let fd = try? SystemCalls.open(directory, ssc_o_tmpfile() | O_WRONLY | O_CLOEXEC, mode: 0o600) {
                trial = try CopyFile(descriptor: fd, name: destinationPath, owned: true)
            }
        }
        guard let destination = trial ?? staticDestination else {
            // No trial file possible (read-only directory, a filesystem without
            // O_TMPFILE): answer from the types alone.
            return engine.backends.map {
                BackendVerdict(name: $0.name, verdict: "maybe", reason: "no trial file could be made in \(parentDirectory(of: destinationPath))")
            }
        }
        return verdicts(source: source, destination: destination, trial: trial != nil, engine: engine)
    }

    /// The verdicts for an open source and a destination path, with trial calls into an
    /// unnamed O_TMPFILE file in the destination's directory. Throws when no trial file
    /// can be made there.
    public static func verdicts(source: CopyFile, trialBeside destinationPath: String, engine: CopyEngine) throws(CopyError)
        -> [BackendVerdict]
    {
        let directory = parentDirectory(of: destinationPath)
        let fd: CInt
        do { fd = try SystemCalls.open(directory, ssc_o_tmpfile() | O_WRONLY | O_CLOEXEC, mode: 0o600) } catch {
            throw CopyError(error, doing: "O_TMPFILE", on: directory)
        }
        let trial = try CopyFile(descriptor: fd, name: destinationPath, owned: true)
        return verdicts(source: source, destination: trial, trial: true, engine: engine)
    }

    /// The verdicts for open files. With `trial`, `destination` is a scratch file that
    /// reflink and copy_file_range are really called on; without, those two are judged
    /// from the files' types and filesystems alone ("maybe"), and nothing is written.
    public static func verdicts(source: CopyFile, destination: CopyFile, trial: Bool, engine: CopyEngine) -> [BackendVerdict] {
        let sourceSize = (try? source.size()) ?? 0
        let destinationSize = (try? destination.size()) ?? 0
        let plan = CopyPlan(
            source: source, destination: destination, srcOffset: 0, dstOffset: 0,
            count: min(sourceSize, destination.kind == .regular ? 4096 : min(4096, destinationSize)),
            sourceSize: sourceSize, destinationSize: trial ? 0 : destinationSize)
        return engine.backends.map { backend in
            if case .no(let decline) = backend.assess(plan) {
                return BackendVerdict(name: backend.name, verdict: "no", reason: decline.message)
            }
            if let remembered = engine.negativeCache.lookup(
                NegativeCache.Key(backend: backend.name, sourceDevice: source.deviceKey, destinationDevice: destination.deviceKey))
            {
                return BackendVerdict(name: backend.name, verdict: "no", reason: "remembered as not supported: \(remembered)")
            }
            if let xcopy = backend as? XCopyBackend {
                return xcopyVerdict(xcopy, plan: plan)
            }
            if backend.name == .aio || destination.kind != .regular {
                return BackendVerdict(name: backend.name, verdict: "yes", reason: describeStreaming(source, destination))
            }
            guard trial else {
                return BackendVerdict(name: backend.name, verdict: "maybe", reason: "judged without a trial call: the kernel answers at copy time")
            }
            return tryBackend(backend.name, source: source, trial: destination, sourceSize: sourceSize)
        }
    }

    /// The xcopy checks short of an EXTENDED COPY: INQUIRY, VPD 0x83, READ CAPACITY,
    /// RECEIVE COPY OPERATING PARAMETERS on both units, and the ambiguity rule.
    private static func xcopyVerdict(_ xcopy: XCopyBackend, plan: CopyPlan) -> BackendVerdict {
        do throws(BackendError) {
            return BackendVerdict(name: .xcopy, verdict: "yes", reason: try xcopy.preflight(plan))
        } catch {
            switch error {
            case .declined(let decline): return BackendVerdict(name: .xcopy, verdict: "no", reason: decline.message)
            case .failed(let failure): return BackendVerdict(name: .xcopy, verdict: "no", reason: failure.message)
            }
        }
    }

    private static func tryBackend(_ name: BackendName, source: CopyFile, trial: CopyFile, sourceSize: UInt64) -> BackendVerdict {
        let src = source.descriptor, dst = trial.descriptor
        switch name {
        case .reflink:
            let blockSize = ReflinkBackend.cloneBlockSize(trial)
            let length = sourceSize >= blockSize ? blockSize : 0  // 0: to the source's end
            if ssc_ficlonerange(dst, src, 0, length, 0) == 0 {
                return BackendVerdict(name: name, verdict: "yes", reason: "a trial FICLONERANGE succeeded (clone block size \(blockSize))")
            }
            return verdict(name, errno: Errno.current, call: "FICLONERANGE")
        case .copyFileRange:
            var inOffset: Int64 = 0, outOffset: Int64 = 0
            let length = Int(min(sourceSize, 4096))
            let n = ssc_copy_file_range(src, &inOffset, dst, &outOffset, length)
            if n < 0 { return verdict(name, errno: Errno.current, call: "copy_file_range") }
            if n == 0 && length > 0 {
                return BackendVerdict(name: name, verdict: "no", reason: "a trial copy_file_range returned 0 bytes")
            }
            return BackendVerdict(name: name, verdict: "yes", reason: "a trial copy_file_range of \(n) bytes succeeded")
        default:
            return BackendVerdict(name: name, verdict: "maybe", reason: "no trial for this backend")
        }
    }

    private static func verdict(_ name: BackendName, errno: Errno, call: String) -> BackendVerdict {
        let reason: String
        switch errno {
        case .improperLink: reason = "\(call): the two files are on different filesystems (\(errno.summary))"
        case .notSupported, .inappropriateIOCTLForDevice, .noFunction:
            reason = "\(call): the filesystem does not support it (\(errno.summary))"
        default: reason = "\(call): \(errno.summary)"
        }
        return BackendVerdict(name: name, verdict: "no", reason: reason)
    }

    private static func describeStreaming(_ source: CopyFile, _ destination: CopyFile) -> String {
        func side(_ file: CopyFile) -> String {
            guard let align = file.directIOAlignment() else { return "buffered" }
            return "O_DIRECT (\(align.offset)-byte alignment)"
        }
        return "streams through the agent's buffers: source \(side(source)), destination \(side(destination))"
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
