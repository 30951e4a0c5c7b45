import Backends
import Glibc
import JSON
import Synchronization

public enum JobState: String, Sendable {
    case running
    case done
    case failed
    case cancelled
}

/// What the copying thread and the job table share while a job runs: the bytes in
/// place so far and the cancellation request.
final class JobProgress: Sendable {
    let bytes = Atomic<UInt64>(0)
    let cancellation = CancellationFlag()

    var context: CopyContext {
        CopyContext(cancellation: cancellation) { [self] done in self.bytes.store(done, ordering: .relaxed) }
    }
}

/// One asynchronous copy as the job table keeps it.
struct JobRecord: Sendable {
    let id: String
    let owner: uid_t
    let key: String?
    let count: UInt64
    let progress: JobProgress
    var backend: BackendName?
    var state: JobState = .running
    var finalBytes: UInt64 = 0
    var committed: Committed? = nil
    var error: RPCError? = nil
    var endedAt: ContinuousClock.Instant? = nil
    /// The files the job copies between; dropped (and passed descriptors closed) when
    /// the job ends, not when it is released.
    var resources: JobResources?

    var bytes: UInt64 { state == .running ? progress.bytes.load(ordering: .relaxed) : finalBytes }

    /// The `copy.status` result.
    var statusJSON: JSONValue {
        var members: [(String, JSONValue)] = [
            ("job", .string(id)), ("state", .string(state.rawValue)), ("bytes", .unsigned(bytes)), ("count", .unsigned(count)),
            ("backend", backend.map { .string($0.rawValue) } ?? .null),
        ]
        if let committed { members.append(("committed", .string(committed.rawValue))) }
        if let error { members.append(("error", error.json)) }
        return .object(members)
    }
}

/// The open files of a running job. Closing happens when the last reference goes.
final class JobResources: Sendable {
    let source: CopyFile
    let destination: CopyFile
    let held: [HeldDescriptor]

    init(source: CopyFile, destination: CopyFile, held: [HeldDescriptor]) {
        self.source = source
        self.destination = destination
        self.held = held
    }
}

/// How a job's copy ended.
enum JobOutcome: Sendable {
    case copied(CopyOutcome)
    case failed(CopyFailure)
    /// Cancelled while it waited for a copy thread: nothing moved.
    case cancelledBeforeStart
}

/// A sequence-numbered `copy.done` event.
struct JobEvent: Sendable {
    let seq: UInt64
    let owner: uid_t
    let at: ContinuousClock.Instant
    let params: JSONValue
}
