import Backends

/// One line of the comparison: a backend of the engine or an external tool.
public struct BenchCase: Sendable {
    public enum Kind: String, Sendable {
        case backend
        case tool
    }

    public enum Status: String, Sendable {
        /// Every timed run completed.
        case ok
        /// A run failed; the runs before it are kept, the case was not run again.
        case failed
        /// Not run: the backend cannot serve the pair, or the tool is not installed or
        /// does not apply to it.
        case skipped
    }

    /// Unique within a report: the backend's name, or the tool's (`cp`, `cp-reflink-auto`,
    /// `dd`, `fio`, `sg_xcopy`).
    public var name: String
    public var kind: Kind
    /// What the table and the chart show, e.g. "dd bs=1M O_DIRECT".
    public var label: String
    /// The tool's argument vector; empty for a backend.
    public var command: [String]
    /// The external tool; nil for a backend.
    public var tool: ToolName?
    public var status: Status
    /// Why a case was skipped; nil otherwise.
    public var skipReason: String?
    public var failure: CaseFailure?
    /// For aio: whether O_DIRECT carried each side (as in `copy --json`).
    public var direct: DirectUse?
    /// Timed runs that completed.
    public var runs: [RunMeasurement]
    /// Something a reader must know to compare this case, e.g. "--reflink=never" on a
    /// filesystem where cp would otherwise clone.
    public var note: String?

    public init(name: String, kind: Kind, label: String, tool: ToolName? = nil, command: [String] = [], note: String? = nil) {
        self.name = name
        self.kind = kind
        self.label = label
        self.tool = tool
        self.command = command
        self.status = .ok
        self.runs = []
        self.note = note
    }

    /// Medians over the timed runs; nil when none completed or the case failed.
    public var summary: RunSummary? { status == .ok ? RunSummary(runs) : nil }

    mutating func skip(_ reason: String) {
        status = .skipped
        skipReason = reason
    }

    mutating func fail(_ failure: CaseFailure) {
        status = .failed
        self.failure = failure
    }
}

/// How a case failed.
public struct CaseFailure: Error, Sendable {
    /// One sentence naming what failed.
    public var message: String
    /// The run that failed: 0 for the warm-up, then 1 ... runs.
    public var run: Int
    /// For a backend: the engine's error (kind, errno, bytes in place).
    public var error: CopyError?
    /// For a tool: its exit status, or nil when it did not exit normally (a signal, or
    /// it could not be started).
    public var exitStatus: Int32?

    public init(message: String, run: Int, error: CopyError? = nil, exitStatus: Int32? = nil) {
        self.message = message
        self.run = run
        self.error = error
        self.exitStatus = exitStatus
    }
}
