import SystemPackage

/// The error kinds of the design contract. Each maps to the NFSv4.2 status a front
/// answers for it (RFC 7862 for the offload codes, RFC 7530 for the rest).
public enum CopyErrorKind: String, Sendable, Codable, CaseIterable {
    case invalid
    case busy
    case notSupported = "not_supported"
    case denied
    case noSuchJob = "no_such_job"
    case access
    case exists
    case xdev
    case wrongType = "wrong_type"
    case nospace
    case quota
    case fbig
    case rofs
    case stale
    case io
    case `internal`

    public var nfs4: String {
        switch self {
        case .invalid: "NFS4ERR_INVAL"
        case .busy: "NFS4ERR_DELAY"
        case .notSupported: "NFS4ERR_NOTSUPP"
        case .denied: "NFS4ERR_OFFLOAD_DENIED"
        case .noSuchJob: "NFS4ERR_BAD_STATEID"
        case .access: "NFS4ERR_ACCESS"
        case .exists: "NFS4ERR_EXIST"
        case .xdev: "NFS4ERR_XDEV"
        case .wrongType: "NFS4ERR_WRONG_TYPE"
        case .nospace: "NFS4ERR_NOSPC"
        case .quota: "NFS4ERR_DQUOT"
        case .fbig: "NFS4ERR_FBIG"
        case .rofs: "NFS4ERR_ROFS"
        case .stale: "NFS4ERR_STALE"
        case .io: "NFS4ERR_IO"
        case .internal: "NFS4ERR_SERVERFAULT"
        }
    }

    /// The kind an errno from a data-moving system call stands for.
    public init(errno: Errno) {
        switch errno {
        case .noSpace: self = .nospace
        case .diskQuotaExceeded: self = .quota
        case .fileTooLarge: self = .fbig
        case .readOnlyFileSystem: self = .rofs
        case .staleNFSFileHandle: self = .stale
        case .permissionDenied, .notPermitted: self = .access
        case .invalidArgument: self = .invalid
        case .improperLink: self = .xdev
        case .isDirectory, .notDirectory: self = .wrongType
        case .notSupported, .noFunction, .inappropriateIOCTLForDevice: self = .notSupported
        case .fileExists: self = .exists
        default: self = .io
        }
    }
}

/// A failed copy: what went wrong, one human sentence naming the file or parameter at
/// fault, and how many contiguous bytes from the start of the range are in place.
public struct CopyError: Error, Sendable, CustomStringConvertible {
    public var kind: CopyErrorKind
    public var message: String
    public var errno: Errno?
    public var bytes: UInt64
    /// Set when `kind` is `wrongType` because of a directory (NFS4ERR_ISDIR).
    public var isDirectory: Bool

    public init(_ kind: CopyErrorKind, _ message: String, errno: Errno? = nil, bytes: UInt64 = 0, isDirectory: Bool = false) {
        self.kind = kind
        self.message = message
        self.errno = errno
        self.bytes = bytes
        self.isDirectory = isDirectory
    }

    /// An error from a system call on `file`, classified by its errno.
    public init(_ errno: Errno, doing operation: String, on file: String, bytes: UInt64 = 0) {
        self.init(
            CopyErrorKind(errno: errno),
            "\(file): \(operation) failed: \(errno.summary)",
            errno: errno, bytes: bytes, isDirectory: errno == .isDirectory)
    }

    public var nfs4: String { isDirectory ? "NFS4ERR_ISDIR" : kind.nfs4 }

    public var description: String { message }

    public func with(bytes: UInt64) -> CopyError {
        var copy = self
        copy.bytes = bytes
        return copy
    }
}

extension Errno {
    /// "No space left on device (ENOSPC)": the strerror text and the symbolic name.
    public var summary: String {
        if let name = Errno.symbolicNames[rawValue] {
            return "\(description) (\(name))"
        }
        return "\(description) (errno \(rawValue))"
    }

    static let symbolicNames: [CInt: String] = [
        Errno.notPermitted.rawValue: "EPERM", Errno.noSuchFileOrDirectory.rawValue: "ENOENT",
        Errno.ioError.rawValue: "EIO", Errno.noSuchAddressOrDevice.rawValue: "ENXIO",
        Errno.badFileDescriptor.rawValue: "EBADF", Errno.resourceTemporarilyUnavailable.rawValue: "EAGAIN",
        Errno.noMemory.rawValue: "ENOMEM", Errno.permissionDenied.rawValue: "EACCES",
        Errno.resourceBusy.rawValue: "EBUSY", Errno.fileExists.rawValue: "EEXIST",
        Errno.improperLink.rawValue: "EXDEV", Errno.notDirectory.rawValue: "ENOTDIR", Errno.isDirectory.rawValue: "EISDIR",
        Errno.invalidArgument.rawValue: "EINVAL", Errno.inappropriateIOCTLForDevice.rawValue: "ENOTTY",
        Errno.textFileBusy.rawValue: "ETXTBSY", Errno.fileTooLarge.rawValue: "EFBIG",
        Errno.noSpace.rawValue: "ENOSPC", Errno.illegalSeek.rawValue: "ESPIPE",
        Errno.readOnlyFileSystem.rawValue: "EROFS", Errno.noFunction.rawValue: "ENOSYS",
        Errno.notSupported.rawValue: "EOPNOTSUPP", Errno.diskQuotaExceeded.rawValue: "EDQUOT",
        Errno.staleNFSFileHandle.rawValue: "ESTALE", Errno.interrupted.rawValue: "EINTR",
    ]
}
