import CShims
import Glibc

/// Starts a detached POSIX thread running `body`: for work that blocks in system calls
/// and so must stay off the Swift concurrency pool (accept, recvmsg, sendmsg, copies).
enum OSThread {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    static func detach(name: String, _ body: @escaping @Sendable () -> Void) {
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
            // Without a thread the agent cannot serve: this is resource exhaustion.
            fatalError("pthread_create failed for \(name): \(rc)")
        }
        pthread_detach(thread)
    }
}
