@testable import Backends
import Glibc
import Synchronization
import XCTest

/// CommandWindow on stand-in commands: order, how many run at once, the completed
/// prefix after a failure, cancellation. (The real commands, EXTENDED COPY against
/// LIO, are in the device lab: lab/tests/8d-ssc-xcopy-concurrent.sh.)
final class CommandWindowTests: XCTestCase {
    struct Refused: Error, Equatable { let index: Int }

    /// Records which commands ran and the most that were running at one moment.
    final class Recorder: Sendable {
        private let state = Mutex<(started: [Int], running: Int, most: Int)>(([], 0, 0))
        func begin(_ index: Int) {
            state.withLock {
                $0.started.append(index)
                $0.running += 1
                $0.most = max($0.most, $0.running)
            }
        }
        func end() { state.withLock { $0.running -= 1 } }
        var started: [Int] { state.withLock { $0.started } }
        var most: Int { state.withLock { $0.most } }
    }

    /// A gate every command of a group waits at until `size` have arrived, or until 20 s
    /// have passed (only a broken window lets that happen; the test then fails on what
    /// it records, it does not hang).
    final class Rendezvous: @unchecked Sendable {
        private let lock = ConditionLock()
        private var arrived = 0
        private let size: Int
        init(size: Int) { self.size = size }
        /// Whether all `size` arrived.
        func meet() -> Bool {
            lock.withLock {
                arrived += 1
                lock.broadcast()
                var waited = 0.0
                while arrived < size, waited < 20 {
                    lock.wait(seconds: 0.5)
                    waited += 0.5
                }
                return arrived >= size
            }
        }
    }

    func testOneAtATimeRunsInOrderOnTheCallingThread() {
        let recorder = Recorder()
        let caller = pthread_self()
        let others = Mutex(0)
        var prefixes: [Int] = []
        let outcome = CommandWindow<Refused>(count: 5, width: 1).run(
            isCancelled: { false }, prefixCompleted: { prefixes.append($0) },
            command: { index throws(Refused) in
                recorder.begin(index)
                if pthread_equal(pthread_self(), caller) == 0 { others.withLock { $0 += 1 } }
                recorder.end()
            })
        XCTAssertEqual(outcome.completedPrefix, 5)
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(recorder.started, [0, 1, 2, 3, 4])
        XCTAssertEqual(recorder.most, 1)
        XCTAssertEqual(others.withLock { $0 }, 0)
        XCTAssertEqual(prefixes, [1, 2, 3, 4, 5])
    }

    func testTwoAtATimeHasTwoInFlightAndNoMore() {
        let recorder = Recorder()
        let pairs = [Rendezvous(size: 2), Rendezvous(size: 2)]
        let met = Mutex(0)
        var prefixes: [Int] = []
        let outcome = CommandWindow<Refused>(count: 4, width: 2).run(
            isCancelled: { false }, prefixCompleted: { prefixes.append($0) },
            command: { index throws(Refused) in
                recorder.begin(index)
                // Commands 0 and 1 meet, then 2 and 3: each needs the other in flight.
                if pairs[index / 2].meet() { met.withLock { $0 += 1 } }
                recorder.end()
            })
        XCTAssertEqual(outcome.completedPrefix, 4)
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(met.withLock { $0 }, 4, "each command found its partner in flight")
        XCTAssertEqual(recorder.most, 2)
        XCTAssertEqual(Set(recorder.started), [0, 1, 2, 3])
        XCTAssertEqual(prefixes.last, 4)
        XCTAssertEqual(prefixes, prefixes.sorted(), "the prefix only grows")
    }

    func testAFailureStopsNewCommandsAndKeepsOnlyThePrefixBeforeIt() {
        // Width 2, a thousand commands; command 1 fails once command 2 has started (so
        // 2 is in flight beside it and completes): the prefix is command 0 alone and the
        // failure is command 1's. The other thread may take a few more commands before
        // the failure is recorded (each takes a millisecond), never all of them.
        let recorder = Recorder()
        let secondStarted = Rendezvous(size: 2)
        let outcome = CommandWindow<Refused>(count: 1000, width: 2).run(
            isCancelled: { false }, prefixCompleted: { _ in },
            command: { index throws(Refused) in
                recorder.begin(index)
                defer { recorder.end() }
                if index == 1 || index == 2 { _ = secondStarted.meet() }
                if index == 1 { throw Refused(index: 1) }
                if index > 2 { usleep(1000) }
            })
        XCTAssertEqual(outcome.completedPrefix, 1)
        XCTAssertEqual(outcome.failure?.index, 1)
        XCTAssertEqual(outcome.failure?.error, Refused(index: 1))
        XCTAssertTrue(recorder.started.contains(2))
        XCTAssertLessThan(recorder.started.count, 1000, "every command started after the failure")
        XCTAssertEqual(recorder.most, 2)
    }

    func testTheLowestFailedCommandIsReported() {
        let bothStarted = Rendezvous(size: 2)
        let outcome = CommandWindow<Refused>(count: 2, width: 2).run(
            isCancelled: { false }, prefixCompleted: { _ in },
            command: { index throws(Refused) in
                _ = bothStarted.meet()
                throw Refused(index: index)
            })
        XCTAssertEqual(outcome.completedPrefix, 0)
        XCTAssertEqual(outcome.failure?.error, Refused(index: 0))
    }

    func testCancellationStopsBeforeTheNextCommand() {
        for width in [1, 3] {
            let flag = CancellationFlag()
            let recorder = Recorder()
            let outcome = CommandWindow<Refused>(count: 100, width: width).run(
                isCancelled: { flag.isCancelled }, prefixCompleted: { _ in },
                command: { index throws(Refused) in
                    recorder.begin(index)
                    if index == 4 { flag.cancel() }
                    recorder.end()
                })
            XCTAssertNil(outcome.failure)
            XCTAssertGreaterThanOrEqual(outcome.completedPrefix, 5 - width + 1, "width \(width)")
            XCTAssertLessThan(recorder.started.count, 5 + width, "width \(width): \(recorder.started)")
            XCTAssertLessThan(outcome.completedPrefix, 100)
        }
    }

    func testNoCommandsAndMoreThreadsThanCommands() {
        let none = CommandWindow<Refused>(count: 0, width: 4).run(
            isCancelled: { false }, prefixCompleted: { _ in XCTFail("no prefix to report") },
            command: { _ throws(Refused) in XCTFail("no command to run") })
        XCTAssertEqual(none.completedPrefix, 0)
        let recorder = Recorder()
        let few = CommandWindow<Refused>(count: 2, width: 16).run(
            isCancelled: { false }, prefixCompleted: { _ in }, command: { index throws(Refused) in recorder.begin(index); recorder.end() })
        XCTAssertEqual(few.completedPrefix, 2)
        XCTAssertEqual(Set(recorder.started), [0, 1])
    }
}
