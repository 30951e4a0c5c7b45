/// One protocol frame: a 4-byte big-endian length N (1 ≤ N ≤ the limit) then N bytes of
/// UTF-8 JSON, with the descriptors that arrived alongside its first byte.
public struct Frame: Sendable {
    public var payload: [UInt8]
    public var descriptors: [CInt]
    /// Why the descriptors that came with this frame cannot be used (MSG_CTRUNC, too
    /// many); they have been closed and the request must be answered with an error.
    public var descriptorProblem: String?

    public static let headerSize = 4

    /// The bytes on the wire for `payload`.
    public static func encode(_ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [UInt8(n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
            + payload
    }
}

public struct FramingError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Cuts a byte stream received in chunks into frames and attaches descriptors to them.
///
/// The protocol sends a frame's descriptors with the `sendmsg` that carries the frame's
/// first byte, and that `sendmsg` carries no byte of a later frame. Linux ends a
/// `recvmsg` on a Unix stream socket right after the message that carried descriptors,
/// so the descriptors of a chunk belong to the last frame that begins in that chunk.
/// When no frame begins in it (a receive buffer smaller than the sender's message), they
/// wait for the next frame to begin.
public struct FrameAssembler {
    public let maxFrameBytes: Int
    public let maxDescriptors: Int
    private var buffer: [UInt8] = []
    /// Descriptors of the incomplete frame at the start of `buffer`.
    private var currentDescriptors: [CInt] = []
    private var currentProblem: String?
    /// Descriptors received while no frame began: they go to the next frame to begin.
    private var pendingDescriptors: [CInt] = []
    private var pendingProblem: String?

    public init(maxFrameBytes: Int, maxDescriptors: Int) {
        self.maxFrameBytes = maxFrameBytes
        self.maxDescriptors = maxDescriptors
    }

    /// Whether a frame has begun and not yet ended.
    public var hasPartialFrame: Bool { !buffer.isEmpty }

    /// Every descriptor held for frames not yet complete; the caller closes them when the
    /// connection ends.
    public mutating func takeHeldDescriptors() -> [CInt] {
        defer {
            currentDescriptors = []
            pendingDescriptors = []
        }
        return currentDescriptors + pendingDescriptors
    }

    /// Adds one received chunk. Returns the frames it completed, in order. A length of 0
    /// or over the limit is a framing error: the stream cannot be resynchronised.
    public mutating func append(_ chunk: some Collection<UInt8>, descriptors: [CInt], truncated: Bool) throws(FramingError)
        -> [Frame]
    {
        let chunkStart = buffer.count
        buffer.append(contentsOf: chunk)
        var problem: String? = nil
        if truncated {
            problem = "descriptors were lost in transit (MSG_CTRUNC): send at most \(maxDescriptors) per frame"
        } else if descriptors.count > maxDescriptors {
            problem = "\(descriptors.count) descriptors arrived with one frame; at most \(maxDescriptors) are allowed"
        }
        var arrived = descriptors

        // Frame starts inside the available data: the first is at 0, each next one
        // follows a complete header.
        var starts: [Int] = [0]
        var position = 0
        while buffer.count - position >= Frame.headerSize {
            let length = Self.length(buffer, at: position)
            guard length >= 1, length <= maxFrameBytes else {
                throw FramingError(description: "frame length \(length) is outside 1...\(maxFrameBytes)")
            }
            position += Frame.headerSize + length
            if position < buffer.count { starts.append(position) } else { break }
        }
        let startsInChunk = starts.filter { $0 >= chunkStart && $0 < buffer.count }
        let receivingStart = startsInChunk.last

        var frames: [Frame] = []
        var consumed = 0
        var index = 0
        while index < starts.count {
            let start = starts[index]
            var fds: [CInt] = []
            var fdProblem: String? = nil
            if start == 0 {
                fds = currentDescriptors
                fdProblem = currentProblem
                currentDescriptors = []
                currentProblem = nil
            }
            if start >= chunkStart, !pendingDescriptors.isEmpty || pendingProblem != nil,
                start == startsInChunk.first
            {
                fds += pendingDescriptors
                fdProblem = fdProblem ?? pendingProblem
                pendingDescriptors = []
                pendingProblem = nil
            }
            if start == receivingStart {
                fds += arrived
                fdProblem = fdProblem ?? problem
                arrived = []
                problem = nil
            }
            guard buffer.count - start >= Frame.headerSize else {
                currentDescriptors = fds
                currentProblem = fdProblem
                break
            }
            let length = Self.length(buffer, at: start)
            let end = start + Frame.headerSize + length
            guard end <= buffer.count else {
                currentDescriptors = fds
                currentProblem = fdProblem
                break
            }
            frames.append(Frame(payload: Array(buffer[(start + Frame.headerSize)..<end]), descriptors: fds, descriptorProblem: fdProblem))
            consumed = end
            index += 1
        }
        buffer.removeFirst(consumed)
        if !arrived.isEmpty || problem != nil {
            // No frame began in this chunk.
            pendingDescriptors += arrived
            pendingProblem = pendingProblem ?? problem
        }
        return frames
    }

    private static func length(_ bytes: [UInt8], at i: Int) -> Int {
        Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
    }
}
