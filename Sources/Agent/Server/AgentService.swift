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

    /// One engine for the agent's lifetime, so its negative cache spans all requests,
    /// streamed jobs reuse io_setup contexts (one per copy thread can be in use) and the
    /// devices' sysfs identities are read once per disk (BlockDeviceNodeCache).
    public init(limits: AgentLimits, version: String, profiles: ProfileStore, logger: Logger) {
        self.limits = limits
        self.version = version
        self.profiles = profiles
        self.engine = CopyEngine(
            backends: CopyEngine.standardBackends(aioContexts: AioContextPool(maxIdle: limits.copyThreads)),
            selector: ProfileSelector(store: profiles), blockNodes: BlockDeviceNodeCache())
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
        // The methods a pool thread serves from start to end go there straight from this
        // thread, and their reply leaves from it: no task in between (each hand-over
        // between threads costs a wake-up, the request's largest cost after the work).
        // agent.hello is answered here.
        let blocking: BlockingWork?
        do throws(RPCError) {
            blocking = try blockingWork(method, params: params, descriptors: descriptors, peer: connection.peer)
        } catch {
            reply(.failure(error), id: id, method: method, isNotification: isNotification, descriptors: descriptors, on: connection)
            connection.requestEnded()
            return
        }
        if method == "agent.hello" {
            reply(
                Result { () throws(RPCError) in
                    _ = try Params(method: method, params: params, allowed: ["client"])
                    return hello()
                }, id: id, method: method, isNotification: isNotification, descriptors: descriptors, on: connection)
            connection.requestEnded()
            return
        }
        if let blocking {
            requestPool.submit { [self] in
                reply(Result(catching: blocking), id: id, method: method, isNotification: isNotification, descriptors: descriptors, on: connection)
                connection.requestEnded()
            }
            return
        }
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
            let result: Result<JSONValue, RPCError>
            do throws(RPCError) {
                result = .success(try await dispatch(method, params: params, descriptors: descriptors, peer: connection.peer))
            } catch {
                result = .failure(error)
            }
            reply(result, id: id, method: method, isNotification: isNotification, descriptors: descriptors, on: connection)
        }
    }

    /// Sends a request's answer. Descriptors no job kept are closed before the reply
    /// leaves, so a peer that has its answer never finds them still open in the agent.
    private func reply(
        _ result: Result<JSONValue, RPCError>, id: JSONValue, method: String, isNotification: Bool,
        descriptors: ReceivedDescriptors, on connection: Connection
    ) {
        let message: JSONValue
        switch result {
        case .success(let value):
            message = RPCMessage.result(id: id, value)
        case .failure(let error):
            logger.debug("request failed", metadata: ["method": "\(method)", "error": "\(error.message)"])
            message = RPCMessage.error(id: id, error)
        }
        descriptors.closeUnheld()
        if !isNotification { connection.send(message) }
    }

    /// A request served on a request-pool thread from start to end.
    typealias BlockingWork = @Sendable () throws(RPCError) -> JSONValue

    /// The work of a method that runs wholly on the request pool (it opens files, probes
    /// devices, or copies synchronously), with its parameters checked; nil for the
    /// others. Cheap, and never blocks: called on a connection's reader thread.
    func blockingWork(_ method: String, params: JSONValue?, descriptors: ReceivedDescriptors, peer: PeerCredentials)
        throws(RPCError) -> BlockingWork?
    {
        switch method {
        case "device.probe":
            return try probeWork(Params(method: method, params: params, allowed: ["file", "other"]), descriptors, peer)
        case "copy.clone":
            return try cloneWork(
                Params(method: method, params: params, allowed: ["src", "dst", "src_offset", "dst_offset", "count"]), descriptors, peer)
        case "copy.start":
            let arguments = try copyArguments(Params(method: method, params: params, allowed: Self.copyStartParameters))
            guard arguments.synchronous else { return nil }
            return { () throws(RPCError) -> JSONValue in try self.copySynchronously(arguments, peer: peer, descriptors: descriptors) }
        default:
            return nil
        }
    }

    static let copyStartParameters: Set<String> = [
        "src", "dst", "src_offset", "dst_offset", "count", "synchronous", "consecutive", "stable", "guarded", "truncate", "backend",
        "key",
    ]

    /// The methods served by a task: `handle` has answered agent.hello and handed the
    /// `blockingWork` ones to the request pool before it gets here.
    func dispatch(_ method: String, params: JSONValue?, descriptors: ReceivedDescriptors, peer: PeerCredentials)
        async throws(RPCError) -> JSONValue
    {
        switch method {
        case "copy.start":
            return try await start(Params(method: method, params: params, allowed: Self.copyStartParameters), descriptors, peer)
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
