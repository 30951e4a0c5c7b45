import CShims
import Glibc

/// POSIX threads for work that blocks in system calls and so must stay off the Swift
/// concurrency pool (accept, recvmsg, sendmsg, SG_IO, copies).
public enum OSThread {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// A started thread that its starter waits for (`join`) before going on.
    public final class Joinable {
        private let thread: pthread_t
        private var joined = false

        fileprivate init(thread: pthread_t) { self.thread = thread }

        /// Waits until the thread's body has returned (at once if it was joined before).
        public func join() {
            guard !joined else { return }
            joined = true
            pthread_join(thread, nil)
        }

        deinit {
            // A thread nobody joined: let it go rather than leak its resources.
            if !joined { pthread_detach(thread) }
        }
    }

    /// Starts a thread that nobody waits for.
    public static func detach(name: String, _ body: @escaping @Sendable () -> Void) {
        guard let thread = start(name: name, body) else {
            // Without the thread the agent cannot serve: this is resource exhaustion.
            fatalError("pthread_create failed for \(name)")
        }
        pthread_detach(thread)
    }

    /// Starts a thread that the caller joins, or returns nil when the system has no
    /// thread to give (the caller does the work with fewer).
    public static func joinable(name: String, _ body: @escaping @Sendable () -> Void) -> Joinable? {
        guard let thread = start(name: name, body) else { return nil }
        return Joinable(thread: thread)
    }

    private static func start(name: String, _ body: @escaping @Sendable () -> Void) -> pthread_t? {
        let box = Unmanaged.passRetained(Box({
            ssc_set_thread_name(name)
            body()
        })).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                box.body()
                return nil
            }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            return nil
        }
        return thread
    }
}
