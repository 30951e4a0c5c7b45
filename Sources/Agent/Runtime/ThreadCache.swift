import Backends
import CShims
import Glibc

/// POSIX threads for work that lives as long as a connection, kept when the work ends
/// and handed the next: a front that connects once per request (a process per COPY)
/// would otherwise make the agent create and tear down a reader and a writer thread for
/// every request (clone, stack set-up, robust list, rseq, exit; under the device lab's
/// emulator about half a millisecond each).
///
/// A thread whose work has ended waits up to `idleSeconds` for more, and at most
/// `maxIdle` threads wait; the others end. Work never waits for a thread: with none
/// idle, a new one is started.
final class ThreadCache: Sendable {
    let maxIdle: Int
    let idleSeconds: Double
    private let lock = ConditionLock()
    /// Work handed to idle threads and not yet taken, oldest first.
    private nonisolated(unsafe) var handed: [Work] = []
    /// Threads waiting for work, counting those a `handed` item is already meant for.
    private nonisolated(unsafe) var idle = 0
    /// Threads this cache started (for tests and diagnostics).
    private nonisolated(unsafe) var started = 0

    private struct Work {
        var name: String
        var body: @Sendable () -> Void
    }

    init(maxIdle: Int = 8, idleSeconds: Double = 10) {
        self.maxIdle = max(0, maxIdle)
        self.idleSeconds = idleSeconds
    }

    /// Runs `body` on a waiting thread, or on a new one named `name`.
    func run(name: String, _ body: @escaping @Sendable () -> Void) {
        let work = Work(name: name, body: body)
        let toIdle: Bool = lock.withLock {
            guard idle > handed.count else {
                started += 1
                return false
            }
            handed.append(work)
            lock.broadcast()
            return true
        }
        if !toIdle { OSThread.detach(name: name) { [self] in self.serve(work.body) } }
    }

    /// Threads started so far.
    var threadsStarted: Int { lock.withLock { started } }

    /// Threads waiting for work now.
    var threadsIdle: Int { lock.withLock { idle - handed.count } }

    private func serve(_ first: @escaping @Sendable () -> Void) {
        var body = first
        while true {
            body()
            guard let next = nextWork() else { return }
            ssc_set_thread_name(next.name)
            body = next.body
        }
    }

    /// The next work for a thread whose work has ended, or nil when it should end.
    private func nextWork() -> Work? {
        lock.withLock {
            guard idle - handed.count < maxIdle else { return nil }
            idle += 1
            defer { idle -= 1 }
            var now = ContinuousClock.now
            let deadline = now + .milliseconds(Int(idleSeconds * 1000))
            while handed.isEmpty {
                guard now < deadline else { return nil }
                let left = (deadline - now).components
                lock.wait(seconds: Double(left.seconds) + Double(left.attoseconds) * 1e-18)
                now = ContinuousClock.now
            }
            return handed.removeFirst()
        }
    }
}
