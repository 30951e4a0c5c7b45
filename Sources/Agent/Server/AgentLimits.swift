/// The limits `agent.hello` reports and the agent enforces.
public struct AgentLimits: Sendable {
    /// Running asynchronous copies; beyond it `copy.start` answers `busy`.
    public var maxAsyncJobs: Int = 64
    /// A synchronous copy moves at most this many bytes and reports the rest as short.
    public var syncMaxBytes: UInt64 = 64 << 20
    /// How long finished jobs and events stay queryable.
    public var retentionSeconds: Int = 300
    public var maxFrameBytes: Int = 1 << 20
    public var maxFdsPerFrame: Int = 4
    /// Threads that run asynchronous copies; jobs beyond them wait (state running).
    public var copyThreads: Int = 16
    /// Threads that open files and run synchronous copies, clones and probes.
    public var requestThreads: Int = 8
    /// Bytes of replies queued for a peer that does not read before it is disconnected.
    public var maxQueuedReplyBytes: Int = 64 << 20

    public init() {}

    public var json: JSONValue {
        .object([
            ("max_async_jobs", .integer(Int64(maxAsyncJobs))), ("sync_max_bytes", .unsigned(syncMaxBytes)),
            ("retention_seconds", .integer(Int64(retentionSeconds))), ("max_frame_bytes", .integer(Int64(maxFrameBytes))),
            ("max_fds_per_frame", .integer(Int64(maxFdsPerFrame))),
        ])
    }
}

import JSON
