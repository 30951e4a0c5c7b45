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
        guard let bytes = readBinaryFile("/proc/self/mountinfo") else { return MountTable(entries: []) }
        return MountTable(parsing: bytes)
    }

    public init(parsing text: String) {
        self.init(parsing: Array(text.utf8))
    }

    /// Parses the table's bytes field by field. Every copy reads the table; splitting it
    /// into Substrings with the generic collection algorithms cost more at run time
    /// (their type metadata is built on first use) than all the rest of identifying a
    /// file.
    public init(parsing bytes: [UInt8]) {
        var entries: [MountEntry] = []
        var fields: [Range<Int>] = []
        bytes.withUnsafeBufferPointer { text in
            var lineStart = 0
            for index in 0...text.count where index == text.count || text[index] == UInt8(ascii: "\n") {
                if let entry = Self.parse(text, line: lineStart..<index, fields: &fields) { entries.append(entry) }
                lineStart = index + 1
            }
        }
        self.entries = entries
    }

    /// "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw": the
    /// optional fields end at the lone "-". `fields` is scratch space, reused per line.
    static func parse(_ text: UnsafeBufferPointer<UInt8>, line: Range<Int>, fields: inout [Range<Int>]) -> MountEntry? {
        fields.removeAll(keepingCapacity: true)
        var fieldStart: Int? = nil
        for index in line {
            if text[index] == UInt8(ascii: " ") {
                if let start = fieldStart { fields.append(start..<index) }
                fieldStart = nil
            } else if fieldStart == nil {
                fieldStart = index
            }
        }
        if let start = fieldStart { fields.append(start..<line.upperBound) }
        guard fields.count >= 10,
            let dash = fields.firstIndex(where: { $0.count == 1 && text[$0.lowerBound] == UInt8(ascii: "-") }),
            dash + 2 < fields.count
        else { return nil }
        return MountEntry(
            device: String(decoding: UnsafeBufferPointer(rebasing: text[fields[2]]), as: UTF8.self),
            root: unescape(text, fields[3]), mountPoint: unescape(text, fields[4]),
            fstype: String(decoding: UnsafeBufferPointer(rebasing: text[fields[dash + 1]]), as: UTF8.self),
            source: unescape(text, fields[dash + 2]))
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo (three octal digits).
    static func unescape(_ text: UnsafeBufferPointer<UInt8>, _ field: Range<Int>) -> String {
        func octal(_ index: Int) -> UInt8? {
            let byte = text[index]
            return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7") ? byte - UInt8(ascii: "0") : nil
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(field.count)
        var index = field.lowerBound
        while index < field.upperBound {
            if text[index] == UInt8(ascii: "\\"), index + 3 < field.upperBound,
                let high = octal(index + 1), let middle = octal(index + 2), let low = octal(index + 3), high <= 3
            {
                bytes.append(high << 6 | middle << 3 | low)
                index += 4
            } else {
                bytes.append(text[index])
                index += 1
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
