import Backends
import Glibc
import XCTest

/// The negative cache as `probe` shows it, per failure class, with backend doubles:
/// "not supported" is remembered per backend and device pair and shown as such,
/// "denied" and "cannot serve" are shown but never remembered. And backends a selector
/// leaves out are reported, never run.
final class NegativeCacheVisibilityTests: XCTestCase {
    func probe(_ engine: CopyEngine, _ s: Scratch) throws -> PairProbe {
        try DeviceProbe.verdicts(source: s.file("a"), destination: s.file("b"), engine: engine)
    }

    func testEachFailureClassAsProbeReportsIt() throws {
        let classes: [(DeclineClass, Bool)] = [(.notSupported, true), (.denied, false), (.cannotServe, false)]
        for (declineClass, remembered) in classes {
            let s = try Scratch()
            try s.write("a", pattern(8192, seed: 21))
            let calls = Counter()
            var double = ScriptedBackend(name: .reflink, behaviour: .succeed, calls: calls)
            double.trialAnswer = .no(Decline(declineClass, "scripted \(declineClass.rawValue)"))
            let engine = CopyEngine(backends: [double, AioBackend()], negativeCache: NegativeCache(ttl: .seconds(600)))

            let first = try probe(engine, s)
            let verdict = try XCTUnwrap(first.verdicts.first { $0.name == .reflink })
            XCTAssertEqual(verdict.verdict, "no")
            XCTAssertEqual(verdict.declineClass, declineClass)
            XCTAssertEqual(verdict.remembered, remembered, "\(declineClass)")
            XCTAssertEqual(verdict.reason, "scripted \(declineClass.rawValue)")
            XCTAssertEqual(first.verdicts.first { $0.name == .aio }?.verdict, "yes")
            let entries = engine.negativeCache.snapshot
            XCTAssertEqual(entries.count, remembered ? 1 : 0, "\(declineClass): \(entries)")
            if remembered {
                let key = try XCTUnwrap(entries.keys.first)
                XCTAssertEqual(key.backend, .reflink)
                XCTAssertEqual(entries[key]?.reason, "scripted not_supported")
            }

            // Probed again: a remembered backend is not asked, the others are.
            let second = try probe(engine, s)
            let again = try XCTUnwrap(second.verdicts.first { $0.name == .reflink })
            XCTAssertEqual(calls.value, remembered ? 1 : 2, "\(declineClass)")
            XCTAssertEqual(again.remembered, remembered)
            XCTAssertEqual(again.reason.hasPrefix("remembered as not supported"), remembered, again.reason)

            // A copy on the same pair skips what the probe remembered.
            let source = try CopyFile.openSource(path: s.file("a"))
            let destination = try CopyFile.openDestination(path: s.file("c"))
            let outcome = try engine.copy(source: source, destination: destination, request: CopyRequest())
            if remembered {
                XCTAssertEqual(outcome.backend, .aio)
                XCTAssertEqual(outcome.skipped.first?.message.hasPrefix("remembered"), true, "\(outcome.skipped)")
            } else {
                XCTAssertEqual(outcome.backend, .reflink, "a probe's \(declineClass) does not hold back a copy")
            }
        }
    }

    /// A selector that leaves a backend out: it is reported as excluded, never run.
    struct OnlyAio: BackendSelecting {
        func plan(source: DeviceIdentity, destination: DeviceIdentity) -> BackendPlan {
            BackendPlan(
                order: [.aio], excluded: [BackendSkip(backend: .reflink, reason: .excluded, message: "not tried: test profile")],
                sourceProfile: "only-aio", destinationProfile: "only-aio", explanation: ["test"])
        }
    }

    /// Counts how often the engine asks it, and answers aio only.
    struct CountingSelector: BackendSelecting {
        let asked: Counter
        func plan(source: DeviceIdentity, destination: DeviceIdentity) -> BackendPlan {
            asked.increment()
            return OnlyAio().plan(source: source, destination: destination)
        }
    }

    func testACopyGivenThePreflightSelectionDoesNotChooseAgain() throws {
        // An agent's asynchronous job: preflight identifies both ends and chooses once;
        // the job's copy runs on that choice.
        let s = try Scratch()
        try s.write("a", pattern(7000, seed: 23))
        let asked = Counter()
        let calls = Counter()
        let engine = CopyEngine(
            backends: [ScriptedBackend(name: .reflink, behaviour: .succeed, calls: calls), AioBackend()],
            selector: CountingSelector(asked: asked))
        let source = try CopyFile.openSource(path: s.file("a"))
        let destination = try CopyFile.openDestination(path: s.file("b"))
        let (plan, backend, selection) = try engine.preflight(source: source, destination: destination, request: CopyRequest())
        XCTAssertEqual(backend, .aio)
        XCTAssertEqual(plan.count, 7000)
        XCTAssertEqual(asked.value, 1)
        let outcome = try engine.copy(source: source, destination: destination, request: CopyRequest(), selection: selection)
        XCTAssertEqual(asked.value, 1, "the copy chose again")
        XCTAssertEqual(outcome.backend, .aio)
        XCTAssertEqual(outcome.plan?.sourceProfile, "only-aio")
        XCTAssertEqual(calls.value, 0, "the excluded backend ran")
        XCTAssertEqual(try s.read("b"), pattern(7000, seed: 23))
        // Without one, a copy chooses for itself.
        _ = try engine.copy(source: source, destination: try CopyFile.openDestination(path: s.file("c")), request: CopyRequest())
        XCTAssertEqual(asked.value, 2)
    }

    func testExcludedBackendsAreReportedAndNeverRun() throws {
        let s = try Scratch()
        try s.write("a", pattern(5000, seed: 22))
        let calls = Counter()
        let engine = CopyEngine(
            backends: [ScriptedBackend(name: .reflink, behaviour: .succeed, calls: calls), AioBackend()], selector: OnlyAio())
        let source = try CopyFile.openSource(path: s.file("a"))
        let destination = try CopyFile.openDestination(path: s.file("b"))
        let outcome = try engine.copy(source: source, destination: destination, request: CopyRequest())
        XCTAssertEqual(outcome.backend, .aio)
        XCTAssertEqual(outcome.skipped.map(\.reason), [.excluded])
        XCTAssertEqual(outcome.plan?.sourceProfile, "only-aio")
        XCTAssertEqual(try s.read("b"), pattern(5000, seed: 22))
        let verdicts = try probe(engine, s).verdicts
        XCTAssertEqual(verdicts.first { $0.name == .reflink }?.declineClass, .excluded)
        XCTAssertEqual(calls.value, 0, "an excluded backend is neither copied with nor tried")

        // An explicit --backend is the caller's choice and overrides the profiles.
        let forced = try engine.copy(
            source: source, destination: try CopyFile.openDestination(path: s.file("c")), request: CopyRequest(backend: .reflink))
        XCTAssertEqual(forced.backend, .reflink)
        XCTAssertEqual(calls.value, 1)
    }
}
