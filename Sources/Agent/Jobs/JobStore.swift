import Backends
import Glibc
import JSON

/// The job table, the idempotency keys, the event log and its subscribers. Jobs, keys
/// and events belong to the uid of the peer that started them; root sees all.
actor JobStore {
    let limits: AgentLimits
    let bootID: String
    private var jobs: [String: JobRecord] = [:]
    private var keys: [KeyID: String] = [:]
    private var nextJobNumber: UInt64 = 1
    private var runningCount = 0
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    private var events: [JobEvent] = []
    private var eventsHead = 0
    private var lastSeq: UInt64 = 0
    /// The highest sequence number dropped from the log (older than the retention).
    private var droppedThrough: UInt64 = 0
    private var subscribers: [ObjectIdentifier: EventSubscriber] = [:]

    private struct KeyID: Hashable {
        let owner: uid_t
        let key: String
    }

    struct EventSubscriber {
        let connection: Connection
        let peer: PeerCredentials
    }

    init(limits: AgentLimits, bootID: String) {
        self.limits = limits
        self.bootID = bootID
    }

    private static func visible(owner: uid_t, to peer: PeerCredentials) -> Bool {
        peer.uid == 0 || peer.uid == owner
    }

    // MARK: - Starting and ending jobs

    /// The job already started with `key` by this peer's uid, if it still exists.
    func job(forKey key: String, peer: PeerCredentials) -> JobRecord? {
        guard let id = keys[KeyID(owner: peer.uid, key: key)] else { return nil }
        return jobs[id]
    }

    /// `busy` when `max_async_jobs` copies are running. Checked before a start opens
    /// anything, and again when the job is entered.
    func checkCapacity() throws(RPCError) {
        guard runningCount < limits.maxAsyncJobs else {
            throw RPCError(.busy, "the agent is running \(runningCount) asynchronous copies, its limit (max_async_jobs); retry later")
        }
    }

    /// Enters a new running job, or returns the existing one for the same key (checked
    /// again here: two starts with one key may race). Over the cap: `busy`.
    func register(
        key: String?, peer: PeerCredentials, count: UInt64, backend: BackendName?, resources: JobResources
    ) throws(RPCError) -> (record: JobRecord, isNew: Bool) {
        if let key, let existing = job(forKey: key, peer: peer) { return (existing, false) }
        try checkCapacity()
        let id = "\(bootID)-\(nextJobNumber)"
        nextJobNumber += 1
        let record = JobRecord(
            id: id, owner: peer.uid, key: key, count: count, progress: JobProgress(), backend: backend, resources: resources)
        jobs[id] = record
        if let key { keys[KeyID(owner: peer.uid, key: key)] = id }
        runningCount += 1
        return (record, true)
    }

    /// Records how a job ended, closes its files, emits its one `copy.done` event, and
    /// wakes whoever waits for it to stop.
    func finish(_ id: String, outcome: JobOutcome) {
        guard var record = jobs[id], record.state == .running else { return }
        switch outcome {
        case .cancelledBeforeStart:
            record.finalBytes = 0
            record.committed = .unstable
            record.state = .cancelled
        case .copied(let result):
            record.finalBytes = result.bytes
            record.backend = result.backend
            record.committed = result.committed
            record.state = record.progress.cancellation.isCancelled && result.short ? .cancelled : .done
        case .failed(let failure):
            record.finalBytes = failure.error.bytes
            record.committed = .unstable
            record.error = RPCError(failure.error)
            record.state = .failed
        }
        record.endedAt = .now
        record.resources = nil
        jobs[id] = record
        runningCount -= 1
        emit(for: record)
        for waiter in waiters.removeValue(forKey: id) ?? [] { waiter.resume() }
    }

    // MARK: - Queries

    func status(_ id: String, peer: PeerCredentials) throws(RPCError) -> JobRecord {
        guard let record = jobs[id], Self.visible(owner: record.owner, to: peer) else { throw Self.noSuchJob(id) }
        return record
    }

    func list(peer: PeerCredentials) -> [JobRecord] {
        jobs.values.filter { Self.visible(owner: $0.owner, to: peer) }.sorted { $0.id < $1.id }
    }

    /// Asks a running job to stop and returns once it has; a finished job answers its
    /// final state at once.
    func cancel(_ id: String, peer: PeerCredentials) async throws(RPCError) -> JobRecord {
        let record = try status(id, peer: peer)
        if record.state == .running {
            record.progress.cancellation.cancel()
            await withCheckedContinuation { waiters[id, default: []].append($0) }
        }
        return jobs[id] ?? record
    }

    /// Forgets a job. A running job is cancelled first and forgotten once it stopped (its
    /// `copy.done` event is still emitted).
    func release(_ id: String, peer: PeerCredentials) async throws(RPCError) {
        let record = try await cancel(id, peer: peer)
        forget(record)
    }

    private func forget(_ record: JobRecord) {
        jobs[record.id] = nil
        if let key = record.key, keys[KeyID(owner: record.owner, key: key)] == record.id {
            keys[KeyID(owner: record.owner, key: key)] = nil
        }
    }

    /// Cancels every running job and waits until all have stopped (agent shutdown).
    func cancelAll() async {
        let ids = jobs.values.filter { $0.state == .running }.map(\.id)
        for id in ids { jobs[id]?.progress.cancellation.cancel() }
        for id in ids where jobs[id]?.state == .running {
            await withCheckedContinuation { waiters[id, default: []].append($0) }
        }
    }

    static func noSuchJob(_ id: String) -> RPCError {
        RPCError(.noSuchJob, "no job \"\(id)\": it never existed, was released, expired, or belongs to an earlier agent")
    }

    // MARK: - Events

    private func emit(for record: JobRecord) {
        lastSeq += 1
        var params: [(String, JSONValue)] = [
            ("seq", .unsigned(lastSeq)), ("job", .string(record.id)), ("state", .string(record.state.rawValue)),
            ("bytes", .unsigned(record.finalBytes)), ("committed", .string((record.committed ?? .unstable).rawValue)),
            ("verifier", .string(bootID)),
        ]
        if let error = record.error { params.append(("error", error.json)) }
        let event = JobEvent(seq: lastSeq, owner: record.owner, at: .now, params: .object(params))
        events.append(event)
        let notification = RPCMessage.notification(method: "copy.done", params: event.params)
        for subscriber in subscribers.values where Self.visible(owner: record.owner, to: subscriber.peer) {
            subscriber.connection.send(notification)
        }
    }

    /// Registers the connection for `copy.done` notifications and queues the reply
    /// `{seq}` before any of them, so the subscriber knows where its stream begins.
    func subscribe(_ connection: Connection, replyID: JSONValue) {
        connection.send(RPCMessage.result(id: replyID, .object([("seq", .unsigned(lastSeq))])))
        subscribers[ObjectIdentifier(connection)] = EventSubscriber(connection: connection, peer: connection.peer)
    }

    func unsubscribe(_ connection: Connection) {
        subscribers[ObjectIdentifier(connection)] = nil
    }

    /// The events after `seq` visible to the peer, oldest first, at most `max`.
    func events(after seq: UInt64, max: Int, peer: PeerCredentials) -> (events: [JSONValue], nextSeq: UInt64, truncated: Bool) {
        let truncated = seq < droppedThrough
        var out: [JSONValue] = []
        var next = seq
        // Sequence numbers in the log are consecutive: the first event after `seq` is
        // found by subtraction, not by a scan.
        var first = eventsHead
        if let oldest = events[eventsHead...].first, seq >= oldest.seq {
            // seq comes from the peer: clamp before converting (oldest.seq ≥ 1).
            first = eventsHead + Int(min(seq - oldest.seq + 1, UInt64(events.count - eventsHead)))
        }
        for event in events[first...] {
            if out.count >= max { break }
            next = event.seq
            if Self.visible(owner: event.owner, to: peer) { out.append(event.params) }
        }
        return (out, next, truncated)
    }

    // MARK: - Retention

    /// Drops finished jobs and events older than `retention_seconds`.
    func sweep(now: ContinuousClock.Instant = .now) {
        let retention = Duration.seconds(limits.retentionSeconds)
        for record in jobs.values {
            if let ended = record.endedAt, now - ended >= retention { forget(record) }
        }
        while eventsHead < events.count, now - events[eventsHead].at >= retention {
            droppedThrough = events[eventsHead].seq
            eventsHead += 1
        }
        if eventsHead > 4096, eventsHead * 2 > events.count {
            events.removeFirst(eventsHead)
            eventsHead = 0
        }
    }
}
