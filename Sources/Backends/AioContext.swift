import CAio
import Glibc
import SystemPackage

/// An io_setup context. libaio's functions return -errno instead of setting errno.
/// One pipeline uses it at a time; between copies an AioContextPool may hold it.
final class AioContext: @unchecked Sendable {
    private var context: io_context_t?
    let depth: Int

    init(depth: Int) throws(Errno) {
        self.depth = depth
        let status = io_setup(CInt(depth), &context)
        guard status == 0 else { throw Errno(rawValue: -status) }
    }

    deinit {
        if let context { io_destroy(context) }
    }

    /// Submits iocbs from the front of `pending`, removing those the kernel took.
    /// Returns nil when all were taken, or the errno that stopped the first one left.
    func submit(_ pending: inout [UnsafeMutablePointer<iocb>?]) -> Errno? {
        while !pending.isEmpty {
            let taken = pending.withUnsafeMutableBufferPointer {
                io_submit(context, $0.count, $0.baseAddress)
            }
            if taken > 0 {
                pending.removeFirst(Int(taken))
                continue
            }
            if taken == -EINTR { continue }
            return Errno(rawValue: taken == 0 ? EAGAIN : -taken)
        }
        return nil
    }

    /// Waits for at least one completion; returns how many landed in `events`.
    func wait(into events: UnsafeMutablePointer<io_event>, capacity: Int) throws(Errno) -> Int {
        while true {
            let n = io_getevents(context, 1, capacity, events, nil)
            if n >= 0 { return Int(n) }
            if n != -EINTR { throw Errno(rawValue: -n) }
        }
    }
}

extension io_event {
    /// `res` is unsigned and carries -errno on failure.
    var result: Int { Int(bitPattern: UInt(res)) }
}
