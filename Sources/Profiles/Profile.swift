import Backends

/// One device family's profile (one file of hw-profiles/): which devices it is for, the
/// backends to try on them in order, and the tunables to copy with. The schema is
/// documented in hw-profiles/README.md.
public struct Profile: Sendable, Equatable {
    public var name: String
    public var description: String
    /// True only for a profile a test in this repository proves on a real device.
    public var verified: Bool
    /// Where the profile's facts come from: the test that verifies it, or the vendor
    /// documents it was written from.
    public var source: String
    public var match: ProfileMatch
    public var order: [BackendName]
    public var tunables: ProfileTunables
    /// The file it was read from.
    public var origin: ProfileOrigin

    public init(
        name: String, description: String, verified: Bool, source: String, match: ProfileMatch, order: [BackendName],
        tunables: ProfileTunables, origin: ProfileOrigin
    ) {
        self.name = name
        self.description = description
        self.verified = verified
        self.source = source
        self.match = match
        self.order = order
        self.tunables = tunables
        self.origin = origin
    }

    /// A profile without rules matches every device: a set needs one (generic), so
    /// that selection always has a last resort.
    public var isCatchAll: Bool { match.specificity == 0 }
}

/// Where a profile came from, for messages and `profiles` listings.
public struct ProfileOrigin: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// Compiled into the binary from hw-profiles/.
        case builtIn = "built-in"
        /// A file of an override directory (/etc/ssc-agent/profiles.d, --profiles DIR).
        case file
    }

    public var kind: Kind
    /// "hw-profiles/xfs.toml" for a built-in profile, the file's path otherwise.
    public var path: String

    public init(kind: Kind, path: String) {
        self.kind = kind
        self.path = path
    }

    public var description: String { kind == .builtIn ? "\(path) (built in)" : path }
}

/// The tunables a profile sets; unset ones keep the engine's defaults.
public struct ProfileTunables: Sendable, Equatable {
    public var aioBlockSize: Int?
    public var aioQueueDepth: Int?
    public var aioDirect: Bool?
    public var copyFileRangeChunk: UInt64?
    public var xcopyBytesPerCommand: UInt64?
    public var xcopySegmentsPerCommand: Int?
    public var xcopyConcurrency: Int?
    public var xcopyTimeoutSeconds: Int?

    public init(
        aioBlockSize: Int? = nil, aioQueueDepth: Int? = nil, aioDirect: Bool? = nil, copyFileRangeChunk: UInt64? = nil,
        xcopyBytesPerCommand: UInt64? = nil, xcopySegmentsPerCommand: Int? = nil, xcopyConcurrency: Int? = nil,
        xcopyTimeoutSeconds: Int? = nil
    ) {
        self.aioBlockSize = aioBlockSize
        self.aioQueueDepth = aioQueueDepth
        self.aioDirect = aioDirect
        self.copyFileRangeChunk = copyFileRangeChunk
        self.xcopyBytesPerCommand = xcopyBytesPerCommand
        self.xcopySegmentsPerCommand = xcopySegmentsPerCommand
        self.xcopyConcurrency = xcopyConcurrency
        self.xcopyTimeoutSeconds = xcopyTimeoutSeconds
    }

    /// The engine's defaults with these set over them.
    public func applied(to base: Tunables = Tunables()) -> Tunables {
        var t = base
        if let aioBlockSize { t.aio.blockSize = aioBlockSize }
        if let aioQueueDepth { t.aio.queueDepth = aioQueueDepth }
        if let aioDirect { t.aio.direct = aioDirect }
        if let copyFileRangeChunk { t.copyFileRangeChunk = copyFileRangeChunk }
        if let xcopyBytesPerCommand { t.xcopy.bytesPerCommand = xcopyBytesPerCommand }
        if let xcopySegmentsPerCommand { t.xcopy.segmentsPerCommand = xcopySegmentsPerCommand }
        if let xcopyConcurrency { t.xcopy.concurrency = xcopyConcurrency }
        if let xcopyTimeoutSeconds { t.xcopy.timeout = .seconds(xcopyTimeoutSeconds) }
        return t
    }
}
