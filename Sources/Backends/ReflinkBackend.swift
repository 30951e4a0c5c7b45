import CShims
import Glibc
import SystemPackage

/// Clones extents with FICLONE (whole files) or FICLONERANGE (ranges): no data moves,
/// the destination shares the source's blocks (btrfs, XFS reflink=1, OCFS2, NFSv4.2
/// CLONE, SMB3).
public struct ReflinkBackend: CopyBackend {
    public let name = BackendName.reflink

    public init() {}

    public func assess(_ plan: CopyPlan) -> Verdict {
        guard plan.source.kind == .regular, plan.destination.kind == .regular else {
            return .no(Decline(.notSupported, "reflink clones regular files only, not block devices"))
        }
        if plan.count == 0 { return .yes }
        let blockSize = Self.cloneBlockSize(plan.destination)
        if let problem = Self.alignmentProblem(plan, blockSize: blockSize) {
            return .no(Decline(.cannotServe, problem))
        }
        return .maybe("the filesystem decides at the first clone call")
    }

    /// The destination filesystem's block size, the unit FICLONERANGE works in.
    public static func cloneBlockSize(_ file: CopyFile) -> UInt64 {
        guard let info = try? SystemCalls.statfs(file.descriptor), info.block_size > 0 else { return 4096 }
        return info.block_size
    }

    /// Why the range cannot be cloned as it is, or nil. Offsets and count must be block
    /// multiples, except a range that ends at the source's EOF and reaches at least the
    /// destination's current end (the kernel rounds that tail up; anywhere else it
    /// would round the count down and clone less than asked, without an error).
    public static func alignmentProblem(_ plan: CopyPlan, blockSize: UInt64) -> String? {
        if plan.srcOffset % blockSize != 0 {
            return "src_offset \(plan.srcOffset) is not a multiple of the \(blockSize)-byte clone block size"
        }
        if plan.dstOffset % blockSize != 0 {
            return "dst_offset \(plan.dstOffset) is not a multiple of the \(blockSize)-byte clone block size"
        }
        if plan.count % blockSize != 0 {
            guard plan.srcEnd == plan.sourceSize else {
                return "count \(plan.count) is not a multiple of the \(blockSize)-byte clone block size and the range does not end at the source's end of file"
            }
            guard plan.dstEnd >= plan.destinationSize else {
                return "the range ends at the source's unaligned end of file but short of the destination's end (\(plan.destinationSize) bytes)"
            }
        }
        return nil
    }

    public func copy(_ plan: CopyPlan, context: CopyContext) throws(BackendError) -> BackendResult {
        if plan.truncationPending {
            try cloneThenTruncate(plan)
        } else if plan.count == 0 {
            try checkClonesAtAll(plan)
        } else {
            let whole = plan.isWholeFile && plan.destinationSize <= plan.sourceSize
            try clone(plan, srcOffset: plan.srcOffset, dstOffset: plan.dstOffset, count: plan.count, whole: whole)
        }
        context.progress(plan.count)
        return BackendResult(bytes: plan.count)
    }

    /// A destination longer than the range's end that is to be cut (a whole-file CLI
    /// copy): the kernel refuses an unaligned tail clone onto it, but truncating first
    /// would change the destination before the filesystem said it can clone. So the
    /// block-aligned part is cloned first (its refusal leaves everything as it was),
    /// then the destination is cut, then the tail is cloned up to the source's EOF.
    private func cloneThenTruncate(_ plan: CopyPlan) throws(BackendError) {
        let blockSize = Self.cloneBlockSize(plan.destination)
        let aligned = plan.count / blockSize * blockSize
        if aligned > 0 {
            try clone(plan, srcOffset: plan.srcOffset, dstOffset: plan.dstOffset, count: aligned, whole: false)
        } else {
            try checkClonesAtAll(plan)
        }
        do { try plan.applyTruncation() } catch { throw .failed(error.with(bytes: aligned)) }
        if plan.count > aligned {
            do {
                try clone(plan, srcOffset: plan.srcOffset + aligned, dstOffset: plan.dstOffset + aligned, count: plan.count - aligned, whole: false)
            } catch {
                switch error {
                case .failed(let failure): throw .failed(failure.with(bytes: aligned))
                case .declined(let decline):
                    throw .failed(CopyError(decline.errno.map(CopyErrorKind.init(errno:)) ?? .io, "\(plan.destination.name): \(decline.message)", errno: decline.errno, bytes: aligned))
                }
            }
        }
    }

    /// A zero-length clone at the source's end of file asks the filesystem whether it
    /// clones between these two files at all (EXDEV, EOPNOTSUPP), changing nothing.
    private func checkClonesAtAll(_ plan: CopyPlan) throws(BackendError) {
        let status = ssc_ficlonerange(plan.destination.descriptor, plan.source.descriptor, plan.sourceSize, 0, plan.dstOffset)
        guard status == 0 else { throw Self.classify(Errno.current, call: "FICLONERANGE", plan: plan) }
    }

    private func clone(_ plan: CopyPlan, srcOffset: UInt64, dstOffset: UInt64, count: UInt64, whole: Bool) throws(BackendError) {
        let dst = plan.destination.descriptor, src = plan.source.descriptor
        let status = whole ? ssc_ficlone(dst, src) : ssc_ficlonerange(dst, src, srcOffset, count, dstOffset)
        guard status == 0 else {
            throw Self.classify(Errno.current, call: whole ? "FICLONE" : "FICLONERANGE", plan: plan)
        }
    }

    /// A FICLONERANGE of the first clone block (or of all of a shorter source) into the
    /// trial file.
    public func trial(_ plan: CopyPlan) -> TrialVerdict {
        let blockSize = Self.cloneBlockSize(plan.destination)
        let length = plan.sourceSize >= blockSize ? blockSize : 0  // 0: to the source's end
        if ssc_ficlonerange(plan.destination.descriptor, plan.source.descriptor, 0, length, 0) == 0 {
            return .yes("a trial FICLONERANGE succeeded (clone block size \(blockSize))")
        }
        let errno = Errno.current
        switch Self.classify(errno, call: "FICLONERANGE", plan: plan) {
        case .declined(let decline): return .no(Decline(decline.reason, trialReason("FICLONERANGE", errno), errno: errno))
        case .failed: return .no(Decline(.cannotServe, trialReason("FICLONERANGE", errno), errno: errno))
        }
    }

    static func classify(_ errno: Errno, call: String, plan: CopyPlan) -> BackendError {
        let what = "\(call) from \(plan.source.name): \(errno.summary)"
        switch errno {
        case .improperLink, .notSupported, .inappropriateIOCTLForDevice, .noFunction:
            return .declined(Decline(.notSupported, what, errno: errno))
        case .invalidArgument, .badFileDescriptor:
            return .declined(Decline(.cannotServe, what, errno: errno))
        case .notPermitted, .permissionDenied, .textFileBusy:
            return .declined(Decline(.denied, what, errno: errno))
        default:
            // A clone may have shared part of the range before failing (XFS does).
            return .failed(
                CopyError(
                    errno, doing: "\(call) from \(plan.source.name) (the destination range is unspecified)",
                    on: plan.destination.name))
        }
    }
}
