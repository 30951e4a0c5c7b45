/// Drives a backend's data mover over the source range segment by segment: data
/// segments are handed to `moveData`, holes become zeros in the destination (the
/// design's hole rule), and the contiguous bytes in place are tracked throughout.
struct SegmentedCopy {
    let plan: CopyPlan
    let context: CopyContext

    /// Moves `length` bytes from `srcOffset` to `dstOffset`; returns the contiguous
    /// bytes in place from `srcOffset` (less than `length` only on cancellation). A
    /// `.failed` error's bytes count from `srcOffset`.
    typealias MoveData = (_ srcOffset: UInt64, _ dstOffset: UInt64, _ length: UInt64, _ context: CopyContext)
        throws(BackendError) -> UInt64

    /// Bytes written as zeros for holes that could not be punched.
    private(set) var zeroBytesWritten: UInt64 = 0

    init(plan: CopyPlan, context: CopyContext) {
        self.plan = plan
        self.context = context
    }

    mutating func run(_ moveData: MoveData) throws(BackendError) -> UInt64 {
        var segments = SourceSegments(plan: plan)
        defer { segments.close() }
        let holes = HoleWriter(destination: plan.destination, oldSize: plan.destinationSize)
        defer { zeroBytesWritten = holes.zeroBytesWritten }
        var done: UInt64 = 0
        while let segment = segments.next() {
            if context.isCancelled { return done }
            switch segment {
            case .hole(let offset, let length):
                do {
                    try holes.zero(offset: plan.dstOffset + offset, length: length)
                } catch {
                    throw .failed(error.with(bytes: done))
                }
                done += length
                context.progress(done)
            case .data(let offset, let length):
                let moved: UInt64
                do {
                    moved = try moveData(plan.srcOffset + offset, plan.dstOffset + offset, length, context.offset(by: done))
                } catch {
                    switch error {
                    case .failed(let failure):
                        throw .failed(failure.with(bytes: done + failure.bytes))
                    case .declined(let decline) where done > 0:
                        // Part of the range is already in place: falling back now
                        // would hide a half-done copy, so this is an error.
                        throw .failed(
                            CopyError(
                                decline.errno.map(CopyErrorKind.init(errno:)) ?? .io,
                                "\(plan.destination.name): \(decline.message) after \(done) bytes were in place",
                                errno: decline.errno, bytes: done))
                    case .declined:
                        throw error
                    }
                }
                done += moved
                if moved < length { return done }
            }
        }
        return done
    }
}
