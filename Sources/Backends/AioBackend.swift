/// Streams through the agent's buffers with libaio: the universal fallback, for any
/// pair of regular files and block devices. O_DIRECT by the design's rule.
public struct AioBackend: CopyBackend {
    public let name = BackendName.aio
    /// io_setup contexts reused from one copy to the next (an agent's); nil makes and
    /// destroys one per streamed copy.
    public let contextPool: AioContextPool?

    public init(contextPool: AioContextPool? = nil) {
        self.contextPool = contextPool
    }

    public func assess(_ plan: CopyPlan) -> Verdict {
        guard plan.source.kind.isCopyable, plan.destination.kind.isCopyable else {
            return .no(Decline(.notSupported, "aio copies regular files and block devices only"))
        }
        return .yes
    }

    /// Nothing to try: what O_DIRECT would carry on each side.
    public func trial(_ plan: CopyPlan) -> TrialVerdict {
        if case .no(let decline) = assess(plan) { return .no(decline) }
        func side(_ file: CopyFile) -> String {
            guard plan.tunables.aio.direct, let align = file.directIOAlignment() else { return "buffered" }
            return "O_DIRECT (\(align.offset)-byte alignment)"
        }
        return .yes("streams through the agent's buffers: source \(side(plan.source)), destination \(side(plan.destination))")
    }

    public func copy(_ plan: CopyPlan, context: CopyContext) throws(BackendError) -> BackendResult {
        if plan.count == 0 {
            do { try plan.applyTruncation() } catch { throw .failed(error) }
            return BackendResult(bytes: 0)
        }
        let pipeline = try AioPipeline(plan: plan, contextPool: contextPool)
        do { try plan.applyTruncation() } catch { throw .failed(error) }
        var walk = SegmentedCopy(plan: plan, context: context)
        let bytes = try walk.run { (src, dst, length, context) throws(BackendError) -> UInt64 in
            try pipeline.move(srcOffset: src, dstOffset: dst, length: length, context: context)
        }
        return BackendResult(
            bytes: bytes, direct: pipeline.directUse,
            bufferedBytes: pipeline.bytesThroughBuffers + walk.zeroBytesWritten)
    }
}
