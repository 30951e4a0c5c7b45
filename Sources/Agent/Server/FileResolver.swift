import Backends
import CShims
import Glibc

/// Turns file refs into open files under the protocol's rules.
///
/// A passed descriptor is used as it is: its access mode must allow the role, O_PATH
/// descriptors and an O_APPEND destination are refused, and it is never reopened wider
/// or changed. A path is honoured only for a peer running as root or as the agent's own
/// user, so the agent never opens a file for someone who could not.
struct FileResolver: Sendable {
    enum Role: String {
        case source
        case destination
        /// device.probe: read-only inspection.
        case inspected = "file"
    }

    struct Resolved: Sendable {
        let file: CopyFile
        /// A passed descriptor kept for as long as `file` is used.
        let held: HeldDescriptor?
        /// The file's absolute path when known (a path ref, or /proc/self/fd).
        let resolvedPath: String?
    }

    let agentUID: uid_t

    func mayUsePaths(_ peer: PeerCredentials) -> Bool {
        peer.uid == 0 || peer.uid == agentUID
    }

    /// Blocking (open, fcntl): call from a blocking-pool thread.
    func resolve(_ ref: FileRef, role: Role, peer: PeerCredentials, descriptors: ReceivedDescriptors, parameter: String)
        throws(RPCError) -> Resolved
    {
        switch ref {
        case .descriptor(let index):
            guard let held = descriptors.hold(index) else {
                throw RPCError.invalidParams(
                    "\(parameter): {\"fd\": \(index)} but the frame carried \(descriptors.count) descriptor(s)")
            }
            let fd = held.descriptor
            let target = CopyFile.openedPath(of: fd)
            let name = "\(parameter) (descriptor \(index)\(target.map { ", \($0)" } ?? ""))"
            let flags = fcntl(fd, F_GETFL)
            guard flags >= 0 else {
                throw RPCError(.invalid, "\(name): the descriptor is not open (fcntl: \(String(cString: strerror(errno))))")
            }
            if flags & ssc_o_path() != 0 {
                throw RPCError(.access, "\(name): an O_PATH descriptor allows no I/O; open the file for \(role == .source ? "reading" : "writing")")
            }
            let mode = flags & O_ACCMODE
            switch role {
            case .source where mode == O_WRONLY:
                throw RPCError(.access, "\(name): the source descriptor is not open for reading (O_WRONLY)")
            case .destination where mode == O_RDONLY:
                throw RPCError(.access, "\(name): the destination descriptor is not open for writing (O_RDONLY)")
            case .destination where flags & O_APPEND != 0:
                throw RPCError(.access, "\(name): the destination descriptor is O_APPEND, which cannot write at an offset")
            default: break
            }
            do {
                return Resolved(
                    file: try CopyFile(descriptor: fd, name: name, owned: false, openedPath: .some(target)), held: held, resolvedPath: target)
            } catch {
                throw RPCError(error)
            }
        case .path(let path):
            guard mayUsePaths(peer) else {
                throw RPCError(
                    .access,
                    "\(parameter): \(path): paths are honoured only for root and the agent's own user (uid \(agentUID)); uid \(peer.uid) must pass a descriptor")
            }
            guard path.hasPrefix("/") else {
                throw RPCError(.invalid, "\(parameter): \(path) is a relative path; the agent needs an absolute one")
            }
            do throws(CopyError) {
                let file: CopyFile
                switch role {
                case .source: file = try CopyFile.openSource(path: path)
                case .destination: file = try CopyFile.openDestination(path: path)
                case .inspected:
                    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
                    guard fd >= 0 else { throw CopyError(.invalid, "\(path): cannot open the file to probe: \(String(cString: strerror(errno)))") }
                    file = try CopyFile(descriptor: fd, name: path, owned: true)
                }
                return Resolved(file: file, held: nil, resolvedPath: path)
            } catch {
                throw RPCError(error)
            }
        }
    }
}
