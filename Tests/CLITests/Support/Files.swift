import CShims
import Foundation

#if canImport(Glibc)
import Glibc
#endif

let KiB: Int64 = 1024
let MiB: Int64 = 1024 * 1024
let GiB: Int64 = 1024 * 1024 * 1024

/// Byte-level helpers on files and block devices. Data comes from /dev/urandom in large
/// buffers; comparisons are full byte compares with memcmp in 4 MiB chunks.
enum Files {
    static let chunk = 4 * 1024 * 1024

    static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) + " (errno \(code))" }

    /// open(2) that throws with the path and errno.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw HarnessError("open \(path): \(errnoText())") }
        return fd
    }

    static func pwriteAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
        var done = 0
        while done < buffer.count {
            let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw HarnessError("pwrite \(path) at \(offset + Int64(done)): \(errnoText())")
            }
            done += n
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at end of file.
    static func preadFull(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, count: Int, at offset: Int64, path: String) throws -> Int {
        var done = 0
        while done < count {
            let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw HarnessError("pread \(path) at \(offset + Int64(done)): \(errnoText())")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    // MARK: writing

    /// Writes `length` random bytes at `offset` (like dd conv=notrunc); creates the file.
    static func writeRandom(_ path: String, at offset: Int64 = 0, length: Int64) throws {
        let fd = try open(path, O_WRONLY | O_CREAT)
        defer { close(fd) }
        let random = try open("/dev/urandom", O_RDONLY)
        defer { close(random) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while done < length {
            let n = Int(min(Int64(chunk), length - done))
            let got = try preadFullStream(random, buffer, count: n)
            guard got == n else { throw HarnessError("short read from /dev/urandom") }
            try pwriteAll(fd, UnsafeRawBufferPointer(rebasing: buffer[0..<n]), at: offset + done, path: path)
            done += Int64(n)
        }
    }

    private static func preadFullStream(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, count: Int) throws -> Int {
        var done = 0
        while done < count {
            let n = read(fd, buffer.baseAddress! + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw HarnessError("read /dev/urandom: \(errnoText())")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// A new file (replacing any old one) of `size` random bytes.
    static func createRandom(_ path: String, size: Int64) throws {
        try createEmpty(path)
        try writeRandom(path, length: size)
        try setSize(path, size)
    }

    /// Writes `length` copies of `byte` at `offset` (files or block devices).
    static func fill(_ path: String, at offset: Int64 = 0, length: Int64, byte: UInt8) throws {
        let fd = try open(path, O_WRONLY | O_CREAT)
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { buffer.deallocate() }
        memset(buffer.baseAddress!, Int32(byte), chunk)
        var done: Int64 = 0
        while done < length {
            let n = Int(min(Int64(chunk), length - done))
            try pwriteAll(fd, UnsafeRawBufferPointer(rebasing: buffer[0..<n]), at: offset + done, path: path)
            done += Int64(n)
        }
    }

    /// A new file of `size` bytes all equal to `byte` (fully allocated).
    static func createFilled(_ path: String, size: Int64, byte: UInt8) throws {
        try createEmpty(path)
        try fill(path, length: size, byte: byte)
    }

    static func createEmpty(_ path: String) throws {
        let fd = try open(path, O_WRONLY | O_CREAT | O_TRUNC)
        close(fd)
    }

    static func setSize(_ path: String, _ size: Int64) throws {
        guard truncate(path, off_t(size)) == 0 else { throw HarnessError("truncate \(path) to \(size): \(errnoText())") }
    }

    /// A sparse file of `size` bytes with random data only in `data` (offset, length)
    /// ranges: `truncate -s SIZE` plus `dd conv=notrunc` at each offset.
    static func createSparse(_ path: String, size: Int64, data: [(offset: Int64, length: Int64)]) throws {
        try createEmpty(path)
        try setSize(path, size)
        for range in data { try writeRandom(path, at: range.offset, length: range.length) }
        guard fsync(path) else { throw HarnessError("fsync \(path): \(errnoText())") }
    }

    @discardableResult
    static func fsync(_ path: String) -> Bool {
        guard let fd = try? open(path, O_RDONLY) else { return false }
        defer { close(fd) }
        return Glibc.fsync(fd) == 0
    }

    static func remove(_ paths: String...) {
        for path in paths { unlink(path) }
    }

    // MARK: reading and comparing

    /// nil when `count` bytes of `a` at `aOffset` equal those of `b` at `bOffset`, else a
    /// description of the first difference (or of a short read).
    static func compare(_ a: String, _ aOffset: Int64, _ b: String, _ bOffset: Int64, count: Int64) throws -> String? {
        let fa = try open(a, O_RDONLY)
        defer { close(fa) }
        let fb = try open(b, O_RDONLY)
        defer { close(fb) }
        let ba = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { ba.deallocate() }
        let bb = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { bb.deallocate() }
        var done: Int64 = 0
        while done < count {
            let n = Int(min(Int64(chunk), count - done))
            let ga = try preadFull(fa, ba, count: n, at: aOffset + done, path: a)
            let gb = try preadFull(fb, bb, count: n, at: bOffset + done, path: b)
            if ga != n { return "\(a) ends at \(aOffset + done + Int64(ga)), before \(aOffset + count)" }
            if gb != n { return "\(b) ends at \(bOffset + done + Int64(gb)), before \(bOffset + count)" }
            if memcmp(ba.baseAddress!, bb.baseAddress!, n) != 0 {
                var i = 0
                while i < n && ba[i] == bb[i] { i += 1 }
                return "first difference at \(a)@\(aOffset + done + Int64(i)) (0x\(String(ba[i], radix: 16))) vs \(b)@\(bOffset + done + Int64(i)) (0x\(String(bb[i], radix: 16))), \(done + Int64(i)) bytes into the \(count)-byte range"
            }
            done += Int64(n)
        }
        return nil
    }

    /// nil when all `length` bytes at `offset` equal `byte`, else the first one that does not.
    static func check(_ path: String, at offset: Int64, length: Int64, allEqual byte: UInt8) throws -> String? {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        let expected = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { expected.deallocate() }
        memset(expected.baseAddress!, Int32(byte), chunk)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while done < length {
            let n = Int(min(Int64(chunk), length - done))
            let got = try preadFull(fd, buffer, count: n, at: offset + done, path: path)
            if got != n { return "\(path) ends at \(offset + done + Int64(got)), before \(offset + length)" }
            if memcmp(buffer.baseAddress!, expected.baseAddress!, n) != 0 {
                var i = 0
                while i < n && buffer[i] == byte { i += 1 }
                return "\(path)@\(offset + done + Int64(i)) is 0x\(String(buffer[i], radix: 16)), expected 0x\(String(byte, radix: 16)) throughout [\(offset), \(offset + length))"
            }
            done += Int64(n)
        }
        return nil
    }

    /// sha256sum of a whole file or block device.
    static func sha256(_ path: String) throws -> String {
        let out = try Shell.checked("sha256sum", [path])
        return String(out.prefix(64))
    }

    // MARK: metadata

    static func stat(_ path: String) throws -> Glibc.stat {
        var st = Glibc.stat()
        let rc = fstatat(AT_FDCWD, path, &st, 0)
        guard rc == 0 else { throw HarnessError("stat \(path): \(errnoText())") }
        return st
    }

    static func exists(_ path: String) -> Bool {
        var st = Glibc.stat()
        let rc: Int32 = Glibc.lstat(path, &st)
        return rc == 0
    }

    static func isBlockDevice(_ path: String) throws -> Bool {
        (try stat(path).st_mode & S_IFMT) == S_IFBLK
    }

    /// st_size for files, BLKGETSIZE64 for block devices.
    static func size(_ path: String) throws -> Int64 {
        if try isBlockDevice(path) {
            let fd = try open(path, O_RDONLY)
            defer { close(fd) }
            var bytes: UInt64 = 0
            guard ssc_blkgetsize64(fd, &bytes) == 0 else { throw HarnessError("BLKGETSIZE64 \(path): \(errnoText())") }
            return Int64(bytes)
        }
        return Int64(try stat(path).st_size)
    }

    /// Allocated bytes: st_blocks * 512.
    static func allocated(_ path: String) throws -> Int64 {
        Int64(try stat(path).st_blocks) * 512
    }

    static func fiemap(_ path: String) throws -> ssc_fiemap_summary {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        var summary = ssc_fiemap_summary()
        let length = UInt64(max(try size(path), 1))
        guard ssc_fiemap_summary(fd, length, &summary) == 0 else {
            throw HarnessError("FS_IOC_FIEMAP \(path): \(errnoText())")
        }
        return summary
    }

    /// "MAJ:MIN" of the device holding `path` (st_dev), as /proc/self/mountinfo writes it.
    static func deviceNumber(_ path: String) throws -> String {
        let dev = UInt64(try stat(path).st_dev)
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        return "\(major):\(minor)"
    }

    // MARK: page cache

    /// `sync; echo 3 > /proc/sys/vm/drop_caches`.
    static func dropCaches() throws {
        sync()
        guard let handle = FileHandle(forWritingAtPath: "/proc/sys/vm/drop_caches") else {
            throw HarnessError("cannot open /proc/sys/vm/drop_caches for writing (root needed)")
        }
        defer { try? handle.close() }
        try handle.write(contentsOf: Data("3\n".utf8))
    }

    /// Bytes of `path` (file or block device) resident in the page cache, by mmap +
    /// mincore (fincore(1) reports nothing for block devices since their st_size is 0).
    /// A block device's page cache is dropped when its last opener closes it, so for
    /// devices pass a `Holder` opened before the copy: it keeps the cache alive.
    static func residentBytes(_ path: String, holder: Holder? = nil) throws -> Int64 {
        let length = Int(try size(path))
        if length == 0 { return 0 }
        let fd = try holder?.fd ?? open(path, O_RDONLY)
        defer { if holder == nil { close(fd) } }
        guard let map = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else {
            throw HarnessError("mmap \(path): \(errnoText())")
        }
        defer { munmap(map, length) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pages = (length + page - 1) / page
        var vector = [UInt8](repeating: 0, count: pages)
        guard mincore(map, length, &vector) == 0 else { throw HarnessError("mincore \(path): \(errnoText())") }
        return Int64(vector.reduce(0) { $0 + Int($1 & 1) }) * Int64(page)
    }

    /// Keeps a read-only descriptor open (see `residentBytes`).
    final class Holder {
        let fd: Int32
        init(_ path: String) throws { fd = try Files.open(path, O_RDONLY) }
        deinit { close(fd) }
    }

    /// The same number from fincore(1), for regular files (a cross-check of `residentBytes`).
    static func fincoreBytes(_ path: String) throws -> Int64 {
        let out = try Shell.checked("fincore", ["--bytes", "--noheadings", "--output", "RES", path])
        guard let value = Int64(out.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw HarnessError("fincore printed \(out)")
        }
        return value
    }
}
