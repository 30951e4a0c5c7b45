import Backends
import Glibc
import XCTest

/// An agent's streamed copies reuse io_setup contexts instead of waiting out each one's
/// teardown; a context comes back only with nothing in flight.
final class AioContextPoolTests: XCTestCase {
    /// Larger than one buffer, so the copy streams through a context.
    let size = 10 * 1024 * 1024 + 12345

    /// 1 MiB buffers, two in flight: a 10 MiB copy is many rounds of the pipeline, so a
    /// cancellation lands with I/O in flight and chunks not yet submitted.
    let overrides = TunableOverrides(aioBlockSize: 1 << 20, aioQueueDepth: 2)

    func copy(_ engine: CopyEngine, _ s: Scratch, to name: String, context: CopyContext = CopyContext()) throws -> CopyOutcome {
        let source = try CopyFile.openSource(path: s.file("src"))
        let destination = try CopyFile.openDestination(path: s.file(name))
        return try engine.copy(
            source: source, destination: destination, request: CopyRequest(backend: .aio), overrides: overrides, context: context)
    }

    func testStreamedCopiesReuseOneContext() throws {
        let s = try Scratch()
        try s.write("src", pattern(size, seed: 31))
        let pool = AioContextPool(maxIdle: 2)
        let engine = CopyEngine(backends: CopyEngine.standardBackends(aioContexts: pool))
        for name in ["a", "b", "c"] {
            let outcome = try copy(engine, s, to: name)
            XCTAssertEqual(outcome.backend, .aio)
            XCTAssertEqual(outcome.bytes, UInt64(size))
            XCTAssertEqual(try s.read(name), pattern(size, seed: 31), name)
            XCTAssertEqual(pool.idleCount, 1, "after \(name)")
        }
        XCTAssertEqual(pool.created, 1, "three streamed copies, one io_setup")
    }

    func testACancelledCopyReturnsItsContextDrained() throws {
        let s = try Scratch()
        try s.write("src", pattern(size, seed: 32))
        let pool = AioContextPool(maxIdle: 2)
        let engine = CopyEngine(backends: CopyEngine.standardBackends(aioContexts: pool))
        // Cancelled at the first progress report: later chunks are then in flight.
        let flag = CancellationFlag()
        let cancelled = try copy(engine, s, to: "cancelled", context: CopyContext(cancellation: flag) { _ in flag.cancel() })
        XCTAssertLessThan(cancelled.bytes, UInt64(size), "the copy ran to the end: cancellation was not seen")
        // A cancelled stream submits nothing more and reaps what is in flight: its
        // context comes back and serves the next copy.
        XCTAssertEqual(pool.idleCount, 1)
        let outcome = try copy(engine, s, to: "after")
        XCTAssertEqual(outcome.bytes, UInt64(size))
        XCTAssertEqual(try s.read("after"), pattern(size, seed: 32))
        XCTAssertEqual(pool.created, 1)
    }

    func testAPoolWithNoRoomKeepsNothing() throws {
        let s = try Scratch()
        try s.write("src", pattern(size, seed: 33))
        let pool = AioContextPool(maxIdle: 0)
        let engine = CopyEngine(backends: CopyEngine.standardBackends(aioContexts: pool))
        _ = try copy(engine, s, to: "a")
        _ = try copy(engine, s, to: "b")
        XCTAssertEqual(pool.idleCount, 0)
        XCTAssertEqual(pool.created, 2)
        XCTAssertEqual(try s.read("b"), pattern(size, seed: 33))
    }
}
