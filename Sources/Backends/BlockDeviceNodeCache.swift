import CShims
import Synchronization

/// The block device trees a long-running engine has read from sysfs, each under its
/// device number and the disk's sequence number (BLKGETDISKSEQ), so that an agent
/// identifying the same two LUNs for every COPY reads their sysfs attributes once.
///
/// The sequence number is what makes this safe: the kernel gives every disk it creates,
/// and every media change (a loop device's each new backing file), a new one, so a
/// device number reused by another device, or a disk that was removed and came back,
/// never finds the old entry. What the same disk changes without a new number (the
/// kernel's INQUIRY and VPD copies after a SCSI rescan) is read again once an entry is
/// `ttl` old. Only the identity the profiles use is kept: the topology xcopy addresses
/// (partition offset, SCSI address) and everything the device answers (INQUIRY, VPD
/// page 0x83, READ CAPACITY) are read for every copy.
public final class BlockDeviceNodeCache: Sendable {
    struct Key: Hashable {
        var rdev: UInt64
        var diskSequence: UInt64
    }

    struct Entry {
        var node: BlockDeviceNode
        var expires: ContinuousClock.Instant
    }

    /// In a struct of its own, for the reason NegativeCache gives.
    private struct Table {
        var entries: [Key: Entry] = [:]
    }

    private let table = Mutex(Table())
    /// Entries kept at most; past that the table starts again (devices come and go on a
    /// SAN host, and a stale entry costs memory only).
    public let capacity: Int
    public let ttl: Duration

    public init(capacity: Int = 256, ttl: Duration = .seconds(60)) {
        self.capacity = capacity
        self.ttl = ttl
    }

    /// The key of an open block device, or nil when the kernel cannot say (before Linux
    /// 5.15): such a device is read every time.
    static func key(of file: CopyFile) -> Key? {
        guard file.kind == .block else { return nil }
        var sequence: UInt64 = 0
        guard ssc_blkgetdiskseq(file.descriptor, &sequence) == 0, sequence != 0 else { return nil }
        return Key(rdev: file.rdev, diskSequence: sequence)
    }

    func node(for key: Key) -> BlockDeviceNode? {
        let now = ContinuousClock.now
        return table.withLock { table in
            guard let entry = table.entries[key] else { return nil }
            guard entry.expires > now else {
                table.entries[key] = nil
                return nil
            }
            return entry.node
        }
    }

    func remember(_ node: BlockDeviceNode, for key: Key) {
        let expires = ContinuousClock.now + ttl
        table.withLock { table in
            if table.entries.count >= capacity { table.entries.removeAll() }
            table.entries[key] = Entry(node: node, expires: expires)
        }
    }

    public var count: Int { table.withLock { $0.entries.count } }
}
