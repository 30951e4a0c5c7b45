import Backends
import Glibc

/// What the bench knows about the source and destination before any run: their kinds,
/// filesystems, O_DIRECT alignment and SCSI identity, which decide the tools' options and
/// whether each tool applies.
public struct PairFacts: Sendable {
    public struct Endpoint: Sendable {
        public var path: String
        public var kind: FileKind
        /// The filesystem holding the file, or mounted from the block device.
        public var fstype: String?
        /// "major:minor" of the block device, or of the filesystem holding the file.
        public var device: String
        public var directIO: DirectIOAlignment?
        /// For a SCSI logical unit: where SG_IO goes and the partition's start.
        public var scsi: BlockTopology?
        public var logicalBlockSize: Int?
    }

    public var source: Endpoint
    public var destination: Endpoint
    /// Bytes each run copies: the whole source.
    public var size: UInt64

    /// Both ends support O_DIRECT by the engine's rule.
    public var bothDirect: Bool { source.directIO != nil && destination.directIO != nil }

    /// Reads the facts. The destination is created (empty) if it does not exist, as the
    /// first run would, and removed again if the pair is refused; the bench removes a
    /// regular destination at the end too.
    static func gather(source: String, destination: String) throws(BenchError) -> PairFacts {
        let sourceFile: CopyFile
        let size: UInt64
        do {
            sourceFile = try CopyFile.openSource(path: source)
            try requireCopyable(sourceFile, role: "source")
            size = try sourceFile.size()
        } catch {
            throw BenchError(error.message)
        }
        guard size > 0 else { throw BenchError("\(source): the source is empty: there is nothing to measure") }

        let existed = access(destination, F_OK) == 0
        let destinationFile: CopyFile
        do {
            destinationFile = try CopyFile.openDestination(path: destination)
        } catch {
            throw BenchError(error.message)
        }
        do throws(BenchError) {
            do { try requireCopyable(destinationFile, role: "destination") } catch { throw BenchError(error.message) }
            if sourceFile.isSameFile(as: destinationFile) {
                throw BenchError("\(destination): the destination is the source itself")
            }
            if destinationFile.kind == .block {
                try requireUnused(destination)
                let capacity: UInt64
                do { capacity = try destinationFile.size() } catch { throw BenchError(error.message) }
                guard capacity >= size else {
                    throw BenchError("\(destination): the destination device holds \(capacity) bytes, less than the source's \(size)")
                }
            }
        } catch {
            if !existed, destinationFile.kind == .regular { unlink(destination) }
            throw error
        }
        return PairFacts(source: endpoint(sourceFile), destination: endpoint(destinationFile), size: size)
    }

    /// Every run overwrites a destination device: one that is mounted or otherwise held
    /// exclusively (a filesystem, swap, a device-mapper or RAID member) is refused. An
    /// O_EXCL open of a block device asks the kernel exactly that (EBUSY).
    private static func requireUnused(_ path: String) throws(BenchError) {
        let fd = open(path, O_WRONLY | O_EXCL | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            if code == EBUSY {
                throw BenchError("\(path): the destination device is in use (mounted, or held by another driver); bench would overwrite it")
            }
            throw BenchError("\(path): cannot open the destination device: \(String(cString: strerror(code)))")
        }
        close(fd)
    }

    /// Regular files and block devices only: a SCSI generic node, which `copy` takes for
    /// xcopy, cannot be read by the other backends and tools.
    private static func requireCopyable(_ file: CopyFile, role: String) throws(CopyError) {
        guard file.kind == .regular || file.kind == .block else {
            throw CopyError(.wrongType, "\(file.name): the \(role) is \(file.kind == .character ? "a character device" : "not a regular file or block device"); bench copies regular files and block devices")
        }
    }

    private static func endpoint(_ file: CopyFile) -> Endpoint {
        let probe = try? DeviceProbe.probe(path: file.name)
        return Endpoint(
            path: file.name, kind: file.kind, fstype: probe?.fstype, device: probe?.device ?? "",
            directIO: file.directIOAlignment(), scsi: probe?.topology.flatMap { $0.isSCSI ? $0 : nil },
            logicalBlockSize: probe?.logicalBlockSize)
    }
}
