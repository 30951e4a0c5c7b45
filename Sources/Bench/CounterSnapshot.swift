/// Every counter a run is measured by, read at one moment. The clock is read last
/// before a run and first after it, so the wall time holds the run and nothing else.
struct CounterSnapshot {
    var clock: ContinuousClock.Instant
    var cpu: CPUTime
    var io: IOCounters
    var system: SystemCPU

    static func before() throws(BenchError) -> CounterSnapshot {
        let io = try IOCounters.ofThisProcess()
        let system = try SystemCPU.now()
        let cpu = CPUTime.ofThisProcess()
        return CounterSnapshot(clock: .now, cpu: cpu, io: io, system: system)
    }

    static func after() throws(BenchError) -> CounterSnapshot {
        let clock = ContinuousClock.now
        let cpu = CPUTime.ofThisProcess()
        let system = try SystemCPU.now()
        let io = try IOCounters.ofThisProcess()
        return CounterSnapshot(clock: clock, cpu: cpu, io: io, system: system)
    }

    /// Wall seconds from `earlier` to self.
    func seconds(since earlier: CounterSnapshot) -> Double {
        let elapsed = clock - earlier.clock
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
