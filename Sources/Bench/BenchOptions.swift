import Backends

/// What `ssc-agent bench` was asked to do.
public struct BenchOptions: Sendable {
    public var source: String
    public var destination: String
    /// The backends to run, in this order; nil: every backend that can serve the pair.
    public var backends: [BackendName]?
    /// External tools to run beside them, in this order.
    public var tools: [ToolName]
    /// Timed runs per case, after one untimed warm-up run.
    public var runs: Int
    /// Drop the page cache before each timed run (needs root).
    public var cold: Bool
    /// Tunables set on the command line over what the pair's profiles choose.
    public var overrides: TunableOverrides

    public init(
        source: String, destination: String, backends: [BackendName]? = nil, tools: [ToolName] = [], runs: Int = 5,
        cold: Bool = false, overrides: TunableOverrides = TunableOverrides()
    ) {
        self.source = source
        self.destination = destination
        self.backends = backends
        self.tools = tools
        self.runs = runs
        self.cold = cold
        self.overrides = overrides
    }
}

/// Told what the bench is doing, for a progress display. Called on the bench's thread.
public protocol BenchObserver {
    /// A run of `bytes` starts; `run` 0 is the warm-up.
    func runStarting(_ benchCase: BenchCase, run: Int, of runs: Int, bytes: UInt64)
    /// Bytes in place so far in the current run (backends only), from the copying thread.
    var copied: @Sendable (UInt64) -> Void { get }
}

/// No display.
public struct SilentObserver: BenchObserver {
    public init() {}
    public func runStarting(_ benchCase: BenchCase, run: Int, of runs: Int, bytes: UInt64) {}
    public var copied: @Sendable (UInt64) -> Void { { _ in } }
}
