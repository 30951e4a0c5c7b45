import CShims
import Glibc

/// A sysfs directory held open (O_PATH), its attributes looked up relative to it.
///
/// A device's attributes live a dozen components deep
/// (/sys/devices/pci…/host0/target0:0:1/0:0:1:0/block/sda/queue/rotational), and the
/// kernel walks the whole path again for every absolute open; relative to the held
/// directory it walks one or two. A copy reads some twenty attributes per end, so this
/// is most of its sysfs cost. Absent attributes read as nil, as with absolute paths.
///
/// Sendable: its state is a path and a descriptor fixed at creation, and every method
/// is a system call relative to that descriptor.
final class SysfsDirectory: Sendable {
    /// The directory's path, for building names to report and for the absolute readers.
    let path: String
    private let descriptor: CInt

    /// Opens `path`; nil when it is not a directory one can reach.
    init?(path: String) {
        let fd = open(path, ssc_o_path() | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.path = path
        descriptor = fd
    }

    /// Opens the directory of the block device `device` ("major:minor"): where
    /// `sysfs`/dev/block/`device` leads. Nil when sysfs has no such block device.
    convenience init?(blockDevice device: String, sysfs: String) {
        let link = "\(sysfs)/dev/block/\(device)"
        self.init(path: resolvedSysfsPath(link))
    }

    /// Opens the subdirectory `name` (a relative path, which may cross a link such as
    /// `device`); nil when there is none.
    init?(_ parent: SysfsDirectory, _ name: String) {
        let fd = openat(parent.descriptor, name, ssc_o_path() | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        path = parent.path + "/" + name
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Whether `name` exists (as access(2) says: a link counts when its target does).
    func has(_ name: String) -> Bool {
        faccessat(descriptor, name, F_OK, 0) == 0
    }

    /// The bytes of the attribute `name`, text or binary (read until a short read: the
    /// read that would confirm the end is not made).
    func bytes(_ name: String) -> [UInt8]? {
        let fd = openat(descriptor, name, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readToEnd(fd, stop: .shortRead)
    }

    /// A text attribute, trimmed; nil when absent or empty.
    func text(_ name: String) -> String? {
        guard let bytes = bytes(name) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmed
        return text.isEmpty ? nil : text
    }

    /// The entries of the subdirectory `name` ("." for this one), sorted, without "."
    /// and ".."; nil when it cannot be listed.
    func list(_ name: String) -> [String]? {
        let fd = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard let dir = fdopendir(fd) else {
            close(fd)
            return nil
        }
        defer { closedir(dir) }
        return directoryEntries(dir)
    }
}
