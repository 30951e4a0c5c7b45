import Backends

/// One run of a backend, in this process, through the copy engine with that backend
/// forced: the whole source onto the destination (truncated to the source's size),
/// fdatasync inside the timing. Opening and closing both files are timed too.
struct BackendRun {
    let engine: CopyEngine
    let backend: BackendName
    let overrides: TunableOverrides

    struct Result {
        var measurement: RunMeasurement
        var direct: DirectUse?
    }

    func run(_ facts: PairFacts, run: Int, progress: @escaping @Sendable (UInt64) -> Void) throws(BenchError) -> Swift.Result<Result, CaseFailure> {
        let request = CopyRequest(truncate: true, stable: true, backend: backend)
        let before = try CounterSnapshot.before()
        let copied = copy(facts, request: request, progress: progress)
        let after = try CounterSnapshot.after()
        switch copied {
        case .failure(let failure):
            return .failure(CaseFailure(message: failure.error.message, run: run, error: failure.error))
        case .success(let outcome):
            guard outcome.bytes == facts.size, outcome.backend == backend else {
                return .failure(CaseFailure(
                    message: "\(backend) copied \(outcome.bytes) of \(facts.size) bytes with \(outcome.backend)", run: run))
            }
            let measurement = RunMeasurement(
                seconds: after.seconds(since: before), bytes: outcome.bytes, cpu: after.cpu - before.cpu,
                systemCPUSeconds: after.system.seconds(since: before.system), io: after.io.since(before.io),
                bufferedBytes: outcome.bufferedBytes)
            return .success(Result(measurement: measurement, direct: outcome.direct))
        }
    }

    /// Opens, copies and closes (the files are released when this returns).
    private func copy(_ facts: PairFacts, request: CopyRequest, progress: @escaping @Sendable (UInt64) -> Void)
        -> Swift.Result<CopyOutcome, CopyFailure>
    {
        do throws(CopyFailure) {
            let source: CopyFile
            let destination: CopyFile
            do {
                source = try CopyFile.openSource(path: facts.source.path)
                destination = try CopyFile.openDestination(path: facts.destination.path)
            } catch {
                throw CopyFailure(error: error, skipped: [])
            }
            let context = CopyContext(progress: progress)
            return .success(try engine.copy(source: source, destination: destination, request: request, overrides: overrides, context: context))
        } catch {
            return .failure(error)
        }
    }
}
