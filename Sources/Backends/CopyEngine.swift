import Glibc
import Logging
import SystemPackage

/// A backend passed over for a request, and why.
public struct BackendSkip: Sendable, Codable {
    public var backend: BackendName
    public var reason: DeclineClass
    public var message: String
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
}

/// A failed copy with the backends passed over before it.
public struct CopyFailure: Error, Sendable, CustomStringConvertible {
    public var error: CopyError
    public var skipped: [BackendSkip]
    public var description: String { error.message }

    public init(error: CopyError, skipped: [BackendSkip]) {
        self.error = error
        self.skipped = skipped
    }
}

/// Validates requests, applies the copy semantics of the design (range, size, guard,
/// truncate, holes, durability) and runs backends in order, falling back on a backend
/// that declines before any byte moved and stopping on one that failed after.
public final class CopyEngine: Sendable {
    public let backends: [any CopyBackend]
    public let negativeCache: NegativeCache
    let logger: Logger

    public init(
        backends: [any CopyBackend] = CopyEngine.standardBackends, negativeCache: NegativeCache = NegativeCache(),
        logger: Logger = Logger(label: "ssc-agent.engine")
    ) {
        self.backends = backends
        self.negativeCache = negativeCache
        self.logger = logger
    }

    /// reflink → copy_file_range → xcopy → aio: the order used until profiles choose
    /// per device. Each passes over pairs it cannot serve, so xcopy is tried before aio
    /// only when both ends are SCSI logical units.
    public static let standardBackends: [any CopyBackend] = [
        ReflinkBackend(), CopyFileRangeBackend(), XCopyBackend(), AioBackend(),
    ]

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

    /// Copies as `request` says. Throws with the bytes in place when anything failed.
    public func copy(
        source: CopyFile, destination: CopyFile, request: CopyRequest, tunables: Tunables = Tunables(),
        context: CopyContext = CopyContext()
    ) throws(CopyFailure) -> CopyOutcome {
        var skipped: [BackendSkip] = []
        do throws(CopyError) {
            var plan = try validate(source: source, destination: destination, request: request, tunables: tunables)
            if request.guarded, plan.destinationSize > 0 {
                throw CopyError(.exists, "\(destination.name): the destination already has data (\(plan.destinationSize) bytes) and the copy is guarded")
            }
            plan = plan.truncating(request.truncate)
            let candidates = try candidates(for: request)
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
                return try finish(plan, request: request, backend: backend.name, result: result, skipped: skipped)
            }
            let reasons = skipped.map { "\($0.backend): \($0.message)" }.joined(separator: "; ")
            throw CopyError(.notSupported, "\(destination.name): no backend can serve this copy (\(reasons))")
        } catch {
            throw CopyFailure(error: error, skipped: skipped)
        }
    }

    private func candidates(for request: CopyRequest) throws(CopyError) -> [any CopyBackend] {
        guard let forced = request.backend else { return backends }
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
