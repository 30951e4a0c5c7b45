import Backends
import Glibc
import JSON
import Logging

/// One peer connection: a reader thread that cuts frames and hands requests to the
/// service (requests on one connection run concurrently), and a writer thread for
/// replies and notifications the socket cannot take at once. A message is sent on the
/// thread that produced it when nothing is queued before it and the socket takes it
/// whole without blocking (the usual case: a reply of a few hundred bytes); otherwise
/// it is queued and the writer sends it, in order. (Each hand-over to another thread
/// costs a wake-up; under the device lab's emulator a few milliseconds per request.)
final class Connection: Sendable {
    let socket: UnixSocket
    let peer: PeerCredentials
    let number: Int
    private let limits: AgentLimits
    private let logger: Logger
    private let lock = ConditionLock()
    private nonisolated(unsafe) var outbound: [[UInt8]] = []
    private nonisolated(unsafe) var outboundHead = 0
    private nonisolated(unsafe) var queuedBytes = 0
    private nonisolated(unsafe) var inFlight = 0
    private nonisolated(unsafe) var readerDone = false
    /// Stop as soon as the queue is flushed, in-flight requests or not (after a framing
    /// error, or at shutdown).
    private nonisolated(unsafe) var closeWhenFlushed = false
    private nonisolated(unsafe) var broken = false
    /// A thread is writing to the socket (the writer, or a sender going direct): no one
    /// else may until it is done, or frames would interleave.
    private nonisolated(unsafe) var writing = false

    init(socket: UnixSocket, peer: PeerCredentials, number: Int, limits: AgentLimits, logger: Logger) {
        self.socket = socket
        self.peer = peer
        self.number = number
        self.limits = limits
        self.logger = logger
    }

    /// Starts the reader and writer on threads from `threads`. `handle` is called for
    /// each frame on the reader thread; `ended` once, when the connection is closed.
    func start(
        threads: ThreadCache, handle: @escaping @Sendable (Connection, Frame) -> Void,
        ended: @escaping @Sendable (Connection) -> Void
    ) {
        threads.run(name: "ssc-conn-r\(number)") { [self] in self.readLoop(handle: handle) }
        threads.run(name: "ssc-conn-w\(number)") { [self] in
            self.writeLoop()
            ended(self)
        }
    }

    // MARK: - Sending

    /// Queues one message. A peer that lets more than the allowed bytes pile up is
    /// disconnected rather than allowed to grow the agent's memory without bound.
    func send(_ message: JSONValue) {
        let bytes = RPCMessage.frame(message)
        let direct: Bool = lock.withLock {
            guard !broken else { return false }
            if !writing && outboundHead == outbound.count {
                writing = true
                return true
            }
            enqueue(bytes, atHead: false)
            return false
        }
        guard direct else { return }
        // Never blocks: a peer that does not read cannot stall the thread sending.
        let result = socket.sendWithoutWaiting(bytes)
        lock.withLock {
            writing = false
            switch result {
            case .success(let sent) where sent == bytes.count:
                break
            case .success(let sent):
                // The rest goes before anything queued meanwhile.
                enqueue(Array(bytes[sent...]), atHead: true)
            case .failure:
                broken = true
                socket.shutdown()
            }
            lock.broadcast()
        }
    }

    /// Queues bytes for the writer; call with the lock held. A peer that lets more than
    /// the allowed bytes pile up is disconnected.
    private func enqueue(_ bytes: [UInt8], atHead: Bool) {
        if queuedBytes + bytes.count > limits.maxQueuedReplyBytes {
            logger.warning("peer does not read its replies; disconnecting", metadata: ["connection": "\(number)", "pid": "\(peer.pid)"])
            broken = true
            socket.shutdown()
        } else {
            if atHead { outbound.insert(bytes, at: outboundHead) } else { outbound.append(bytes) }
            queuedBytes += bytes.count
        }
        lock.broadcast()
    }

    /// Requests one peer may have in flight; beyond it the reader stops reading until
    /// some finish, so a flood of requests waits in the socket buffer, not in memory.
    static let maxInFlight = 256

    /// A request began; the connection stays open for its reply. Called on the reader
    /// thread, which waits here while the peer has too many requests in flight.
    func requestStarted() {
        lock.withLock {
            while inFlight >= Self.maxInFlight && !broken && !closeWhenFlushed { lock.wait() }
            inFlight += 1
        }
    }

    func requestEnded() {
        lock.withLock {
            inFlight -= 1
            lock.broadcast()
        }
    }

    /// Sends what is queued, then closes (a framing error, or the agent stopping).
    func closeAfterFlush() {
        lock.withLock {
            closeWhenFlushed = true
            lock.broadcast()
        }
    }

    /// Waits up to `seconds` for the queue to drain (shutdown delivering final events).
    func waitUntilFlushed(seconds: Double) {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        lock.withLock {
            while outboundHead < outbound.count || writing, !broken, ContinuousClock.now < deadline { lock.wait(seconds: 0.05) }
        }
    }

    private func writeLoop() {
        while true {
            let next: [UInt8]? = lock.withLock {
                while true {
                    if broken { return nil }
                    if writing {  // a sender going direct; its rest, if any, comes first
                        lock.wait()
                        continue
                    }
                    if outboundHead < outbound.count {
                        let bytes = outbound[outboundHead]
                        outboundHead += 1
                        queuedBytes -= bytes.count
                        if outboundHead == outbound.count {
                            outbound.removeAll(keepingCapacity: true)
                            outboundHead = 0
                        }
                        writing = true
                        return bytes
                    }
                    if closeWhenFlushed || (readerDone && inFlight == 0) { return nil }
                    lock.broadcast()  // wake waitUntilFlushed
                    lock.wait()
                }
            }
            guard let next else { break }
            let sent: Bool
            do {
                try socket.send(next)
                sent = true
            } catch {
                sent = false
            }
            lock.withLock {
                writing = false
                if !sent { broken = true }
                lock.broadcast()
            }
            if !sent { break }
        }
        lock.withLock {
            broken = true
            lock.broadcast()
        }
        socket.shutdown()  // wakes the reader if it still waits
        // The reader closes the descriptor once it has stopped using it.
        lock.withLock {
            while !readerDone { lock.wait() }
        }
        socket.close()
    }

    // MARK: - Receiving

    private func readLoop(handle: @escaping @Sendable (Connection, Frame) -> Void) {
        var assembler = FrameAssembler(maxFrameBytes: limits.maxFrameBytes, maxDescriptors: limits.maxFdsPerFrame)
        let capacity = 256 << 10
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        reading: while !lock.withLock({ broken || closeWhenFlushed }) {
            let received: (count: Int, descriptors: [CInt], truncated: Bool)
            do { received = try socket.receive(into: buffer, maxDescriptors: limits.maxFdsPerFrame) } catch { break }
            if received.count == 0 {
                for fd in received.descriptors { close(fd) }
                break
            }
            let frames: [Frame]
            do {
                frames = try assembler.append(
                    UnsafeRawBufferPointer(rebasing: buffer[0..<received.count]), descriptors: received.descriptors,
                    truncated: received.truncated)
            } catch {
                for fd in received.descriptors { close(fd) }
                send(RPCMessage.error(id: .null, .parseError("malformed frame: \(error); closing the connection")))
                closeAfterFlush()
                break reading
            }
            for frame in frames {
                handle(self, frame)
                if lock.withLock({ closeWhenFlushed }) { break reading }
            }
        }
        for fd in assembler.takeHeldDescriptors() { close(fd) }
        lock.withLock {
            readerDone = true
            lock.broadcast()
        }
    }
}
