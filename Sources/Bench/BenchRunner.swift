import Backends
import Glibc

/// Runs a bench: works out which backends and tools apply, warms each up once, then runs
/// them round by round (every case once per round, so slow drift of the storage or of
/// the machine's load hits all of them alike), and collects the measurements.
///
/// Every run does the same work: a regular destination is removed before each run (a
/// fresh file, as a first copy makes) and after the last; a block device is overwritten.
/// Before each run the bench syncs, so write-back left by the previous run is not billed
/// to this one; with `cold` it also drops the page cache. A case that fails is recorded
/// with its error and not run again; the others go on.
public struct BenchRunner {
    public let options: BenchOptions
    let engine: CopyEngine
    let search: ToolSearch

    public init(_ options: BenchOptions, engine: CopyEngine = CopyEngine()) {
        self.options = options
        self.engine = engine
        self.search = .standard()
    }

    /// Throws only for problems of the whole bench (bad input, unreadable counters).
    public func run(observer: some BenchObserver = SilentObserver()) throws(BenchError) -> BenchReport {
        guard options.runs >= 1 else { throw BenchError("--runs must be at least 1") }
        if options.cold, geteuid() != 0 {
            throw BenchError("--cold drops the page cache through /proc/sys/vm/drop_caches, which needs root")
        }
        let host = HostInfo.current()
        let facts = try PairFacts.gather(source: options.source, destination: options.destination)
        defer { removeDestination(facts) }

        // The trial calls of `probe` decide which backends can serve the pair, and
        // whether cp's default would clone (then cp is shown both ways).
        let verdicts = options.backends == nil || options.tools.contains(.cp) ? try backendVerdicts(facts) : []
        var cases = backendCases(verdicts: verdicts)
        let reflinkApplies = verdicts.contains { $0.name == .reflink && $0.verdict == "yes" }
        cases += ExternalTools.cases(for: options.tools, facts: facts, reflinkApplies: reflinkApplies, search: search)

        // Run 0 warms each case up (code paths, the binaries of the tools, the source's
        // metadata); runs 1...N are timed.
        for run in 0...options.runs {
            for index in cases.indices where cases[index].status == .ok {
                try prepare(facts, timed: run > 0)
                observer.runStarting(cases[index], run: run, of: options.runs, bytes: facts.size)
                try measure(&cases[index], facts: facts, run: run, observer: observer)
            }
        }
        return BenchReport(facts: facts, runs: options.runs, cold: options.cold, host: host, cases: cases)
    }

    private func measure(_ benchCase: inout BenchCase, facts: PairFacts, run: Int, observer: some BenchObserver) throws(BenchError) {
        switch benchCase.kind {
        case .backend:
            guard let name = BackendName(rawValue: benchCase.name) else { return }
            let runner = BackendRun(engine: engine, backend: name, overrides: options.overrides)
            switch try runner.run(facts, run: run, progress: observer.copied) {
            case .success(let result):
                benchCase.direct = result.direct
                if run > 0 { benchCase.runs.append(result.measurement) }
            case .failure(let failure):
                benchCase.fail(failure)
            }
        case .tool:
            switch try ToolRun(tool: benchCase.tool, command: benchCase.command).run(facts, run: run) {
            case .success(let measurement):
                if run > 0 { benchCase.runs.append(measurement) }
            case .failure(let failure):
                benchCase.fail(failure)
            }
        }
    }

    /// The backends asked for, or every backend of the engine with the ones that cannot
    /// serve the pair marked skipped.
    private func backendCases(verdicts: [BackendVerdict]) -> [BenchCase] {
        if let names = options.backends {
            return names.map { BenchCase(name: $0.rawValue, kind: .backend, label: $0.rawValue) }
        }
        return engine.backends.map { backend in
            var benchCase = BenchCase(name: backend.name.rawValue, kind: .backend, label: backend.name.rawValue)
            if let verdict = verdicts.first(where: { $0.name == backend.name }), verdict.verdict == "no" {
                benchCase.skip(verdict.reason)
            }
            return benchCase
        }
    }

    private func backendVerdicts(_ facts: PairFacts) throws(BenchError) -> [BackendVerdict] {
        do throws(CopyError) {
            return try DeviceProbe.verdicts(source: facts.source.path, destination: facts.destination.path, engine: engine).verdicts
        } catch {
            throw BenchError(error.message)
        }
    }

    /// The same starting point for every run: no destination file, nothing left to write
    /// back, and for timed cold runs an empty page cache.
    private func prepare(_ facts: PairFacts, timed: Bool) throws(BenchError) {
        removeDestination(facts)
        if options.cold && timed {
            try PageCache.drop()
        } else {
            sync()
        }
    }

    /// A destination that cannot be removed is left in place: every run truncates it
    /// anyway (a backend through the engine, a tool by creating it).
    private func removeDestination(_ facts: PairFacts) {
        guard facts.destination.kind == .regular else { return }
        _ = unlink(facts.destination.path)
    }
}
