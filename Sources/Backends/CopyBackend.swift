import SystemPackage

/// The backends, in the names users and the protocol see.
public enum BackendName: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case reflink
    case copyFileRange = "copy_file_range"
    case xcopy
    case aio

    public var description: String { rawValue }
}

/// Why a backend cannot serve a request, classified as the design's fallback rules say.
public enum DeclineClass: String, Sendable, Codable {
    /// ENOTSUP, EOPNOTSUPP, ENOSYS, ENOTTY, EXDEV, invalid opcode, 3PC=0: remembered
    /// for the (backend, source device, destination device) pair.
    case notSupported = "not_supported"
    /// EINVAL from an unaligned clone, an unaligned XCOPY range: this request only.
    case cannotServe = "cannot_serve"
    /// EPERM, EACCES, COPY ABORTED (copy target not reachable): this request only.
    case denied
    /// Not tried: the profiles chosen for the pair do not list the backend.
    case excluded

    /// The error kind reported when a forced backend declines.
    var errorKind: CopyErrorKind {
        switch self {
        case .notSupported: .notSupported
        case .cannotServe: .invalid
        case .denied: .denied
        case .excluded: .notSupported
        }
    }
}

public struct Decline: Sendable, Error, CustomStringConvertible {
    public var reason: DeclineClass
    public var message: String
    public var errno: Errno?

    public init(_ reason: DeclineClass, _ message: String, errno: Errno? = nil) {
        self.reason = reason
        self.message = message
        self.errno = errno
    }

    public var description: String { message }
}

/// A backend's answer before any byte moves.
public enum Verdict: Sendable {
    case yes
    /// Nothing rules it out; only the first real call will tell.
    case maybe(String)
    case no(Decline)
}

/// A backend's answer to a trial: what `probe` reports for a pair.
public enum TrialVerdict: Sendable {
    case yes(String)
    case maybe(String)
    case no(Decline)
}

/// How a backend's copy ended when it did not return normally.
public enum BackendError: Error, Sendable {
    /// No byte moved: the next backend may be tried.
    case declined(Decline)
    /// Bytes may have moved: stop, report, never fall back over them.
    case failed(CopyError)
}

/// What a backend did.
public struct BackendResult: Sendable {
    /// Contiguous bytes from the start of the range now in place; less than the plan's
    /// count only when the copy was cancelled.
    public var bytes: UInt64
    /// For streaming backends, whether O_DIRECT carried the bulk of each side's I/O.
    public var direct: DirectUse?
    /// Bytes that passed through the agent's own buffers.
    public var bufferedBytes: UInt64

    public init(bytes: UInt64, direct: DirectUse? = nil, bufferedBytes: UInt64 = 0) {
        self.bytes = bytes
        self.direct = direct
        self.bufferedBytes = bufferedBytes
    }
}

public struct DirectUse: Sendable, Codable, Equatable {
    public var source: Bool
    public var destination: Bool
}

/// A copy mechanism. A backend tells whether it can serve a plan before any byte
/// moves, then copies the plan's range, reporting progress and honouring cancellation
/// through the context.
public protocol CopyBackend: Sendable {
    var name: BackendName { get }
    /// Static checks only: file types, alignment, what the plan already knows.
    func assess(_ plan: CopyPlan) -> Verdict
    /// Copies `plan.count` bytes. Throws `.declined` only if no byte moved.
    func copy(_ plan: CopyPlan, context: CopyContext) throws(BackendError) -> BackendResult
    /// Whether the backend could copy the plan's pair, found out without changing
    /// anything a user can see: the plan's destination is an unnamed O_TMPFILE file in
    /// the real destination's directory, or a block device no trial writes to. Asked
    /// only after `assess` did not say no.
    func trial(_ plan: CopyPlan) -> TrialVerdict
}

extension CopyBackend {
    /// Backends without a trial of their own answer from their static checks.
    public func trial(_ plan: CopyPlan) -> TrialVerdict {
        switch assess(plan) {
        case .yes: .yes("nothing rules it out")
        case .maybe(let why): .maybe(why)
        case .no(let decline): .no(decline)
        }
    }
}
