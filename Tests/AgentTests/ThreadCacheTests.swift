@testable import Agent
import Backends
import Glibc
import XCTest

/// Connection threads kept for the next connection: sequential work reuses one thread,
/// concurrent work gets its own, idle threads end after their time or beyond the cap.
final class ThreadCacheTests: XCTestCase {
    /// Runs `body` on the cache and waits for it; returns the kernel thread id it ran on.
    private func runAndWait(_ cache: ThreadCache, name: String = "test", _ body: @escaping @Sendable () -> Void = {}) -> pid_t {
        let done = DispatchSemaphoreLike()
        let tid = TidBox()
        cache.run(name: name) {
            body()
            tid.set(currentThreadID())
            done.signal()
        }
        XCTAssertTrue(done.wait(seconds: 10), "the work ran")
        return tid.value
    }

    func testSequentialWorkReusesOneThread() {
        let cache = ThreadCache(maxIdle: 4, idleSeconds: 30)
        let first = runAndWait(cache)
        // The thread reports itself idle only after its work returned.
        XCTAssertTrue(waitUntil { cache.threadsIdle == 1 })
        let second = runAndWait(cache)
        XCTAssertTrue(waitUntil { cache.threadsIdle == 1 })
        let third = runAndWait(cache)
        XCTAssertEqual(first, second)
        XCTAssertEqual(second, third)
        XCTAssertEqual(cache.threadsStarted, 1)
    }

    func testConcurrentWorkGetsItsOwnThreads() {
        let cache = ThreadCache(maxIdle: 4, idleSeconds: 30)
        let release = DispatchSemaphoreLike()
        let started = DispatchSemaphoreLike()
        let tids = TidList()
        for _ in 0..<3 {
            cache.run(name: "held") {
                tids.append(currentThreadID())
                started.signal()
                _ = release.wait(seconds: 10)
            }
        }
        for _ in 0..<3 { XCTAssertTrue(started.wait(seconds: 10)) }
        XCTAssertEqual(Set(tids.values).count, 3, "each blocked work has a thread")
        XCTAssertEqual(cache.threadsStarted, 3)
        for _ in 0..<3 { release.signal() }
        XCTAssertTrue(waitUntil { cache.threadsIdle == 3 })
        // Three more run on the three kept threads.
        let again = (0..<3).map { _ in runAndWait(cache) }
        XCTAssertTrue(Set(again).isSubset(of: Set(tids.values)))
        XCTAssertEqual(cache.threadsStarted, 3)
    }

    func testIdleThreadsEndAfterTheirTime() {
        let cache = ThreadCache(maxIdle: 4, idleSeconds: 0.1)
        let first = runAndWait(cache)
        XCTAssertTrue(waitUntil { cache.threadsIdle == 1 })
        XCTAssertTrue(waitUntil { cache.threadsIdle == 0 }, "the idle thread ended")
        XCTAssertTrue(waitUntil { !threadExists(first) }, "thread \(first) is gone")
        _ = runAndWait(cache)
        XCTAssertEqual(cache.threadsStarted, 2)
    }

    func testNoThreadIsKeptBeyondTheCap() {
        let cache = ThreadCache(maxIdle: 0, idleSeconds: 30)
        let first = runAndWait(cache)
        XCTAssertTrue(waitUntil { !threadExists(first) }, "thread \(first) ended at once")
        _ = runAndWait(cache)
        XCTAssertEqual(cache.threadsStarted, 2)
        XCTAssertEqual(cache.threadsIdle, 0)
    }

    func testThreadsTakeTheNameOfTheirWork() {
        let cache = ThreadCache(maxIdle: 1, idleSeconds: 30)
        let names = NameList()
        _ = runAndWait(cache, name: "first-work") { names.append(currentThreadName()) }
        XCTAssertTrue(waitUntil { cache.threadsIdle == 1 })
        _ = runAndWait(cache, name: "second-work") { names.append(currentThreadName()) }
        XCTAssertEqual(names.values, ["first-work", "second-work"])
    }

    private func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(2000)
        }
        return condition()
    }
}

private func threadExists(_ tid: pid_t) -> Bool {
    access("/proc/self/task/\(tid)", F_OK) == 0
}

/// The kernel's id of the calling thread: /proc/thread-self links to "PID/task/TID".
private func currentThreadID() -> pid_t {
    var buffer = [CChar](repeating: 0, count: 64)
    let length = readlink("/proc/thread-self", &buffer, buffer.count)
    guard length > 0 else { return -1 }
    let target = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return pid_t(target.split(separator: "/").last ?? "") ?? -1
}

/// The calling thread's name, as the kernel keeps it (/proc/thread-self/comm).
private func currentThreadName() -> String {
    let fd = open("/proc/thread-self/comm", O_RDONLY)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 64)
    let count = read(fd, &buffer, buffer.count)
    guard count > 0 else { return "" }
    return String(decoding: buffer[..<count], as: UTF8.self).trimmingSuffixNewline
}

extension String {
    fileprivate var trimmingSuffixNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}

/// A counting semaphore with a timed wait (the tests' own, on the agent's lock).
private final class DispatchSemaphoreLike: @unchecked Sendable {
    private let lock = ConditionLock()
    private var count = 0
    func signal() { lock.withLock { count += 1; lock.broadcast() } }
    func wait(seconds: Double) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        return lock.withLock {
            while count == 0 {
                if ContinuousClock.now >= deadline { return false }
                lock.wait(seconds: 0.05)
            }
            count -= 1
            return true
        }
    }
}

private final class TidBox: @unchecked Sendable {
    private let lock = ConditionLock()
    private var tid: pid_t = 0
    func set(_ value: pid_t) { lock.withLock { tid = value } }
    var value: pid_t { lock.withLock { tid } }
}

private final class TidList: @unchecked Sendable {
    private let lock = ConditionLock()
    private var list: [pid_t] = []
    func append(_ value: pid_t) { lock.withLock { list.append(value) } }
    var values: [pid_t] { lock.withLock { list } }
}

private final class NameList: @unchecked Sendable {
    private let lock = ConditionLock()
    private var list: [String] = []
    func append(_ value: String) { lock.withLock { list.append(value) } }
    var values: [String] { lock.withLock { list } }
}
