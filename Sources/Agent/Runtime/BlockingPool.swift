import Backends

/// A fixed set of POSIX threads that run blocking work in FIFO order, so that system
/// calls which may sleep (open on a slow filesystem, fdatasync, a whole copy) never
/// occupy the Swift concurrency pool. Async callers await the result.
public final class BlockingPool: Sendable {
    private let lock = ConditionLock()
    private nonisolated(unsafe) var queue: [@Sendable () -> Void] = []
    private nonisolated(unsafe) var head = 0
    public let threadCount: Int

    public init(name: String, threads: Int) {
        threadCount = max(1, threads)
        for i in 0..<threadCount {
            OSThread.detach(name: "\(name)-\(i)") { [self] in self.work() }
        }
    }

    /// Work queued and not yet started.
    public var backlog: Int { lock.withLock { queue.count - head } }

    public func submit(_ item: @escaping @Sendable () -> Void) {
        lock.withLock {
            queue.append(item)
            lock.broadcast()
        }
    }

    /// Runs `body` on a pool thread and returns its result to the awaiting task.
    public func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            submit {
                do throws(E) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    private func work() {
        while true {
            let item: @Sendable () -> Void = lock.withLock {
                while head == queue.count { lock.wait() }
                let item = queue[head]
                head += 1
                if head > 1024 && head * 2 > queue.count {
                    queue.removeFirst(head)
                    head = 0
                }
                return item
            }
            item()
        }
    }
}
