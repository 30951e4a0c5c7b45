import SystemPackage

extension CopyEngine {
    /// NFSv4.2 CLONE semantics (RFC 7862 §15.13): all or nothing through reflink.
    /// Offsets and count are multiples of the destination's clone block size, except a
    /// range that ends at the source's EOF and reaches at least the destination's end;
    /// count 0 means to the source's end. Across filesystems: `xdev`. On error the
    /// destination range is unspecified (XFS can clone part, then fail).
    public func clone(source: CopyFile, destination: CopyFile, request: CopyRequest) throws(CopyError) -> CopyOutcome {
        var plan = try validate(source: source, destination: destination, request: request)
        guard source.kind == .regular, destination.kind == .regular else {
            throw CopyError(.notSupported, "\(destination.name): clone works on regular files only, not block devices")
        }
        plan = plan.truncating(request.truncate)
        let blockSize = ReflinkBackend.cloneBlockSize(destination)
        if let problem = ReflinkBackend.alignmentProblem(plan, blockSize: blockSize) {
            throw CopyError(.invalid, "\(destination.name): cannot clone: \(problem)")
        }
        do {
            let result = try ReflinkBackend().copy(plan, context: CopyContext())
            return CopyOutcome(
                bytes: result.bytes, count: plan.count, committed: .unstable, backend: .reflink, skipped: [],
                direct: nil, bufferedBytes: 0)
        } catch {
            switch error {
            case .failed(let failure):
                throw failure
            case .declined(let decline):
                let kind: CopyErrorKind =
                    switch (decline.errno, decline.reason) {
                    case (.improperLink?, _): .xdev
                    case (_, .notSupported): .notSupported
                    case (_, .cannotServe): .invalid
                    case (_, .denied): .access
                    case (_, .excluded): .notSupported
                    }
                throw CopyError(kind, "\(destination.name): cannot clone: \(decline.message)", errno: decline.errno)
            }
        }
    }
}
