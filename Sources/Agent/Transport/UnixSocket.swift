import CShims
import Glibc
import SystemPackage

/// Who is on the other end of a connected Unix socket (SO_PEERCRED).
public struct PeerCredentials: Sendable, Equatable {
    public var pid: pid_t
    public var uid: uid_t
    public var gid: gid_t
}

/// A Unix stream socket descriptor with the calls the protocol needs. It does not own
/// the descriptor's lifetime policy: `close()` is explicit.
public struct UnixSocket: Sendable {
    public let descriptor: CInt

    public init(descriptor: CInt) {
        self.descriptor = descriptor
    }

    public static func stream() throws(Errno) -> UnixSocket {
        let fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        return UnixSocket(descriptor: fd)
    }

    /// Fills a sockaddr_un; the path must fit in sun_path with its NUL.
    static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) throws(Errno) -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else { throw Errno.fileNameTooLong }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    public func bind(path: String) throws(Errno) {
        let rc = try Self.withAddress(path) { Glibc.bind(descriptor, $0, $1) }
        guard rc == 0 else { throw Errno(rawValue: errno) }
    }

    public func listen(backlog: CInt = 128) throws(Errno) {
        guard Glibc.listen(descriptor, backlog) == 0 else { throw Errno(rawValue: errno) }
    }

    public func connect(path: String) throws(Errno) {
        while true {
            let rc = try Self.withAddress(path) { Glibc.connect(descriptor, $0, $1) }
            if rc == 0 { return }
            if errno == EINTR { continue }
            throw Errno(rawValue: errno)
        }
    }

    /// Blocks until a peer connects. EINTR and a peer that vanished before accept are
    /// retried; other errors are thrown (EBADF/EINVAL once the listener is shut down).
    public func accept() throws(Errno) -> UnixSocket {
        while true {
            let fd = ssc_accept_cloexec(descriptor)
            if fd >= 0 { return UnixSocket(descriptor: fd) }
            switch errno {
            case EINTR, ECONNABORTED: continue
            default: throw Errno(rawValue: errno)
            }
        }
    }

    public func peerCredentials() throws(Errno) -> PeerCredentials {
        var cred = ssc_peer_credentials()
        guard ssc_peer_credentials(descriptor, &cred) == 0 else { throw Errno(rawValue: errno) }
        return PeerCredentials(pid: cred.pid, uid: cred.uid, gid: cred.gid)
    }

    /// One recvmsg: bytes into `buffer`, descriptors (MSG_CMSG_CLOEXEC) as returned.
    /// Zero bytes means the peer closed its end.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, maxDescriptors: Int) throws(Errno)
        -> (count: Int, descriptors: [CInt], truncated: Bool)
    {
        // Room for one descriptor more than allowed, so "too many" is seen as such
        // rather than as a truncation.
        let room = maxDescriptors + 1
        var fds = [CInt](repeating: -1, count: room)
        var fdCount: CInt = 0
        var truncated: CInt = 0
        while true {
            let n = fds.withUnsafeMutableBufferPointer {
                ssc_recv_with_fds(descriptor, buffer.baseAddress, buffer.count, $0.baseAddress, CInt(room), &fdCount, &truncated)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw Errno(rawValue: errno)
            }
            return (n, Array(fds.prefix(Int(fdCount))), truncated != 0)
        }
    }

    /// Sends all of `bytes`, with `descriptors` on the first sendmsg (the one carrying
    /// the first byte), as the protocol requires.
    public func send(_ bytes: [UInt8], descriptors: [CInt] = []) throws(Errno) {
        var offset = 0
        var fds = descriptors
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                fds.withUnsafeBufferPointer {
                    ssc_send_with_fds(descriptor, raw.baseAddress! + offset, raw.count - offset, $0.baseAddress, CInt($0.count))
                }
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw Errno(rawValue: errno)
            }
            offset += n
            fds = []
        }
    }

    /// One send that does not wait for room in the socket buffer (MSG_DONTWAIT): the
    /// bytes the kernel took, 0 when it would have blocked, or the error.
    public func sendWithoutWaiting(_ bytes: [UInt8]) -> Result<Int, Errno> {
        while true {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.send(descriptor, raw.baseAddress, raw.count, CInt(MSG_DONTWAIT | MSG_NOSIGNAL))
            }
            if n >= 0 { return .success(n) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .success(0)
            default: return .failure(Errno(rawValue: errno))
            }
        }
    }

    /// Wakes a thread blocked in accept or recvmsg on this socket.
    public func shutdown() {
        _ = Glibc.shutdown(descriptor, CInt(SHUT_RDWR))
    }

    public func close() {
        _ = Glibc.close(descriptor)
    }
}
