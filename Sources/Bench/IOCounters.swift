import Backends

/// The block-layer byte counters of /proc/self/io. `read_bytes` counts what the process
/// caused to be read from storage, `write_bytes` what it dirtied or wrote directly;
/// `rchar`/`wchar` are not used because libaio's io_submit does not move them.
///
/// The kernel adds a child's counters to its parent's when the parent reaps it
/// (wait_task_zombie), so the same counters taken around spawning and reaping an
/// external tool give that tool's bytes, its own children's included (fio runs its jobs
/// as child processes).
public struct IOCounters: Sendable, Equatable {
    public var readBytes: UInt64
    public var writeBytes: UInt64

    public init(readBytes: UInt64, writeBytes: UInt64) {
        self.readBytes = readBytes
        self.writeBytes = writeBytes
    }

    /// Parses the `key: value` lines of /proc/PID/io; nil when either counter is missing.
    public static func parse(_ text: String) -> IOCounters? {
        var read: UInt64?
        var write: UInt64?
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = UInt64(line[line.index(after: colon)...].trimmingSpaces)
            switch line[..<colon] {
            case "read_bytes": read = value
            case "write_bytes": write = value
            default: continue
            }
        }
        guard let read, let write else { return nil }
        return IOCounters(readBytes: read, writeBytes: write)
    }

    /// This process's counters now.
    static func ofThisProcess() throws(BenchError) -> IOCounters {
        guard let text = readWholeFile("/proc/self/io") else {
            throw BenchError("cannot read /proc/self/io (a kernel without task I/O accounting?)")
        }
        guard let counters = parse(text) else { throw BenchError("/proc/self/io has no read_bytes/write_bytes lines") }
        return counters
    }

    /// The counters moved between `earlier` and self (never negative).
    func since(_ earlier: IOCounters) -> IOCounters {
        IOCounters(
            readBytes: readBytes >= earlier.readBytes ? readBytes - earlier.readBytes : 0,
            writeBytes: writeBytes >= earlier.writeBytes ? writeBytes - earlier.writeBytes : 0)
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" { s = s.dropLast() }
        return s
    }
}
