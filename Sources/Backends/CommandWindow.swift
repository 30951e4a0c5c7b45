/// Runs numbered commands 0..<count with at most `width` of them in flight, on `width`
/// threads of its own that take the next command as they finish one (a command blocks
/// in a system call: SG_IO waits for the device), and tells the calling thread how far
/// the completed commands reach.
///
/// Commands start in number order. After a failure or a cancellation no further command
/// starts and the ones in flight are waited for, so when `run` returns nothing of the
/// copy is still moving. What is certainly in place is the completed prefix: a later
/// command may have completed while an earlier one failed, and a byte count that the
/// caller reports must not include it. With a width of 1 (or when no thread can be
/// started) the commands run on the calling thread, one after the other.
struct CommandWindow<Failure: Error & Sendable> {
    struct Outcome {
        /// Commands 0..<completedPrefix all completed.
        var completedPrefix: Int
        /// The lowest-numbered command that failed, and why.
        var failure: (index: Int, error: Failure)?
    }

    let count: Int
    let width: Int

    init(count: Int, width: Int) {
        self.count = max(0, count)
        self.width = max(1, min(width, count))
    }

    /// Runs the commands. `prefixCompleted` is called on the calling thread each time the
    /// completed prefix grows; `isCancelled` is asked before each command starts.
    func run(
        isCancelled: @escaping @Sendable () -> Bool, prefixCompleted: (Int) -> Void,
        command: @escaping @Sendable (Int) throws(Failure) -> Void
    ) -> Outcome {
        if width > 1 {
            let shared = Shared(count: count)
            var threads: [OSThread.Joinable] = []
            for _ in 0..<width {
                shared.lock.withLock { shared.running += 1 }
                guard
                    let thread = OSThread.joinable(
                        name: "ssc-command",
                        { Self.work(shared, count: count, isCancelled: isCancelled, command: command) })
                else {
                    shared.lock.withLock { shared.running -= 1 }
                    break
                }
                threads.append(thread)
            }
            if !threads.isEmpty {
                let prefix = waitForCompletions(shared, prefixCompleted: prefixCompleted)
                for thread in threads { thread.join() }
                return Outcome(completedPrefix: prefix, failure: shared.failure)
            }
        }
        var prefix = 0
        while prefix < count, !isCancelled() {
            do {
                try command(prefix)
            } catch {
                return Outcome(completedPrefix: prefix, failure: (prefix, error))
            }
            prefix += 1
            prefixCompleted(prefix)
        }
        return Outcome(completedPrefix: prefix, failure: nil)
    }

    /// What the threads share, under `lock`; the calling thread sleeps on its condition.
    private final class Shared: @unchecked Sendable {
        let lock = ConditionLock()
        var next = 0
        var stopped = false
        var completed: [Bool]
        var failure: (index: Int, error: Failure)?
        var running = 0

        init(count: Int) { completed = Array(repeating: false, count: count) }
    }

    /// One thread: takes the next command until there is none, a command failed, or the
    /// copy is cancelled.
    private static func work(
        _ shared: Shared, count: Int, isCancelled: @Sendable () -> Bool, command: @Sendable (Int) throws(Failure) -> Void
    ) {
        while true {
            let index: Int? = shared.lock.withLock {
                guard !shared.stopped, shared.next < count else { return nil }
                if isCancelled() {
                    shared.stopped = true
                    return nil
                }
                defer { shared.next += 1 }
                return shared.next
            }
            guard let index else { break }
            var failed: Failure?
            do throws(Failure) { try command(index) } catch { failed = error }
            shared.lock.withLock {
                if let failed {
                    if shared.failure.map({ index < $0.index }) ?? true { shared.failure = (index, failed) }
                    shared.stopped = true
                } else {
                    shared.completed[index] = true
                }
                shared.lock.broadcast()
            }
        }
        shared.lock.withLock {
            shared.running -= 1
            shared.lock.broadcast()
        }
    }

    /// Sleeps until a command completes or the last thread is done; reports the prefix.
    private func waitForCompletions(_ shared: Shared, prefixCompleted: (Int) -> Void) -> Int {
        var prefix = 0
        while true {
            let (reached, running) = shared.lock.withLock {
                while true {
                    var reached = prefix
                    while reached < count, shared.completed[reached] { reached += 1 }
                    if reached > prefix || shared.running == 0 { return (reached, shared.running) }
                    shared.lock.wait()
                }
            }
            if reached > prefix {
                prefix = reached
                prefixCompleted(prefix)
            }
            if running == 0 { return prefix }
        }
    }
}
