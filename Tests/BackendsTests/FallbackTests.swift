import Backends
import Glibc
import XCTest

/// A backend that answers as told, to force each failure class of the design.
struct ScriptedBackend: CopyBackend {
    enum Behaviour: Sendable {
        case decline(Decline)
        case failAfter(bytes: UInt64, CopyError)
        case succeed
    }

    let name: BackendName
    let behaviour: Behaviour
    let calls: Counter
    /// What a probe's trial answers (a copy's failure class, without copying).
    var trialAnswer: TrialVerdict = .maybe("scripted")

    func assess(_ plan: CopyPlan) -> Verdict { .maybe("scripted") }

    func trial(_ plan: CopyPlan) -> TrialVerdict {
        calls.increment()
        return trialAnswer
    }

    func copy(_ plan: CopyPlan, context: CopyContext) throws(BackendError) -> BackendResult {
        calls.increment()
        switch behaviour {
        case .decline(let decline): throw .declined(decline)
        case .failAfter(let bytes, let error): throw .failed(error.with(bytes: bytes))
        case .succeed: return BackendResult(bytes: plan.count)
        }
    }
}

final class Counter: @unchecked Sendable {
    private var lock = pthread_mutex_t()
    private var count = 0
    init() { pthread_mutex_init(&lock, nil) }
    func increment() {
        pthread_mutex_lock(&lock)
        count += 1
        pthread_mutex_unlock(&lock)
    }
    var value: Int {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return count
    }
}

final class FallbackTests: XCTestCase {
    func run(_ engine: CopyEngine, _ scratch: Scratch, request: CopyRequest = CopyRequest()) throws -> Result<CopyOutcome, CopyFailure> {
        let source = try CopyFile.openSource(path: scratch.file("a"))
        let destination = try CopyFile.openDestination(path: scratch.file("b"))
        do {
            return .success(try engine.copy(source: source, destination: destination, request: request))
        } catch {
            return .failure(error)
        }
    }

    func engine(first: ScriptedBackend.Behaviour, firstCalls: Counter, secondCalls: Counter, ttl: Duration = .seconds(180)) -> CopyEngine {
        CopyEngine(
            backends: [
                ScriptedBackend(name: .reflink, behaviour: first, calls: firstCalls),
                ScriptedBackend(name: .aio, behaviour: .succeed, calls: secondCalls),
            ], negativeCache: NegativeCache(ttl: ttl))
    }

    func testNotSupportedIsRememberedPerDevicePairUntilTheTTL() throws {
        let s = try Scratch()
        try s.write("a", pattern(100, seed: 1))
        let first = Counter(), second = Counter()
        let engine = engine(
            first: .decline(Decline(.notSupported, "EOPNOTSUPP", errno: .notSupported)), firstCalls: first, secondCalls: second,
            ttl: .milliseconds(300))
        let one = try run(engine, s).get()
        XCTAssertEqual(one.backend, .aio)
        XCTAssertEqual(one.skipped.map(\.reason), [.notSupported])
        let two = try run(engine, s).get()
        XCTAssertEqual(first.value, 1, "a remembered backend is not asked again")
        XCTAssertTrue(two.skipped[0].message.hasPrefix("remembered"))
        usleep(400_000)
        _ = try run(engine, s).get()
        XCTAssertEqual(first.value, 2, "the entry expires with its TTL")
        XCTAssertEqual(second.value, 3)
    }

    func testCannotServeAndDeniedAreNotRemembered() throws {
        for decline in [Decline(.cannotServe, "EINVAL", errno: .invalidArgument), Decline(.denied, "EPERM", errno: .notPermitted)] {
            let s = try Scratch()
            try s.write("a", pattern(100, seed: 2))
            let first = Counter(), second = Counter()
            let engine = engine(first: .decline(decline), firstCalls: first, secondCalls: second)
            XCTAssertEqual(try run(engine, s).get().backend, .aio)
            XCTAssertEqual(try run(engine, s).get().skipped.map(\.reason), [decline.reason])
            XCTAssertEqual(first.value, 2, "\(decline.reason) must be asked again")
            XCTAssertTrue(engine.negativeCache.snapshot.isEmpty)
        }
    }

    func testAFailureAfterBytesMovedStopsWithoutFallingBack() throws {
        let s = try Scratch()
        try s.write("a", pattern(10_000, seed: 3))
        let first = Counter(), second = Counter()
        let engine = engine(
            first: .failAfter(bytes: 4096, CopyError(.io, "EIO", errno: .ioError)), firstCalls: first, secondCalls: second)
        guard case .failure(let failure) = try run(engine, s) else { return XCTFail("a failed copy was reported as success") }
        XCTAssertEqual(failure.error.kind, .io)
        XCTAssertEqual(failure.error.bytes, 4096)
        XCTAssertEqual(second.value, 0, "never fall back over half-written data")
    }

    func testForcedBackendThatDeclinesFailsWithItsClass() throws {
        let cases: [(Decline, CopyErrorKind)] = [
            (Decline(.notSupported, "EOPNOTSUPP"), .notSupported), (Decline(.cannotServe, "EINVAL"), .invalid),
            (Decline(.denied, "EPERM"), .denied),
        ]
        for (decline, kind) in cases {
            let s = try Scratch()
            try s.write("a", pattern(100, seed: 4))
            let first = Counter(), second = Counter()
            let engine = engine(first: .decline(decline), firstCalls: first, secondCalls: second)
            guard case .failure(let failure) = try run(engine, s, request: CopyRequest(backend: .reflink)) else {
                return XCTFail("forced backend that declined reported success")
            }
            XCTAssertEqual(failure.error.kind, kind)
            XCTAssertEqual(second.value, 0)
        }
    }

    func testNoBackendLeftIsNotSupportedWithEveryReason() throws {
        let s = try Scratch()
        try s.write("a", pattern(100, seed: 5))
        let engine = CopyEngine(backends: [
            ScriptedBackend(name: .reflink, behaviour: .decline(Decline(.notSupported, "no clone")), calls: Counter())
        ])
        guard case .failure(let failure) = try run(engine, s) else { return XCTFail("expected failure") }
        XCTAssertEqual(failure.error.kind, .notSupported)
        XCTAssertTrue(failure.error.message.contains("no clone"))
    }
}
