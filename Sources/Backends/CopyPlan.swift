import XCopy

/// What the caller asks for, in the design's terms (RFC 7862 COPY arguments plus the
/// agent's own `truncate` and forced backend).
public struct CopyRequest: Sendable {
    public var srcOffset: UInt64
    public var dstOffset: UInt64
    /// 0 means from `srcOffset` to the source's end of file.
    public var count: UInt64
    /// Cut the destination to `dstOffset + count` before the first byte moves.
    public var truncate: Bool
    /// Fail with `exists` if the destination already has data.
    public var guarded: Bool
    /// fdatasync the destination before reporting, giving FILE_SYNC.
    public var stable: Bool
    /// Use only this backend; fail when it cannot serve.
    public var backend: BackendName?

    public init(
        srcOffset: UInt64 = 0, dstOffset: UInt64 = 0, count: UInt64 = 0, truncate: Bool = false,
        guarded: Bool = false, stable: Bool = false, backend: BackendName? = nil
    ) {
        self.srcOffset = srcOffset
        self.dstOffset = dstOffset
        self.count = count
        self.truncate = truncate
        self.guarded = guarded
        self.stable = stable
        self.backend = backend
    }
}

/// Knobs of the streaming and kernel backends.
public struct Tunables: Sendable {
    public var aio = AioTunables()
    public var xcopy = XCopyTunables()
    /// Bytes per copy_file_range call: small enough for progress and cancellation.
    public var copyFileRangeChunk: UInt64 = 64 << 20

    public init() {}
}

public struct AioTunables: Sendable {
    /// Bytes per read/write; rounded up to the devices' O_DIRECT alignment.
    public var blockSize: Int = 4 << 20
    /// Buffers in flight (each a read, then a write).
    public var queueDepth: Int = 16
    /// Allow O_DIRECT where the design's rule permits it.
    public var direct: Bool = true

    public init() {}
}

public struct XCopyTunables: Sendable {
    /// Upper bound on the bytes one EXTENDED COPY command moves (0: the device's limits).
    public var bytesPerCommand: UInt64 = 0
    /// Upper bound on 0x02 segment descriptors per command (0: the device's limit).
    public var segmentsPerCommand: Int = 0
    /// EXTENDED COPY commands in flight at once (1 … 256). One unless a profile states
    /// more: what the device is proven to take, which may exceed what it reports in
    /// RECEIVE COPY OPERATING PARAMETERS (LIO reports one and runs several).
    public var concurrency: Int = 1
    /// SCSI command timeout.
    public var timeout: Duration = .seconds(60)
    /// The parameter list's PRIORITY field (SPC-4 §6.3.1, byte 1 bits 2..0).
    public var priority: UInt8 = 1

    public init() {}
}

/// A validated request: both files open, the range resolved against the source's size,
/// the destination already truncated if asked. Backends receive only plans.
public struct CopyPlan: Sendable {
    public let source: CopyFile
    public let destination: CopyFile
    public let srcOffset: UInt64
    public let dstOffset: UInt64
    /// The resolved byte count (never 0 for "to EOF").
    public let count: UInt64
    public let sourceSize: UInt64
    /// The destination's size when bytes start to move: after the truncation a
    /// `truncate` request asks for.
    public let destinationSize: UInt64
    /// The destination is still longer than `destinationSize`: a backend calls
    /// `applyTruncation()` once its own checks have passed, right before it changes
    /// the destination, so a backend that declines leaves the destination untouched.
    public let truncationPending: Bool
    public let tunables: Tunables
    /// READ CAPACITY(16) of a SCSI generic source or destination, asked during
    /// validation (it is such a node's size); nil for other files.
    public let sourceCapacity: Capacity?
    public let destinationCapacity: Capacity?

    public var srcEnd: UInt64 { srcOffset + count }
    public var dstEnd: UInt64 { dstOffset + count }

    /// The whole source onto the start of the destination.
    public var isWholeFile: Bool { srcOffset == 0 && dstOffset == 0 && count == sourceSize }

    public init(
        source: CopyFile, destination: CopyFile, srcOffset: UInt64, dstOffset: UInt64, count: UInt64,
        sourceSize: UInt64, destinationSize: UInt64, truncationPending: Bool = false, tunables: Tunables = Tunables(),
        sourceCapacity: Capacity? = nil, destinationCapacity: Capacity? = nil
    ) {
        self.source = source
        self.destination = destination
        self.srcOffset = srcOffset
        self.dstOffset = dstOffset
        self.count = count
        self.sourceSize = sourceSize
        self.destinationSize = destinationSize
        self.truncationPending = truncationPending
        self.tunables = tunables
        self.sourceCapacity = sourceCapacity
        self.destinationCapacity = destinationCapacity
    }

    /// Cuts the destination to `destinationSize` if the request asked for it. Idempotent.
    public func applyTruncation() throws(CopyError) {
        guard truncationPending else { return }
        do {
            try SystemCalls.ftruncate(destination.descriptor, destinationSize)
        } catch {
            throw CopyError(error, doing: "truncating to \(destinationSize) bytes", on: destination.name)
        }
    }

    /// The same plan with the truncation asked for (no system call yet).
    func truncating(_ truncate: Bool) -> CopyPlan {
        guard truncate, destination.kind == .regular, destinationSize > dstEnd else { return self }
        return CopyPlan(
            source: source, destination: destination, srcOffset: srcOffset, dstOffset: dstOffset, count: count,
            sourceSize: sourceSize, destinationSize: dstEnd, truncationPending: true, tunables: tunables,
            sourceCapacity: sourceCapacity, destinationCapacity: destinationCapacity)
    }
}
