import Glibc

/// One line of /proc/self/mountinfo (proc(5)): the only place that names the filesystem
/// of a btrfs file, whose anonymous device number has no sysfs entry.
public struct MountEntry: Sendable, Equatable {
    public var device: String  // "major:minor" as the kernel prints it
    public var root: String
    public var mountPoint: String
    public var fstype: String
    public var source: String

    public init(device: String, root: String, mountPoint: String, fstype: String, source: String) {
        self.device = device
        self.root = root
        self.mountPoint = mountPoint
        self.fstype = fstype
        self.source = source
    }
}

public struct MountTable: Sendable {
    public var entries: [MountEntry]

    public init(entries: [MountEntry]) {
        self.entries = entries
    }

    /// Reads /proc/self/mountinfo; an empty table when it cannot be read.
    public static func current() -> MountTable {
        guard let text = readWholeFile("/proc/self/mountinfo") else { return MountTable(entries: []) }
        return MountTable(parsing: text)
    }

    public init(parsing text: String) {
        entries = text.split(separator: "\n").compactMap(Self.parse)
    }

    /// "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw": the
    /// optional fields end at the lone "-".
    static func parse(_ line: Substring) -> MountEntry? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 10, let dash = fields.firstIndex(of: "-"), dash + 2 < fields.count else { return nil }
        return MountEntry(
            device: String(fields[2]), root: unescape(fields[3]), mountPoint: unescape(fields[4]),
            fstype: String(fields[dash + 1]), source: unescape(fields[dash + 2]))
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo.
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        var chars = Array(field.utf8)[...]
        while let c = chars.popFirst() {
            if c == UInt8(ascii: "\\"), chars.count >= 3,
                let value = UInt8(String(decoding: chars.prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                chars = chars.dropFirst(3)
            } else {
                bytes.append(c)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The mount holding `path` on device `major:minor`: among the entries for that
    /// device, the one with the longest mount point containing the path; failing a
    /// device match, the longest mount point containing the path.
    public func mount(forPath path: String, device: String) -> MountEntry? {
        func contains(_ entry: MountEntry) -> Bool {
            entry.mountPoint == "/" || path == entry.mountPoint || path.hasPrefix(entry.mountPoint + "/")
        }
        let sameDevice = entries.filter { $0.device == device && contains($0) }
        let pool = sameDevice.isEmpty ? entries.filter(contains) : sameDevice
        // The last of equally long mount points is the one on top.
        return pool.enumerated().max { a, b in
            a.element.mountPoint.count != b.element.mountPoint.count
                ? a.element.mountPoint.count < b.element.mountPoint.count : a.offset < b.offset
        }?.element
    }
}

/// A small text file (sysfs attribute, /proc table) read to its end; nil when it cannot
/// be opened.
public func readWholeFile(_ path: String) -> String? {
    readBinaryFile(path).map { String(decoding: $0, as: UTF8.self) }
}

func realPath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}
