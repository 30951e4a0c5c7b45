import Backends
import Glibc
import XCTest

/// A scratch directory under /tmp for one test, removed afterwards, with helpers to
/// make and read files without Foundation's file APIs hiding errors.
final class Scratch {
    let path: String

    init() throws {
        var template = Array("/tmp/ssc-backends-tests.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw POSIXError(.EIO)
        }
        path = String(cString: made)
    }

    deinit {
        _ = system("rm -rf '\(path)'")
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `bytes` at `offset` of `name` (creating it), leaving the rest alone.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8], at offset: Int = 0) throws -> String {
        let p = file(name)
        let fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
        defer { close(fd) }
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard n == bytes.count else { throw POSIXError(.EIO) }
        return p
    }

    func truncate(_ name: String, to size: Int) throws {
        guard Glibc.truncate(file(name), off_t(size)) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
    }

    func read(_ name: String) throws -> [UInt8] {
        let fd = open(file(name), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            result += chunk[0..<n]
        }
        return result
    }

    func allocatedBytes(_ name: String) -> Int {
        var st = stat()
        _ = fstatat(AT_FDCWD, file(name), &st, 0)
        return Int(st.st_blocks) * 512
    }
}

/// Deterministic pseudo-random bytes (xorshift64*), so failures reproduce.
func pattern(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    var out = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        out[i] = UInt8(truncatingIfNeeded: (state &* 2_685_821_657_736_338_717) >> 56)
    }
    return out
}
