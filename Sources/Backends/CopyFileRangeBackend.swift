import CShims
import Glibc
import SystemPackage

/// copy_file_range(2): the kernel moves the data (a page-cache splice on ext4, a
/// reflink on XFS/btrfs, a server-side COPY on NFS/SMB). Driven by SEEK_DATA/SEEK_HOLE
/// because a splice fills holes, and in bounded calls so progress and cancellation work.
public struct CopyFileRangeBackend: CopyBackend {
    public let name = BackendName.copyFileRange

    public init() {}

    public func assess(_ plan: CopyPlan) -> Verdict {
        guard plan.source.kind == .regular, plan.destination.kind == .regular else {
            return .no(Decline(.notSupported, "copy_file_range never serves block devices"))
        }
        return .maybe("the kernel decides at the first call")
    }

    public func copy(_ plan: CopyPlan, context: CopyContext) throws(BackendError) -> BackendResult {
        let src = plan.source.descriptor, dst = plan.destination.descriptor
        // A zero-length call runs the kernel's checks (EXDEV, EINVAL, EBADF) before the
        // walk punches any hole, so a refusal really comes before any change; for an
        // empty range it is the whole answer to "could this backend serve the pair".
        var probeIn = Int64(plan.srcOffset), probeOut = Int64(plan.dstOffset)
        if ssc_copy_file_range(src, &probeIn, dst, &probeOut, 0) < 0 {
            let errno = Errno.current
            guard Self.declines(errno) else {
                throw .failed(CopyError(errno, doing: "copy_file_range", on: plan.destination.name))
            }
            throw .declined(Self.decline(errno, plan: plan))
        }
        do { try plan.applyTruncation() } catch { throw .failed(error) }
        if plan.count == 0 { return BackendResult(bytes: 0) }
        // The splice reads the source through the page cache: ask for the sequential
        // readahead window, as cp does. Only on a descriptor of our own: the hint
        // belongs to the open file description, which a caller's descriptor shares.
        if plan.source.isOwned { _ = ssc_fadvise_sequential(src) }
        let chunk = max(plan.tunables.copyFileRangeChunk, 1 << 20)
        var movedAny = false
        var walk = SegmentedCopy(plan: plan, context: context)
        let bytes = try walk.run { (srcOffset, dstOffset, length, context) throws(BackendError) -> UInt64 in
            var inOffset = Int64(srcOffset), outOffset = Int64(dstOffset)
            var done: UInt64 = 0
            while done < length {
                if context.isCancelled { break }
                let n = ssc_copy_file_range(src, &inOffset, dst, &outOffset, Int(min(chunk, length - done)))
                if n > 0 {
                    done += UInt64(n)
                    movedAny = true
                    context.progress(done)
                    continue
                }
                if n == 0 {
                    if !movedAny {
                        throw .declined(
                            Decline(.cannotServe, "copy_file_range returned 0 before the end of \(plan.source.name)"))
                    }
                    throw .failed(
                        CopyError(
                            .io, "\(plan.source.name): the source ended at offset \(srcOffset + done) during the copy",
                            bytes: done))
                }
                let errno = Errno.current
                if errno == .interrupted { continue }
                if !movedAny, Self.declines(errno) {
                    throw .declined(Self.decline(errno, plan: plan))
                }
                throw .failed(
                    CopyError(errno, doing: "copy_file_range at offset \(dstOffset + done)", on: plan.destination.name, bytes: done))
            }
            return done
        }
        return BackendResult(bytes: bytes, bufferedBytes: walk.zeroBytesWritten)
    }

    /// A copy_file_range of the first 4 KiB into the trial file.
    public func trial(_ plan: CopyPlan) -> TrialVerdict {
        var inOffset: Int64 = 0, outOffset: Int64 = 0
        let length = Int(min(plan.sourceSize, 4096))
        let n = ssc_copy_file_range(plan.source.descriptor, &inOffset, plan.destination.descriptor, &outOffset, length)
        if n < 0 {
            let errno = Errno.current
            let reason = Self.declines(errno) ? Self.decline(errno, plan: plan).reason : .cannotServe
            return .no(Decline(reason, trialReason("copy_file_range", errno), errno: errno))
        }
        if n == 0 && length > 0 { return .no(Decline(.cannotServe, "a trial copy_file_range returned 0 bytes")) }
        return .yes("a trial copy_file_range of \(n) bytes succeeded")
    }

    static func declines(_ errno: Errno) -> Bool {
        switch errno {
        case .noFunction, .notSupported, .improperLink, .invalidArgument, .badFileDescriptor, .textFileBusy,
            .notPermitted, .permissionDenied:
            true
        default: false
        }
    }

    static func decline(_ errno: Errno, plan: CopyPlan) -> Decline {
        let what = "copy_file_range from \(plan.source.name): \(errno.summary)"
        switch errno {
        case .noFunction, .notSupported, .improperLink: return Decline(.notSupported, what, errno: errno)
        case .notPermitted, .permissionDenied: return Decline(.denied, what, errno: errno)
        default: return Decline(.cannotServe, what, errno: errno)
        }
    }
}
