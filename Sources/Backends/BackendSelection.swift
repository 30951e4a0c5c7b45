/// What selection decided for one source/destination pair: the backends to try, in
/// order, the ones left out and why, and the tunables to copy with.
public struct BackendPlan: Sendable {
    /// Backends to try, best first.
    public var order: [BackendName]
    /// Backends not tried for this pair, each with the reason (reported in `skipped`
    /// with the class `excluded`, so every backend's fate is visible).
    public var excluded: [BackendSkip]
    public var tunables: Tunables
    /// The profile chosen for each end, when profiles chose.
    public var sourceProfile: String?
    public var destinationProfile: String?
    /// One line per decision: which profile matched each end and why, how the order
    /// was formed. Worded when read: a copy that neither logs at debug level nor
    /// reports its selection never needs the words.
    public var explanation: [String] {
        get { explain() }
        set { explain = { newValue } }
    }
    private var explain: @Sendable () -> [String]

    public init(
        order: [BackendName], excluded: [BackendSkip] = [], tunables: Tunables = Tunables(), sourceProfile: String? = nil,
        destinationProfile: String? = nil, explanation: [String] = []
    ) {
        self.init(
            order: order, excluded: excluded, tunables: tunables, sourceProfile: sourceProfile,
            destinationProfile: destinationProfile, explain: { explanation })
    }

    /// A plan whose explanation `explain` words when it is read.
    public init(
        order: [BackendName], excluded: [BackendSkip] = [], tunables: Tunables = Tunables(), sourceProfile: String? = nil,
        destinationProfile: String? = nil, explain: @escaping @Sendable () -> [String]
    ) {
        self.order = order
        self.excluded = excluded
        self.tunables = tunables
        self.sourceProfile = sourceProfile
        self.destinationProfile = destinationProfile
        self.explain = explain
    }
}

/// Chooses the backends for a pair of endpoints. The engine asks once per copy, before
/// any byte moves; an agent keeps one selector for its lifetime (profiles reloadable
/// behind it).
public protocol BackendSelecting: Sendable {
    func plan(source: DeviceIdentity, destination: DeviceIdentity) -> BackendPlan
}

/// Every backend in one fixed order with default tunables: the selector of an engine
/// built without profiles (unit tests with backend doubles).
public struct FixedOrderSelector: BackendSelecting {
    public let order: [BackendName]

    public init(order: [BackendName] = BackendName.allCases) {
        self.order = order
    }

    public func plan(source: DeviceIdentity, destination: DeviceIdentity) -> BackendPlan {
        BackendPlan(order: order, explanation: ["fixed order \(order.map(\.rawValue).joined(separator: ", "))"])
    }
}

/// Tunables given for one copy (command-line options), applied over the profile's.
public struct TunableOverrides: Sendable {
    public var aioBlockSize: Int?
    public var aioQueueDepth: Int?
    public var aioDirect: Bool?
    public var xcopyTimeout: Duration?

    public init(aioBlockSize: Int? = nil, aioQueueDepth: Int? = nil, aioDirect: Bool? = nil, xcopyTimeout: Duration? = nil) {
        self.aioBlockSize = aioBlockSize
        self.aioQueueDepth = aioQueueDepth
        self.aioDirect = aioDirect
        self.xcopyTimeout = xcopyTimeout
    }

    public func applied(to tunables: Tunables) -> Tunables {
        var result = tunables
        if let aioBlockSize { result.aio.blockSize = aioBlockSize }
        if let aioQueueDepth { result.aio.queueDepth = aioQueueDepth }
        if let aioDirect { result.aio.direct = aioDirect }
        if let xcopyTimeout { result.xcopy.timeout = xcopyTimeout }
        return result
    }
}
