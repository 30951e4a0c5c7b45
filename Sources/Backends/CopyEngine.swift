import Glibc
import Logging
import SystemPackage

/// A backend passed over for a request, and why.
public struct BackendSkip: Sendable, Codable {
    public var backend: BackendName
    public var reason: DeclineClass
    public var message: String

    public init(backend: BackendName, reason: DeclineClass, message: String) {
        self.backend = backend
        self.reason = reason
        self.message = message
    }
}

public enum Committed: String, Sendable, Codable {
    case fileSync = "FILE_SYNC"
    case unstable = "UNSTABLE"
}

/// The result of a copy that did not fail.
public struct CopyOutcome: Sendable {
    public var bytes: UInt64
    /// The resolved count that was asked for.
    public var count: UInt64
    /// Fewer bytes than asked (cancelled).
    public var short: Bool { bytes < count }
    public var committed: Committed
    public var backend: BackendName
    public var skipped: [BackendSkip]
    public var direct: DirectUse?
    public var bufferedBytes: UInt64
    /// What selection decided for the pair (profiles, order, tunables).
    public var plan: BackendPlan?
}

/// A failed copy with the backends passed over before it.
public struct CopyFailure: Error, Sendable, CustomStringConvertible {
    public var error: CopyError
    public var skipped: [BackendSkip]
    /// What selection decided, when the copy got that far.
    public var plan: BackendPlan?
    public var description: String { error.message }

    public init(error: CopyError, skipped: [BackendSkip], plan: BackendPlan? = nil) {
        self.error = error
        self.skipped = skipped
        self.plan = plan
    }
}

/// Validates requests, applies the copy semantics of the design (range, size, guard,
/// truncate, holes, durability) and runs backends in the order its selector chooses for
/// the pair (device profiles, in the agent and the CLI), falling back on a backend that
/// declines before any byte moved and stopping on one that failed after.
public final class CopyEngine: Sendable {
    public let backends: [any CopyBackend]
    public let selector: any BackendSelecting
    public let negativeCache: NegativeCache
    /// Block device trees kept from one copy to the next (a long-running agent's); nil
    /// reads sysfs for every copy, as a one-shot process must anyway.
    public let blockNodes: BlockDeviceNodeCache?
    let logger: Logger

    public init(
        backends: [any CopyBackend] = CopyEngine.standardBackends, selector: any BackendSelecting = FixedOrderSelector(),
        negativeCache: NegativeCache = NegativeCache(), blockNodes: BlockDeviceNodeCache? = nil,
        logger: Logger = Logger(label: "ssc-agent.engine")
    ) {
        self.backends = backends
        self.selector = selector
        self.negativeCache = negativeCache
        self.blockNodes = blockNodes
        self.logger = logger
    }

    /// Every backend this build has. Which are tried, and in what order, is the
    /// selector's choice per pair; each passes over pairs it cannot serve.
    public static let standardBackends = standardBackends(aio: AioBackend())

    /// The same backends, the streaming one reusing io_setup contexts from `aioContexts`
    /// (a long-running agent's, whose jobs would each wait out a context's teardown).
    public static func standardBackends(aioContexts: AioContextPool) -> [any CopyBackend] {
        standardBackends(aio: AioBackend(contextPool: aioContexts))
    }

    private static func standardBackends(aio: AioBackend) -> [any CopyBackend] {
        [ReflinkBackend(), CopyFileRangeBackend(), XCopyBackend(), aio]
    }

    /// Identifies both ends and asks the selector, once per copy.
    public func plan(source: CopyFile, destination: CopyFile) -> BackendPlan {
        let mounts = MountTable.current()
        let sourceIdentity = DeviceIdentity.of(source, mounts: mounts, nodes: blockNodes)
        return selector.plan(
            source: sourceIdentity,
            destination: DeviceIdentity.of(destination, mounts: mounts, sibling: sourceIdentity, nodes: blockNodes))
    }

    public func backend(named name: BackendName) -> (any CopyBackend)? {
        backends.first { $0.name == name }
    }

    /// Checks the request against the files and resolves the range. Nothing is changed.
    public func validate(source: CopyFile, destination: CopyFile, request: CopyRequest, tunables: Tunables = Tunables())
        throws(CopyError) -> CopyPlan
    {
        try checkType(source, role: "source", request: request)
        try checkType(destination, role: "destination", request: request)
        // A SCSI generic node's size is its READ CAPACITY answer, which the plan carries on
        // to xcopy so that the command is not sent twice.
        let sourceCapacity = try source.scsiCapacity()
        let destinationCapacity = try destination.scsiCapacity()
        let sourceSize = try source.size(capacity: sourceCapacity)
        let destinationSize = try destination.size(capacity: destinationCapacity)
        guard request.srcOffset <= sourceSize else {
            throw CopyError(.invalid, "\(source.name): src_offset \(request.srcOffset) is past the end of the source (\(sourceSize) bytes)")
        }
        let count = request.count == 0 ? sourceSize - request.srcOffset : request.count
        guard count <= sourceSize - request.srcOffset else {
            throw CopyError(
                .invalid,
                "\(source.name): src_offset \(request.srcOffset) + count \(count) runs past the end of the source (\(sourceSize) bytes)")
        }
        let (dstEnd, overflow) = request.dstOffset.addingReportingOverflow(count)
        guard !overflow, dstEnd <= UInt64(Int64.max) else {
            throw CopyError(.fbig, "\(destination.name): dst_offset \(request.dstOffset) + count \(count) exceeds the largest file offset")
        }
        if destination.kind == .block || destination.isSCSIGeneric, dstEnd > destinationSize {
            throw CopyError(
                .invalid,
                "\(destination.name): dst_offset \(request.dstOffset) + count \(count) runs past the end of the device (\(destinationSize) bytes)")
        }
        if count > 0, source.isSameFile(as: destination),
            request.srcOffset < dstEnd, request.dstOffset < request.srcOffset + count
        {
            throw CopyError(
                .invalid,
                "\(destination.name): the source range [\(request.srcOffset), \(request.srcOffset + count)) overlaps the destination range [\(request.dstOffset), \(dstEnd)) in the same file")
        }
        if destination.kind == .regular, destination.accessMode == O_RDONLY {
            throw CopyError(.access, "\(destination.name): the destination is not open for writing")
        }
        if source.accessMode == O_WRONLY {
            throw CopyError(.access, "\(source.name): the source is not open for reading")
        }
        return CopyPlan(
            source: source, destination: destination, srcOffset: request.srcOffset, dstOffset: request.dstOffset,
            count: count, sourceSize: sourceSize, destinationSize: destinationSize, tunables: tunables,
            sourceCapacity: sourceCapacity, destinationCapacity: destinationCapacity)
    }

    /// Regular files and block devices are copied; a SCSI generic node only by xcopy.
    private func checkType(_ file: CopyFile, role: String, request: CopyRequest) throws(CopyError) {
        guard !file.kind.isCopyable else { return }
        guard file.isSCSIGeneric else { throw CopyFile.wrongType(name: file.name, kind: file.kind, role: role) }
        guard request.backend == .xcopy else {
            throw CopyError(
                .wrongType,
                "\(file.name): the \(role) is a SCSI generic device, which only the xcopy backend copies: use --backend xcopy (or the block device)")
        }
    }

    /// Copies as `request` says, with the backends and tunables selection chooses for
    /// the pair (`overrides` over the tunables). Throws with the bytes in place when
    /// anything failed.
    ///
    /// `selection`, the profiles' choice `preflight` made for the same pair, is used
    /// instead of identifying both ends and choosing again (an asynchronous job).
    public func copy(
        source: CopyFile, destination: CopyFile, request: CopyRequest, overrides: TunableOverrides = TunableOverrides(),
        context: CopyContext = CopyContext(), selection preflightSelection: BackendPlan? = nil
    ) throws(CopyFailure) -> CopyOutcome {
        var skipped: [BackendSkip] = []
        var selection: BackendPlan? = nil
        do throws(CopyError) {
            let chosen = preflightSelection ?? plan(source: source, destination: destination)
            selection = chosen
            if logger.logLevel <= .debug {
                for line in chosen.explanation { logger.debug("selection", metadata: ["detail": "\(line)"]) }
            }
            var plan = try validate(source: source, destination: destination, request: request, tunables: overrides.applied(to: chosen.tunables))
            try checkGuard(plan, request: request)
            plan = plan.truncating(request.truncate)
            let candidates = try candidates(for: request, plan: chosen)
            // Left out by the profiles: reported, in `skipped`, where the fixed order
            // would have tried them (see `passedOver`).
            if request.backend == nil { skipped += chosen.excluded }
            for backend in candidates {
                let key = NegativeCache.Key(backend: backend.name, sourceDevice: source.deviceKey, destinationDevice: destination.deviceKey)
                if request.backend == nil, let remembered = negativeCache.lookup(key) {
                    skipped.append(BackendSkip(backend: backend.name, reason: .notSupported, message: "remembered as not supported: \(remembered)"))
                    logger.debug("passed over (remembered)", metadata: ["backend": "\(backend.name)", "reason": "\(remembered)"])
                    continue
                }
                if case .no(let decline) = backend.assess(plan) {
                    if request.backend != nil { throw forcedFailure(backend.name, decline) }
                    skipped.append(BackendSkip(backend: backend.name, reason: decline.reason, message: decline.message))
                    logger.debug("passed over", metadata: ["backend": "\(backend.name)", "class": "\(decline.reason.rawValue)", "reason": "\(decline.message)"])
                    continue
                }
                logger.debug("trying", metadata: ["backend": "\(backend.name)", "source": "\(source.name)", "destination": "\(destination.name)", "count": "\(plan.count)"])
                let result: BackendResult
                do {
                    result = try backend.copy(plan, context: context)
                } catch {
                    switch error {
                    case .declined(let decline):
                        logger.debug("declined", metadata: ["backend": "\(backend.name)", "class": "\(decline.reason.rawValue)", "reason": "\(decline.message)"])
                        if decline.reason == .notSupported { negativeCache.remember(key, reason: decline.message) }
                        if request.backend != nil { throw forcedFailure(backend.name, decline) }
                        skipped.append(BackendSkip(backend: backend.name, reason: decline.reason, message: decline.message))
                        continue
                    case .failed(let failure):
                        logger.info("copy failed", metadata: ["backend": "\(backend.name)", "error": "\(failure.message)", "bytes": "\(failure.bytes)"])
                        extendToCover(plan, bytes: failure.bytes)
                        throw failure
                    }
                }
                logger.debug("copied", metadata: ["backend": "\(backend.name)", "bytes": "\(result.bytes)", "count": "\(plan.count)"])
                var outcome = try finish(
                    plan, request: request, backend: backend.name, result: result, skipped: passedOver(skipped, chosen: backend.name))
                outcome.plan = chosen
                return outcome
            }
            let reasons = skipped.map { "\($0.backend): \($0.message)" }.joined(separator: "; ")
            throw CopyError(.notSupported, "\(destination.name): no backend can serve this copy (\(reasons))")
        } catch {
            throw CopyFailure(error: error, skipped: skipped, plan: selection)
        }
    }

    /// What `copy` checks before the first byte moves (the profiles' choice, the request
    /// against the files, the guard) and the backend it would try first, without
    /// changing anything: an asynchronous start answers from this at once. The copy
    /// itself checks again.
    public func preflight(
        source: CopyFile, destination: CopyFile, request: CopyRequest, overrides: TunableOverrides = TunableOverrides()
    ) throws(CopyError) -> (plan: CopyPlan, backend: BackendName, selection: BackendPlan) {
        let chosen = plan(source: source, destination: destination)
        let plan = try validate(source: source, destination: destination, request: request, tunables: overrides.applied(to: chosen.tunables))
        try checkGuard(plan, request: request)
        var reasons: [String] = request.backend == nil ? chosen.excluded.map { "\($0.backend): \($0.message)" } : []
        for backend in try candidates(for: request, plan: chosen) {
            let key = NegativeCache.Key(backend: backend.name, sourceDevice: source.deviceKey, destinationDevice: destination.deviceKey)
            if request.backend == nil, let remembered = negativeCache.lookup(key) {
                reasons.append("\(backend.name): remembered as not supported: \(remembered)")
                continue
            }
            if case .no(let decline) = backend.assess(plan) {
                if request.backend != nil { throw forcedFailure(backend.name, decline) }
                reasons.append("\(backend.name): \(decline.message)")
                continue
            }
            return (plan, backend.name, chosen)
        }
        throw CopyError(.notSupported, "\(destination.name): no backend can serve this copy (\(reasons.joined(separator: "; ")))")
    }

    private func checkGuard(_ plan: CopyPlan, request: CopyRequest) throws(CopyError) {
        if request.guarded, plan.destinationSize > 0 {
            throw CopyError(.exists, "\(plan.destination.name): the destination already has data (\(plan.destinationSize) bytes) and the copy is guarded")
        }
    }

    /// What a successful copy reports as passed over: everything that declined, and the
    /// backends the profiles left out that come before the chosen one in the standard
    /// order (reflink, copy_file_range, xcopy, aio) — a clone on XFS passed over nothing,
    /// a stream from ext4 to XFS passed over reflink and xcopy.
    private func passedOver(_ skipped: [BackendSkip], chosen: BackendName) -> [BackendSkip] {
        let rank = { (name: BackendName) in BackendName.allCases.firstIndex(of: name) ?? 0 }
        return skipped.filter { $0.reason != .excluded || rank($0.backend) < rank(chosen) }
    }

    /// The selector's order, restricted to the backends this engine has; a forced
    /// backend alone (the caller's explicit choice overrides the profiles).
    private func candidates(for request: CopyRequest, plan: BackendPlan) throws(CopyError) -> [any CopyBackend] {
        guard let forced = request.backend else { return plan.order.compactMap { backend(named: $0) } }
        guard let backend = backend(named: forced) else {
            throw CopyError(.notSupported, "backend \(forced) is not available in this build")
        }
        return [backend]
    }

    private func forcedFailure(_ name: BackendName, _ decline: Decline) -> CopyError {
        CopyError(decline.reason.errorKind, "backend \(name) cannot serve this copy: \(decline.message)", errno: decline.errno)
    }

    /// A hole at the end of the range is skipped, so the destination may still be short
    /// of the bytes reported in place: extend it (never shrink) to cover them.
    @discardableResult
    private func extendToCover(_ plan: CopyPlan, bytes: UInt64) -> CopyError? {
        guard plan.destination.kind == .regular, bytes > 0 else { return nil }
        let end = plan.dstOffset + bytes
        do {
            guard try plan.destination.size() < end else { return nil }
        } catch {
            return error
        }
        do {
            try SystemCalls.ftruncate(plan.destination.descriptor, end)
        } catch {
            return CopyError(error, doing: "extending to \(end) bytes", on: plan.destination.name)
        }
        return nil
    }

    private func finish(_ plan: CopyPlan, request: CopyRequest, backend: BackendName, result: BackendResult, skipped: [BackendSkip])
        throws(CopyError) -> CopyOutcome
    {
        if let error = extendToCover(plan, bytes: result.bytes) { throw error.with(bytes: 0) }
        var committed = Committed.unstable
        if request.stable {
            do {
                try SystemCalls.fdatasync(plan.destination.descriptor)
            } catch {
                throw CopyError(error, doing: "fdatasync", on: plan.destination.name, bytes: result.bytes)
            }
            committed = .fileSync
        }
        return CopyOutcome(
            bytes: result.bytes, count: plan.count, committed: committed, backend: backend, skipped: skipped,
            direct: result.direct, bufferedBytes: result.bufferedBytes)
    }
}

extension CopyFile {
    /// The device a negative-cache entry is about: the block device itself, or the
    /// filesystem holding the file.
    var deviceKey: UInt64 { kind == .block ? rdev : device }
}
