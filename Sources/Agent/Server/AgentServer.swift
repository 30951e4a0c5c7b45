import Backends
import SystemPackage
import Glibc
import Logging
import Synchronization

/// Accepts connections on the listening socket, one reader and one writer thread per
/// connection (kept for the next connection when it closes), until `stop()`.
public final class AgentServer: Sendable {
    public let service: AgentService
    public let listener: ListeningSocket
    private let logger: Logger
    private let connections = Mutex<[ObjectIdentifier: Connection]>([:])
    private let nextNumber = Atomic<Int>(1)
    private let stopping = Atomic<Bool>(false)
    /// The connections' threads.
    private let connectionThreads = ThreadCache()
    /// Connections beyond this are closed at once: each costs two threads.
    public let maxConnections: Int

    public init(service: AgentService, listener: ListeningSocket, maxConnections: Int = 256, logger: Logger) {
        self.service = service
        self.listener = listener
        self.maxConnections = maxConnections
        self.logger = logger
    }

    /// Starts the accept thread and the retention sweeper; returns at once.
    public func start() {
        OSThread.detach(name: "ssc-accept") { [self] in self.acceptLoop() }
        let store = service.store
        let period = Duration.milliseconds(max(100, min(1000, service.limits.retentionSeconds * 250)))
        Task.detached { [self] in
            while !self.stopping.load(ordering: .relaxed) {
                try? await Task.sleep(for: period)
                await store.sweep()
            }
        }
    }

    private func acceptLoop() {
        while !stopping.load(ordering: .relaxed) {
            let socket: UnixSocket
            do { socket = try listener.socket.accept() } catch {
                if stopping.load(ordering: .relaxed) { break }
                logger.error("accept failed: \(error)")
                if error == .tooManyOpenFilesInSystem || error == .tooManyOpenFiles || error == .noMemory {
                    usleep(100_000)  // resource exhaustion: let running jobs end
                    continue
                }
                break
            }
            let peer: PeerCredentials
            do { peer = try socket.peerCredentials() } catch {
                socket.close()
                continue
            }
            let count = connections.withLock { $0.count }
            guard count < maxConnections else {
                logger.warning("too many connections; refusing pid \(peer.pid)")
                socket.close()
                continue
            }
            let number = nextNumber.wrappingAdd(1, ordering: .relaxed).oldValue
            let connection = Connection(socket: socket, peer: peer, number: number, limits: service.limits, logger: logger)
            connections.withLock { $0[ObjectIdentifier(connection)] = connection }
            logger.debug("connected", metadata: ["connection": "\(number)", "pid": "\(peer.pid)", "uid": "\(peer.uid)"])
            let service = self.service
            connection.start(
                threads: connectionThreads,
                handle: { connection, frame in service.handle(frame, on: connection) },
                ended: { [self] connection in
                    self.connections.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(connection)) }
                    logger.debug("disconnected", metadata: ["connection": "\(connection.number)"])
                    Task { await service.store.unsubscribe(connection) }
                })
        }
    }

    /// Stops accepting, cancels running jobs and waits for them (their `copy.done`
    /// events go out to subscribers), removes the socket file unless it was inherited,
    /// and closes every connection.
    public func stop() async {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        listener.socket.shutdown()
        listener.removeFile()
        await service.store.cancelAll()
        let open = connections.withLock { Array($0.values) }
        for connection in open { connection.waitUntilFlushed(seconds: 2) }
        for connection in open { connection.closeAfterFlush() }
    }
}
