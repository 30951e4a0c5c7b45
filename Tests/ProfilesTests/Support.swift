import Backends
import Glibc
import Profiles
import TestSupport
import XCTest

/// A scratch directory for one test, removed afterwards.
final class ScratchDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/ssc-profiles-tests.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw POSIXError(.EIO)
        }
        path = String(cString: made)
    }

    deinit { _ = system("rm -rf '\(path)'") }

    /// Writes `text` (or bytes) to `relative`, making the directories on the way.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        try write(relative, Array(text.utf8))
    }

    @discardableResult
    func write(_ relative: String, _ bytes: [UInt8]) throws -> String {
        let full = "\(path)/\(relative)"
        try makeDirectory(parentOf: full)
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
        defer { close(fd) }
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw POSIXError(.EIO) }
        return full
    }

    func symlink(_ relative: String, to target: String) throws {
        let full = "\(path)/\(relative)"
        try makeDirectory(parentOf: full)
        guard Glibc.symlink(target, full) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
    }

    func makeDirectory(_ relative: String) throws { try makeDirectory(path: "\(path)/\(relative)") }

    private func makeDirectory(parentOf full: String) throws {
        guard let slash = full.lastIndex(of: "/") else { return }
        try makeDirectory(path: String(full[..<slash]))
    }

    private func makeDirectory(path: String) throws {
        guard system("mkdir -p '\(path)'") == 0 else { throw POSIXError(.EIO) }
    }
}

/// A minimal valid profile's text with `extra` lines added to its [match] table.
func profileText(name: String, order: [String] = ["aio"], match: String = "", tunables: String = "") -> String {
    """
    name = "\(name)"
    description = "test profile \(name)"
    verified = false
    source = "a test"
    order = [\(order.map { "\"\($0)\"" }.joined(separator: ", "))]

    [match]
    \(match)
    \(tunables)
    """
}

func identity(_ path: String, fileType: FileKind = .regular, fstype: String? = nil, disk: BlockDeviceNode? = nil) -> DeviceIdentity {
    DeviceIdentity(path: path, fileType: fileType, device: "1:1", fstype: fstype, blockDevice: disk)
}

func ascii(_ text: String, width: Int) -> [UInt8] {
    Array((text + String(repeating: " ", count: max(0, width - text.count))).utf8.prefix(width))
}
