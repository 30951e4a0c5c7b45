import Glibc
import SystemPackage

/// The agent's listening socket: where it lives, who may connect, and what happens to a
/// stale socket file or an inherited (systemd-activated) socket.
public struct ListeningSocket: Sendable {
    public let socket: UnixSocket
    /// The socket file, or nil when the socket was inherited.
    public let path: String?
    /// Inherited through systemd socket activation: never unlinked by the agent.
    public let activated: Bool
    /// The inode bound, so the agent removes only its own socket file at exit.
    let boundInode: ino_t?

    public struct SetupError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// /run/ssc-agent/ssc-agent.sock for root, $XDG_RUNTIME_DIR/ssc-agent.sock otherwise.
    public static func defaultPath() throws(SetupError) -> String {
        if geteuid() == 0 { return "/run/ssc-agent/ssc-agent.sock" }
        guard let runtime = getenv("XDG_RUNTIME_DIR"), runtime.pointee != 0 else {
            throw SetupError(description: "XDG_RUNTIME_DIR is not set: name the socket with --socket PATH")
        }
        return String(cString: runtime) + "/ssc-agent.sock"
    }

    /// The group named by `--socket-group` (a name or a number); the agent's own group
    /// when nil.
    public static func groupID(_ name: String?) throws(SetupError) -> gid_t {
        guard let name else { return getegid() }
        if let entry = getgrnam(name) { return entry.pointee.gr_gid }
        if let number = gid_t(name) { return number }
        throw SetupError(description: "--socket-group \(name): no such group")
    }

    /// The socket systemd passed (LISTEN_PID is this process, LISTEN_FDS ≥ 1: descriptor
    /// 3), or nil. The variables are removed so children do not inherit them.
    public static func inherited() throws(SetupError) -> ListeningSocket? {
        guard let pidText = getenv("LISTEN_PID").map({ String(cString: $0) }), pid_t(pidText) == getpid(),
            let countText = getenv("LISTEN_FDS").map({ String(cString: $0) }), let count = Int(countText), count >= 1
        else { return nil }
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        let fd: CInt = 3  // SD_LISTEN_FDS_START
        var type: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0, type == CInt(SOCK_STREAM.rawValue) else {
            throw SetupError(description: "LISTEN_FDS is set but descriptor 3 is not a stream socket")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return ListeningSocket(socket: UnixSocket(descriptor: fd), path: nil, activated: true, boundInode: nil)
    }

    /// Binds and listens at `path` with mode 0660, owned by the agent's user and `group`.
    /// When `createDirectory`, the parent directory is created with mode 0750 and the
    /// same group. A stale socket file (nobody listening) is replaced; a live one or a
    /// file that is not a socket is an error.
    public static func bind(path: String, group: gid_t, createDirectory: Bool) throws(SetupError) -> ListeningSocket {
        guard !path.isEmpty else { throw SetupError(description: "the socket path is empty") }
        if createDirectory {
            let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            if !directory.isEmpty {
                if mkdir(directory, 0o750) == 0 {
                    _ = chown(directory, geteuid(), group)
                    _ = chmod(directory, 0o750)  // mkdir honours the umask
                } else if errno != EEXIST {
                    throw SetupError(description: "\(directory): cannot create the socket directory: \(Errno(rawValue: errno))")
                }
            }
        }
        try removeStale(path)
        let socket: UnixSocket
        do { socket = try UnixSocket.stream() } catch {
            throw SetupError(description: "cannot create a Unix socket: \(error)")
        }
        // Bind under a tight umask so the file is never reachable with wider rights.
        let savedMask = umask(0o177)
        do {
            try socket.bind(path: path)
        } catch {
            umask(savedMask)
            socket.close()
            throw SetupError(description: "\(path): cannot bind the socket: \(error)")
        }
        umask(savedMask)
        guard chown(path, geteuid(), group) == 0 || getegid() == group, chmod(path, 0o660) == 0 else {
            let e = Errno(rawValue: errno)
            unlink(path)
            socket.close()
            throw SetupError(description: "\(path): cannot set the socket's owner and mode: \(e)")
        }
        do { try socket.listen() } catch {
            unlink(path)
            socket.close()
            throw SetupError(description: "\(path): cannot listen: \(error)")
        }
        var st = stat()
        let inode = lstat(path, &st) == 0 ? st.st_ino : nil
        return ListeningSocket(socket: socket, path: path, activated: false, boundInode: inode)
    }

    private static func removeStale(_ path: String) throws(SetupError) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard st.st_mode & S_IFMT == S_IFSOCK else {
            throw SetupError(description: "\(path) exists and is not a socket: remove it or choose another --socket")
        }
        guard let probe = try? UnixSocket.stream() else { return }
        defer { probe.close() }
        do {
            try probe.connect(path: path)
            throw SetupError(description: "\(path): another agent is already listening on this socket")
        } catch let error as SetupError {
            throw error
        } catch {
            // ECONNREFUSED: nobody listens; the file is left over from a dead agent.
            unlink(path)
        }
    }

    /// Removes the socket file if it is still the one this agent bound.
    public func removeFile() {
        guard !activated, let path, let boundInode else { return }
        var st = stat()
        if lstat(path, &st) == 0, st.st_ino == boundInode { unlink(path) }
    }
}
