import Backends
import Glibc
import JSON
import Logging
import Profiles

/// The protocol's methods over one copy engine, one job table and two thread pools:
/// one for requests that block briefly or run synchronously (opening paths, probes,
/// clones, synchronous copies), one for asynchronous copies.
public final class AgentService: Sendable {
    public let limits: AgentLimits
    public let bootID: String
    public let version: String
    let engine: CopyEngine
    /// The device profiles selection uses; `reloadProfiles()` swaps in a new valid set.
    public let profiles: ProfileStore
    let store: JobStore
    let resolver: FileResolver
    let requestPool: BlockingPool
    let copyPool: BlockingPool
    let logger: Logger

    /// One engine for the agent's lifetime, so its negative cache spans all requests
    /// and streamed jobs reuse io_setup contexts (one per copy thread can be in use).
    public init(limits: AgentLimits, version: String, profiles: ProfileStore, logger: Logger) {
        self.limits = limits
        self.version = version
        self.profiles = profiles
        self.engine = CopyEngine(
            backends: CopyEngine.standardBackends(aioContexts: AioContextPool(maxIdle: limits.copyThreads)),
            selector: ProfileSelector(store: profiles))
        self.logger = logger
        self.bootID = Self.randomBootID()
        self.store = JobStore(limits: limits, bootID: bootID)
        self.resolver = FileResolver(agentUID: geteuid())
        self.requestPool = BlockingPool(name: "ssc-req", threads: limits.requestThreads)
        self.copyPool = BlockingPool(name: "ssc-copy", threads: limits.copyThreads)
    }

    /// 128 random bits in hex: the verifier, and the prefix that keeps job ids unique
    /// across restarts.
    static func randomBootID() -> String {
        // SystemRandomNumberGenerator reads getrandom(2) on Linux.
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Re-reads the profile directories; on any error the previous valid set stays in
    /// force and the errors are returned.
    public func reloadProfiles() -> ProfileLoadErrors? {
        do throws(ProfileLoadErrors) {
            _ = try profiles.reload()
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Frames

    /// Called on the connection's reader thread for each complete frame.
    func handle(_ frame: Frame, on connection: Connection) {
        let descriptors = ReceivedDescriptors(frame.descriptors)
        let message: JSONValue
        do {
            message = try JSONParser().parse(frame.payload)
        } catch {
            descriptors.closeUnheld()
            connection.send(RPCMessage.error(id: .null, .parseError("the frame is not valid JSON (\(error)); closing the connection")))
            connection.closeAfterFlush()
            return
        }
        guard case .object = message else {
            descriptors.closeUnheld()
            let what = message.arrayValue != nil ? "batch requests are not supported" : "a request must be a JSON object"
            connection.send(RPCMessage.error(id: .null, .invalidRequest(what)))
            return
        }
        let rawID = message["id"]
        let id: JSONValue
        switch rawID {
        case nil: id = .null
        case .string?, .integer?, .unsigned?, .number?, .null?: id = rawID!
        default:
            descriptors.closeUnheld()
            connection.send(RPCMessage.error(id: .null, .invalidRequest("id must be a string, a number or null")))
            return
        }
        let isNotification = rawID == nil
        guard message["jsonrpc"]?.stringValue == "2.0" else {
            descriptors.closeUnheld()
            if !isNotification { connection.send(RPCMessage.error(id: id, .invalidRequest("jsonrpc must be \"2.0\""))) }
            return
        }
        guard let method = message["method"]?.stringValue else {
            descriptors.closeUnheld()
            if !isNotification { connection.send(RPCMessage.error(id: id, .invalidRequest("method must be a string"))) }
            return
        }
        if let problem = frame.descriptorProblem {
            descriptors.closeUnheld()
            if !isNotification { connection.send(RPCMessage.error(id: id, RPCError(.invalid, "\(method): \(problem)"))) }
            return
        }
        let params = message["params"]
        connection.requestStarted()
        Task {
            defer { connection.requestEnded() }
            if method == "events.subscribe" {
                descriptors.closeUnheld()
                do throws(RPCError) {
                    _ = try Params(method: method, params: params, allowed: [])
                    await store.subscribe(connection, replyID: id)
                } catch {
                    if !isNotification { connection.send(RPCMessage.error(id: id, error)) }
                }
                return
            }
            let reply: JSONValue
            do throws(RPCError) {
                let result = try await dispatch(method, params: params, descriptors: descriptors, peer: connection.peer)
                reply = RPCMessage.result(id: id, result)
            } catch {
                logger.debug("request failed", metadata: ["method": "\(method)", "error": "\(error.message)"])
                reply = RPCMessage.error(id: id, error)
            }
            // Descriptors no job kept are closed before the reply leaves, so a peer that
            // has its answer never finds them still open in the agent.
            descriptors.closeUnheld()
            if !isNotification { connection.send(reply) }
        }
    }

    func dispatch(_ method: String, params: JSONValue?, descriptors: ReceivedDescriptors, peer: PeerCredentials)
        async throws(RPCError) -> JSONValue
    {
        switch method {
        case "agent.hello":
            _ = try Params(method: method, params: params, allowed: ["client"])
            return hello()
        case "device.probe":
            return try await probe(Params(method: method, params: params, allowed: ["file", "other"]), descriptors, peer)
        case "copy.clone":
            return try await clone(
                Params(method: method, params: params, allowed: ["src", "dst", "src_offset", "dst_offset", "count"]), descriptors, peer)
        case "copy.start":
            return try await start(
                Params(
                    method: method, params: params,
                    allowed: [
                        "src", "dst", "src_offset", "dst_offset", "count", "synchronous", "consecutive", "stable", "guarded",
                        "truncate", "backend", "key",
                    ]), descriptors, peer)
        case "copy.status":
            let p = try Params(method: method, params: params, allowed: ["job"])
            return try await store.status(try p.requiredString("job"), peer: peer).statusJSON
        case "copy.cancel":
            let p = try Params(method: method, params: params, allowed: ["job"])
            let record = try await store.cancel(try p.requiredString("job"), peer: peer)
            return .object([("job", .string(record.id)), ("state", .string(record.state.rawValue)), ("bytes", .unsigned(record.bytes))])
        case "copy.release":
            let p = try Params(method: method, params: params, allowed: ["job"])
            try await store.release(try p.requiredString("job"), peer: peer)
            return .object([])
        case "copy.list":
            _ = try Params(method: method, params: params, allowed: [])
            return .object([("jobs", .array(await store.list(peer: peer).map(\.statusJSON)))])
        case "events.since":
            let p = try Params(method: method, params: params, allowed: ["seq", "max"])
            guard p.has("seq") else { throw RPCError.invalidParams("events.since: seq is required") }
            let seq = try p.uint64("seq", default: 0)
            let max = try p.int("max", default: 1000) ?? 1000
            guard max >= 1 else { throw RPCError.invalidParams("events.since: max must be at least 1") }
            let answer = await store.events(after: seq, max: min(max, 10_000), peer: peer)
            return .object([
                ("events", .array(answer.events)), ("next_seq", .unsigned(answer.nextSeq)), ("truncated", .bool(answer.truncated)),
            ])
        default:
            throw RPCError.methodNotFound(method)
        }
    }

    func hello() -> JSONValue {
        .object([
            ("protocol", 1), ("version", .string(version)), ("boot_id", .string(bootID)),
            ("backends", .array(engine.backends.map { .string($0.name.rawValue) })), ("limits", limits.json),
        ])
    }
}
