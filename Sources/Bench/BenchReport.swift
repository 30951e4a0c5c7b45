import Backends

/// Everything a bench measured: the pair, the conditions, and one case per backend and
/// tool, in the order they ran.
public struct BenchReport: Sendable {
    public var facts: PairFacts
    public var runs: Int
    public var cold: Bool
    public var host: HostInfo
    public var cases: [BenchCase]

    /// No case failed (skipped ones do not count against it).
    public var ok: Bool { !cases.contains { $0.status == .failed } }

    public var failedCases: [BenchCase] { cases.filter { $0.status == .failed } }
}
