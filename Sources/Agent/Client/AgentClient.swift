import Backends
import Glibc
import JSON
import SystemPackage

/// What went wrong talking to an agent: the transport, or the agent's error answer.
public enum AgentClientError: Error, CustomStringConvertible, Sendable {
    case transport(String)
    case rejected(RPCError)

    public var description: String {
        switch self {
        case .transport(let message): message
        case .rejected(let error): error.message
        }
    }
}

/// A blocking client for the local-socket protocol, one request at a time or several
/// in flight (`send` then `receive`). Descriptors travel with the frame's first byte.
/// Notifications that arrive while a reply is awaited are kept for `nextNotification`.
public final class AgentClient {
    public let socket: UnixSocket
    public let path: String
    private var assembler = FrameAssembler(maxFrameBytes: 1 << 20, maxDescriptors: 4)
    private var pendingMessages: [JSONValue] = []
    private var notifications: [JSONValue] = []
    private var replies: [String: JSONValue] = [:]
    private var nextID = 1
    private var receiveBuffer = [UInt8](repeating: 0, count: 64 << 10)

    public init(path: String) throws(AgentClientError) {
        self.path = path
        do {
            socket = try UnixSocket.stream()
        } catch {
            throw .transport("cannot create a socket: \(error)")
        }
        do {
            try socket.connect(path: path)
        } catch {
            // Fully initialised: deinit closes the socket.
            throw .transport("\(path): cannot connect to the agent: \(error)")
        }
    }

    deinit {
        socket.close()
    }

    /// Sends one request and returns its id (as the reply will carry it).
    @discardableResult
    public func send(_ method: String, _ params: JSONValue = .object([]), descriptors: [CInt] = []) throws(AgentClientError) -> JSONValue {
        let id = JSONValue.integer(Int64(nextID))
        nextID += 1
        try sendRaw(RPCMessage.frame(RPCMessage.request(id: id, method: method, params: params)), descriptors: descriptors)
        return id
    }

    /// Sends bytes as they are (tests use it for malformed frames).
    public func sendRaw(_ bytes: [UInt8], descriptors: [CInt] = []) throws(AgentClientError) {
        do { try socket.send(bytes, descriptors: descriptors) } catch {
            throw .transport("\(path): sending to the agent failed: \(error)")
        }
    }

    /// Sends a request and waits for its reply: the result, or the agent's error.
    public func call(_ method: String, _ params: JSONValue = .object([]), descriptors: [CInt] = [], timeout: Double? = nil)
        throws(AgentClientError) -> JSONValue
    {
        let id = try send(method, params, descriptors: descriptors)
        return try result(of: try reply(to: id, timeout: timeout))
    }

    /// The reply with `id`, waiting for it; other replies and notifications are kept.
    public func reply(to id: JSONValue, timeout: Double? = nil) throws(AgentClientError) -> JSONValue {
        let key = id.serialized
        while true {
            if let reply = replies.removeValue(forKey: key) { return reply }
            guard let message = try receive(timeout: timeout) else {
                throw .transport("\(path): no reply from the agent within \(timeout ?? 0) s")
            }
            sort(message)
        }
    }

    /// The next notification (e.g. `copy.done`), or nil after `timeout` seconds.
    public func nextNotification(timeout: Double?) throws(AgentClientError) -> JSONValue? {
        while true {
            if !notifications.isEmpty { return notifications.removeFirst() }
            guard let message = try receive(timeout: timeout) else { return nil }
            sort(message)
        }
    }

    /// Keeps a received message where `reply(to:)` or `nextNotification` will look.
    private func sort(_ message: JSONValue) {
        if message["method"] != nil && message["id"] == nil {
            notifications.append(message)
        } else {
            replies[(message["id"] ?? .null).serialized] = message
        }
    }

    /// The result of a reply, or its error thrown.
    public func result(of reply: JSONValue) throws(AgentClientError) -> JSONValue {
        if let error = reply["error"] {
            throw .rejected(RPCError(json: error) ?? RPCError(.internal, "malformed error object: \(error.serialized)"))
        }
        guard let result = reply["result"] else { throw .transport("\(path): a reply without result or error: \(reply.serialized)") }
        return result
    }

    /// The next message from the agent, or nil when `timeout` passed first.
    public func receive(timeout: Double?) throws(AgentClientError) -> JSONValue? {
        while pendingMessages.isEmpty {
            if let timeout {
                var poller = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
                let rc = poll(&poller, 1, CInt(max(0, timeout * 1000)))
                if rc == 0 { return nil }
                if rc < 0 && errno != EINTR { throw .transport("\(path): poll: \(Errno(rawValue: errno))") }
                if rc < 0 { continue }
            }
            let received: (count: Int, descriptors: [CInt], truncated: Bool)
            do {
                received = try receiveBuffer.withUnsafeMutableBytes { try socket.receive(into: $0, maxDescriptors: 4) }
            } catch {
                throw .transport("\(path): receiving from the agent failed: \(error)")
            }
            for fd in received.descriptors { close(fd) }
            if received.count == 0 { throw .transport("\(path): the agent closed the connection") }
            let frames: [Frame]
            do {
                frames = try assembler.append(
                    receiveBuffer[0..<received.count], descriptors: [], truncated: false)
            } catch {
                throw .transport("\(path): malformed frame from the agent: \(error)")
            }
            for frame in frames {
                do { pendingMessages.append(try JSONParser().parse(frame.payload)) } catch {
                    throw .transport("\(path): the agent sent invalid JSON: \(error)")
                }
            }
        }
        return pendingMessages.removeFirst()
    }
}
