import CShims
import Glibc
import SystemPackage
import XCopy

/// SCSI EXTENDED COPY (LID1) through SG_IO: the array copies between two of its logical
/// units, no data passes through the host. Both ends must be SCSI block devices of one
/// target that reports 3PC, with distinct, unambiguous designators. The command goes to
/// the source unit (LIO resolves a designator that several units share to the wrong one
/// when the command arrives elsewhere; the agent refuses such pairs anyway).
public struct XCopyBackend: CopyBackend {
    public let name = BackendName.xcopy

    public init() {}

    public func assess(_ plan: CopyPlan) -> Verdict {
        if let decline = assess(plan.source, role: "source", offset: plan.srcOffset, count: plan.count)
            ?? assess(plan.destination, role: "destination", offset: plan.dstOffset, count: plan.count)
        {
            return .no(decline)
        }
        return .maybe("INQUIRY (3PC), VPD page 0x83 and RECEIVE COPY OPERATING PARAMETERS decide")
    }

    /// Why one end rules xcopy out, if it does. (One call per end rather than a loop over
    /// an array of tuples: each new tuple type costs the runtime a metadata
    /// instantiation from its mangled name at every start.)
    private func assess(_ file: CopyFile, role: String, offset: UInt64, count: UInt64) -> Decline? {
        guard file.kind == .block || file.isSCSIGeneric else {
            return Decline(.notSupported, "xcopy needs SCSI logical units on both sides; the \(role) is \(file.kind.article)")
        }
        guard let topology = file.topology, topology.isSCSI else {
            return Decline(.notSupported, "xcopy needs SCSI logical units; the \(role) \(file.name) is not one")
        }
        if let lbs = try? SystemCalls.logicalBlockSize(file.descriptor), lbs > 0 {
            let block = UInt64(lbs)
            if offset % block != 0 || count % block != 0 || topology.partitionOffset % block != 0 {
                return Decline(.cannotServe, "the range is not aligned to the \(lbs)-byte logical blocks of \(file.name)")
            }
        }
        return nil
    }

    /// Everything the copy checks before its first EXTENDED COPY, without sending one:
    /// what `probe` reports as this backend's verdict for a pair of logical units.
    public func preflight(_ plan: CopyPlan) throws(BackendError) -> String {
        let source = try SCSILogicalUnit.identify(
            plan.source, role: "source", timeout: plan.tunables.xcopy.timeout, capacity: plan.sourceCapacity)
        let destination = try SCSILogicalUnit.identify(
            plan.destination, role: "destination", timeout: plan.tunables.xcopy.timeout, capacity: plan.destinationCapacity)
        try checkIdentities(source, destination)
        guard destination.capacity.blockSize == source.capacity.blockSize else {
            throw .declined(Decline(.cannotServe, "the logical block sizes differ: \(source.capacity.blockSize) and \(destination.capacity.blockSize) bytes"))
        }
        let limits = try CommandLimits.of(source, blockSize: UInt64(source.capacity.blockSize), tunables: plan.tunables.xcopy)
        let concurrency = plan.tunables.xcopy.concurrency
        let inFlight = concurrency > 1 ? ", \(concurrency) commands at once" : ", one command at a time"
        return "\(source.designator) -> \(destination.designator), 3PC on both, up to \(limits.segmentsPerCommand) segment(s) of \(limits.blocksPerSegment) blocks per command\(inFlight)"
    }

    /// The checks short of an EXTENDED COPY.
    public func trial(_ plan: CopyPlan) -> TrialVerdict {
        do throws(BackendError) {
            return .yes(try preflight(plan))
        } catch {
            switch error {
            case .declined(let decline): return .no(decline)
            case .failed(let failure): return .no(Decline(.cannotServe, failure.message, errno: failure.errno))
            }
        }
    }

    public func copy(_ plan: CopyPlan, context: CopyContext) throws(BackendError) -> BackendResult {
        let tunables = plan.tunables.xcopy
        let source = try SCSILogicalUnit.identify(plan.source, role: "source", timeout: tunables.timeout, capacity: plan.sourceCapacity)
        let destination = try SCSILogicalUnit.identify(
            plan.destination, role: "destination", timeout: tunables.timeout, capacity: plan.destinationCapacity)
        try checkIdentities(source, destination)
        let blockSize = UInt64(source.capacity.blockSize)
        guard destination.capacity.blockSize == source.capacity.blockSize else {
            throw .declined(
                Decline(
                    .cannotServe,
                    "the logical block sizes differ: \(source.capacity.blockSize) bytes on \(plan.source.name), \(destination.capacity.blockSize) on \(plan.destination.name)"))
        }
        guard plan.srcOffset % blockSize == 0, plan.dstOffset % blockSize == 0, plan.count % blockSize == 0,
            source.topology.partitionOffset % blockSize == 0, destination.topology.partitionOffset % blockSize == 0
        else {
            throw .declined(Decline(.cannotServe, "the range is not aligned to the \(blockSize)-byte logical blocks"))
        }
        try checkWithinUnits(plan, source, destination, blockSize: blockSize)
        let limits = try CommandLimits.of(source, blockSize: blockSize, tunables: tunables)
        if plan.count == 0 { return BackendResult(bytes: 0) }

        // The array reads the source's media and writes the destination's behind the
        // host's page cache: dirty pages go down first, stale ones are dropped after.
        try flush(plan.source)
        try flush(plan.destination)
        defer { if plan.destination.kind == .block { _ = ssc_blkflsbuf(plan.destination.descriptor) } }

        // Commands go out `concurrency` at a time (the profile's figure: LIO reports one
        // copy at a time but runs each EXTENDED COPY on a work item of its own). Commands
        // in flight together carry distinct list identifiers (SPC-4 §6.3.1: unique per
        // I_T nexus among active lists): numbered from a random start, any 256 in a row
        // differ, and at most 256 are in flight.
        let schedule = XCopyCommandSchedule(
            limits: limits, sourceLBA: source.lba(ofByte: plan.srcOffset), destinationLBA: destination.lba(ofByte: plan.dstOffset),
            blocks: plan.count / blockSize, concurrency: tunables.concurrency)
        let firstListIdentifier = UInt8.random(in: 0...255)
        let device = source.device
        let sourceDesignator = source.designator
        let destinationDesignator = destination.designator
        let priority = tunables.priority
        let cancellation = context.cancellation
        let window = CommandWindow<SCSIError>(count: schedule.count, width: min(tunables.concurrency, 256))
        let outcome = window.run(
            isCancelled: { cancellation.isCancelled },
            prefixCompleted: { context.progress(schedule.blockOffset(of: $0) * blockSize) },
            command: { index throws(SCSIError) in
                let command = schedule.command(index)
                let parameterList = ExtendedCopy.lid1ParameterList(
                    listIdentifier: firstListIdentifier &+ UInt8(truncatingIfNeeded: index), priority: priority,
                    source: sourceDesignator, destination: destinationDesignator, blockSize: UInt32(blockSize),
                    segments: command.segments)
                try device.extendedCopy(parameterList: parameterList)
            })
        let done = schedule.blockOffset(of: outcome.completedPrefix) * blockSize
        if let failure = outcome.failure {
            throw classify(failure.error, bytesInPlace: done, plan: plan)
        }
        return BackendResult(bytes: done)
    }

    /// Designators must exist (checked in identify), differ, and be unambiguous: no
    /// other unit the host sees may report the same designator with a different unit
    /// serial number (VPD 0x80), or the target may resolve it to that unit (LIO does).
    /// The same designator with the same serial is another path to the same unit
    /// (multipath), which is fine.
    private func checkIdentities(_ source: SCSILogicalUnit, _ destination: SCSILogicalUnit) throws(BackendError) {
        if source.designator == destination.designator {
            throw .declined(
                Decline(
                    .denied,
                    "\(source.file.name) and \(destination.file.name) report the same designator \(source.designator): the copy target would be ambiguous"))
        }
        let sourceAddress = source.topology.scsiAddress
        let destinationAddress = destination.topology.scsiAddress
        try BlockTopology.forEachDeviceIdentificationPage(
            excluding: [sourceAddress, destinationAddress], target: source.topology.targetDirectory
        ) {
            (address, page) throws(BackendError) in
            // A page can report one of the two designators only if it holds its identifier
            // bytes; the others need no decoding.
            guard page.containsRun(source.designator.identifier) || page.containsRun(destination.designator.identifier),
                let other = (try? Designator.parsePage(page))?.preferredLogicalUnit
            else { return }
            for unit in [source, destination] where unit.designator == other {
                let serial = BlockTopology.unitSerialPage(ofAddress: unit.topology.scsiAddress)
                if let serial, !serial.isEmpty, serial == BlockTopology.unitSerialPage(ofAddress: address) { continue }
                throw .declined(
                    Decline(
                        .denied,
                        "\(unit.file.name)'s designator \(unit.designator) is also reported by another logical unit (\(address)) with a different serial number: the copy target would be ambiguous"))
            }
        }
    }

    /// A range past the end of either logical unit is invalid, before any command.
    private func checkWithinUnits(_ plan: CopyPlan, _ source: SCSILogicalUnit, _ destination: SCSILogicalUnit, blockSize: UInt64)
        throws(BackendError)
    {
        try checkWithinUnit(source, offset: plan.srcOffset, count: plan.count, blockSize: blockSize, role: "source")
        try checkWithinUnit(destination, offset: plan.dstOffset, count: plan.count, blockSize: blockSize, role: "destination")
    }

    private func checkWithinUnit(_ unit: SCSILogicalUnit, offset: UInt64, count: UInt64, blockSize: UInt64, role: String)
        throws(BackendError)
    {
        let endLBA = unit.lba(ofByte: offset) + count / blockSize
        if endLBA > unit.capacity.blocks {
            throw .failed(
                CopyError(
                    .invalid,
                    "\(unit.file.name): the range ends at LBA \(endLBA), past the \(role) logical unit's \(unit.capacity.blocks) blocks (READ CAPACITY)"))
        }
    }

    /// A SCSI generic node has no page cache of its own to flush.
    private func flush(_ file: CopyFile) throws(BackendError) {
        guard file.kind == .block else { return }
        do { try SystemCalls.fdatasync(file.descriptor) } catch {
            throw .declined(Decline(.cannotServe, "cannot flush \(file.name) before the copy: \(error.summary)", errno: error))
        }
    }

    /// The design's classes: invalid opcode → not supported; COPY ABORTED 0x0D/0x02
    /// before any data → denied; anything after data moved → an error with the bytes.
    private func classify(_ error: SCSIError, bytesInPlace: UInt64, plan: CopyPlan) -> BackendError {
        let what = "EXTENDED COPY from \(plan.source.name) to \(plan.destination.name): \(error)"
        if bytesInPlace == 0 {
            if error.isInvalidOpcode { return .declined(Decline(.notSupported, what)) }
            if error.isCopyTargetUnreachable { return .declined(Decline(.denied, what)) }
            if let sense = error.sense, sense.key == .illegalRequest {
                return .declined(Decline(.cannotServe, what))
            }
        }
        let kind: CopyErrorKind = error.sense?.key == .dataProtect ? .rofs : .io
        return .failed(CopyError(kind, "\(plan.destination.name): \(what)", bytes: bytesInPlace))
    }
}

extension [UInt8] {
    /// Whether `run` occurs in these bytes contiguously (an empty run always does).
    func containsRun(_ run: [UInt8]) -> Bool {
        guard let first = run.first else { return true }
        guard run.count <= count else { return false }
        for start in 0...(count - run.count) where self[start] == first {
            if self[start..<start + run.count].elementsEqual(run) { return true }
        }
        return false
    }
}
