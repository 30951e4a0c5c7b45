import SystemPackage
import Synchronization

/// io_setup contexts kept for the next streamed copy. Tearing a context down waits for
/// an RCU grace period (30–45 ms here), which an agent would otherwise pay at the end
/// of every job that streams. A context comes back only with nothing in flight on it;
/// at most `maxIdle` wait, the rest are destroyed. A command-line copy has no next
/// copy and uses none (its process exit pays the same wait once).
public final class AioContextPool: Sendable {
    public let maxIdle: Int
    private let idle = Mutex<[AioContext]>([])
    private let made = Mutex(0)

    public init(maxIdle: Int = 4) {
        self.maxIdle = max(0, maxIdle)
    }

    /// How many contexts wait for reuse.
    public var idleCount: Int { idle.withLock { $0.count } }

    /// How many contexts the pool has set up (io_setup) so far.
    public var created: Int { made.withLock { $0 } }

    /// An idle context made for `depth` in-flight I/Os, or a new one.
    func take(depth: Int) throws(Errno) -> AioContext {
        let reused = idle.withLock { contexts -> AioContext? in
            guard let index = contexts.lastIndex(where: { $0.depth == depth }) else { return nil }
            return contexts.remove(at: index)
        }
        if let reused { return reused }
        let context = try AioContext(depth: depth)
        made.withLock { $0 += 1 }
        return context
    }

    /// Takes back a context with no I/O in flight. One that does not fit is destroyed
    /// here, outside the lock (io_destroy blocks).
    func give(_ context: AioContext) {
        let surplus = idle.withLock { contexts -> AioContext? in
            guard contexts.count < maxIdle else { return context }
            contexts.append(context)
            return nil
        }
        _ = surplus
    }
}
