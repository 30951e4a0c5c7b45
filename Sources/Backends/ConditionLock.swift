// timespec: with CAio in the module, the importer files the type under CAio (libaio.h
// includes <time.h>), and member import visibility wants that module named.
import CAio
import Glibc

/// A pthread mutex with one condition variable: what a blocking worker thread needs to
/// sleep until there is work. (Synchronization.Mutex has no condition variable.)
public final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits for a signal; call with the lock held (inside `withLock`).
    public func wait() {
        pthread_cond_wait(condition, mutex)
    }

    /// Waits for a signal or until `seconds` have passed; call with the lock held.
    public func wait(seconds: Double) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let total = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 + seconds
        var deadline = timespec(tv_sec: Int(total), tv_nsec: Int((total - total.rounded(.down)) * 1e9))
        pthread_cond_timedwait(condition, mutex, &deadline)
    }

    public func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
