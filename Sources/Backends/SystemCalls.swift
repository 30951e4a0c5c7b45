import CShims
import Glibc
import SystemPackage

/// Small typed wrappers over the system calls the backends use. Each returns the
/// result or throws the `Errno` the call left, retrying on EINTR where that is safe.
enum SystemCalls {
    static func fstat(_ fd: CInt) throws(Errno) -> Glibc.stat {
        var st = Glibc.stat()
        guard Glibc.fstat(fd, &st) == 0 else { throw Errno.current }
        return st
    }

    static func stat(path: String) throws(Errno) -> Glibc.stat {
        var st = Glibc.stat()
        guard lstatOrStat(path, &st, follow: true) == 0 else { throw Errno.current }
        return st
    }

    static func statfs(_ fd: CInt) throws(Errno) -> ssc_statfs_info {
        var info = ssc_statfs_info()
        guard ssc_fstatfs(fd, &info) == 0 else { throw Errno.current }
        return info
    }

    static func open(_ path: String, _ flags: CInt, mode: mode_t = 0) throws(Errno) -> CInt {
        while true {
            let fd = Glibc.open(path, flags, mode)
            if fd >= 0 { return fd }
            if Errno.current != .interrupted { throw Errno.current }
        }
    }

    static func fileStatusFlags(_ fd: CInt) throws(Errno) -> CInt {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 else { throw Errno.current }
        return flags
    }

    static func setFileStatusFlags(_ fd: CInt, _ flags: CInt) throws(Errno) {
        guard fcntl(fd, F_SETFL, flags) == 0 else { throw Errno.current }
    }

    /// pread until `count` bytes arrived or EOF; returns the bytes read.
    static func preadFully(_ fd: CInt, _ buffer: UnsafeMutableRawPointer, count: Int, offset: UInt64) throws(Errno) -> Int {
        var done = 0
        while done < count {
            let n = pread(fd, buffer + done, count - done, off_t(offset) + off_t(done))
            if n > 0 { done += n; continue }
            if n == 0 { break }
            if Errno.current == .interrupted { continue }
            throw Errno.current
        }
        return done
    }

    /// pwrite all of `count` bytes. On failure the thrown error carries how many landed.
    static func pwriteFully(_ fd: CInt, _ buffer: UnsafeRawPointer, count: Int, offset: UInt64) throws(PartialWrite) {
        var done = 0
        while done < count {
            let n = pwrite(fd, buffer + done, count - done, off_t(offset) + off_t(done))
            if n > 0 { done += n; continue }
            if n < 0 && Errno.current == .interrupted { continue }
            throw PartialWrite(errno: n == 0 ? .ioError : Errno.current, written: UInt64(done))
        }
    }

    struct PartialWrite: Error {
        var errno: Errno
        var written: UInt64
    }

    static func ftruncate(_ fd: CInt, _ size: UInt64) throws(Errno) {
        while Glibc.ftruncate(fd, off_t(size)) != 0 {
            if Errno.current != .interrupted { throw Errno.current }
        }
    }

    static func fdatasync(_ fd: CInt) throws(Errno) {
        while Glibc.fdatasync(fd) != 0 {
            if Errno.current != .interrupted { throw Errno.current }
        }
    }

    /// lseek with SEEK_DATA or SEEK_HOLE; nil at ENXIO (no more data past `offset`).
    static func seek(_ fd: CInt, _ offset: UInt64, whence: CInt) throws(Errno) -> UInt64? {
        let r = lseek(fd, off_t(offset), whence)
        if r >= 0 { return UInt64(r) }
        if Errno.current == .noSuchAddressOrDevice { return nil }
        throw Errno.current
    }

    static func blockDeviceSize(_ fd: CInt) throws(Errno) -> UInt64 {
        var bytes: UInt64 = 0
        guard ssc_blkgetsize64(fd, &bytes) == 0 else { throw Errno.current }
        return bytes
    }

    static func logicalBlockSize(_ fd: CInt) throws(Errno) -> Int {
        var size: CInt = 0
        guard ssc_blksszget(fd, &size) == 0 else { throw Errno.current }
        return Int(size)
    }

    static func physicalBlockSize(_ fd: CInt) throws(Errno) -> Int {
        var size: CUnsignedInt = 0
        guard ssc_blkpbszget(fd, &size) == 0 else { throw Errno.current }
        return Int(size)
    }

    static func directIOAlignment(_ fd: CInt) throws(Errno) -> ssc_dio_align {
        var info = ssc_dio_align()
        guard ssc_statx_dioalign(fd, &info) == 0 else { throw Errno.current }
        return info
    }
}

/// Glibc's `stat` function and `stat` struct share a name Swift resolves to the
/// struct; fstatat says the same without the clash.
private func lstatOrStat(_ path: String, _ st: inout Glibc.stat, follow: Bool) -> CInt {
    fstatat(AT_FDCWD, path, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW)
}

extension Errno {
    static var current: Errno { Errno(rawValue: Glibc.errno) }
}
