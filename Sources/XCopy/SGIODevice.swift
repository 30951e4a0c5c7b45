import CSgUtils
import Glibc
import Synchronization
import SystemPackage

/// SG_IO through libsgutils2's sg_pt layer on a Linux SCSI device (`/dev/sgN`, or a
/// `/dev/sdX` the block layer passes SG_IO through for).
///
/// A command is set up on an sg_pt object (set_scsi_pt_cdb/sense/data_in|data_out,
/// do_scsi_pt) and its outcome read through get_scsi_pt_result_category and its
/// accessors. The device keeps one object for its descriptor and clears it between
/// commands (clear_scsi_pt_obj keeps the descriptor and what sg_pt learnt of it):
/// constructing one (construct_scsi_pt_obj_with_fd) fstat()s the descriptor every
/// time. A command that finds that object in use by another thread builds its own, so
/// concurrent commands on one descriptor share nothing but the descriptor (SG_IO is
/// synchronous per call). That, the atomic claim on the kept object and the immutable
/// stored properties are why the class is `@unchecked Sendable`.
///
/// A command that ends in UNIT ATTENTION is sent again up to `unitAttentionRetries`
/// times (see `UnitAttentionRetryingTransport`). CHECK CONDITION with NO SENSE or
/// RECOVERED ERROR counts as success, as in sg3_utils' sg_cmds_process_resp: the
/// command completed.
///
/// Blocking: callers run it off the concurrency pool.
public final class SGIODevice: SCSITransport, @unchecked Sendable {
    public let name: String
    private let descriptor: FileDescriptor
    private let ownsDescriptor: Bool
    private let timeoutSeconds: CInt
    private let unitAttentionRetries: Int
    /// The object kept for this descriptor (nil if sg_pt could not make one: each
    /// command then makes its own and reports why it cannot), and whether a command
    /// holds it.
    private let keptObject: OpaquePointer?
    private let keptObjectInUse = Atomic<Bool>(false)

    /// The sense buffer length: SG_IO's v3 interface transfers at most 64 bytes.
    private static let senseBufferLength = 64
    /// do_scsi_pt turns seconds into a C int of milliseconds.
    private static let maxTimeoutSeconds: Int64 = Int64(CInt.max / 1000)

    /// Opens `path` read-write (or read-only) with O_NONBLOCK, as sg3_utils does: a
    /// blocking open of an sg device waits for exclusive openers. Closed on deinit.
    public init(
        path: String, writable: Bool = true, timeout: Duration = .seconds(60), unitAttentionRetries: Int = 3
    ) throws(SCSIError) {
        do {
            descriptor = try FileDescriptor.open(
                FilePath(path), writable ? .readWrite : .readOnly, options: [.nonBlocking, .closeOnExec],
                retryOnInterrupt: true)
        } catch let errno as Errno {
            throw .system(command: "open \(path)", errno: errno)
        } catch {
            throw .system(command: "open \(path)", errno: .ioError)  // FileDescriptor.open throws only Errno
        }
        name = path
        ownsDescriptor = true
        timeoutSeconds = Self.seconds(timeout)
        self.unitAttentionRetries = unitAttentionRetries
        keptObject = Self.makeObject(descriptor.rawValue)
    }

    /// Uses a caller's descriptor as it is (the agent receives descriptors over its
    /// socket and must not reopen them); never closes it.
    public init(descriptor: CInt, name: String, timeout: Duration = .seconds(60), unitAttentionRetries: Int = 3) {
        self.descriptor = FileDescriptor(rawValue: descriptor)
        self.name = name
        ownsDescriptor = false
        timeoutSeconds = Self.seconds(timeout)
        self.unitAttentionRetries = unitAttentionRetries
        keptObject = Self.makeObject(descriptor)
    }

    deinit {
        if let keptObject { destruct_scsi_pt_obj(keptObject) }
        if ownsDescriptor { try? descriptor.close() }
    }

    /// An sg_pt object for `descriptor`, nil when sg_pt cannot make a usable one.
    private static func makeObject(_ descriptor: CInt) -> OpaquePointer? {
        guard let object = construct_scsi_pt_obj_with_fd(descriptor, 0) else { return nil }
        guard get_scsi_pt_os_err(object) == 0 else {
            destruct_scsi_pt_obj(object)
            return nil
        }
        return object
    }

    /// The kept object, cleared, if no other command holds it.
    private func claimKeptObject() -> OpaquePointer? {
        guard let keptObject, keptObjectInUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return nil
        }
        clear_scsi_pt_obj(keptObject)
        return keptObject
    }

    public func execute(_ command: SCSICommand) throws(SCSIError) -> SCSIResponse {
        try UnitAttentionRetryingTransport.run(retries: unitAttentionRetries) { () throws(SCSIError) -> SCSIResponse in
            try executeOnce(command)
        }
    }

    /// Whole seconds, rounded up, at least 1 (0 would mean sg_pt's default).
    private static func seconds(_ timeout: Duration) -> CInt {
        let (seconds, attoseconds) = timeout.components
        let rounded = seconds + (attoseconds > 0 ? 1 : 0)
        return CInt(min(max(rounded, 1), maxTimeoutSeconds))
    }

    /// What sg_pt reported about one command, read before its object is destroyed.
    private struct Outcome {
        var doResult: CInt = 0
        var category: CInt = 0
        var status: CInt = 0
        var senseLength: CInt = 0
        var residual: CInt = 0
        var osError: CInt = 0
        var transportDetail = ""
    }

    private func executeOnce(_ command: SCSICommand) throws(SCSIError) -> SCSIResponse {
        let limit = Int(CInt.max)
        var inLength = 0
        switch command.direction {
        case .none: break
        case .fromDevice(let length):
            guard (0...limit).contains(length) else {
                throw .transport(command: command.name, detail: "data-in length \(length) is outside 0...\(limit)")
            }
            inLength = length
        case .toDevice(let bytes):
            guard bytes.count <= limit else {
                throw .transport(command: command.name, detail: "data-out length \(bytes.count) exceeds \(limit)")
            }
        }
        guard (6...260).contains(command.cdb.count) else {
            throw .transport(command: command.name, detail: "a CDB of \(command.cdb.count) bytes cannot be sent")
        }

        let object: OpaquePointer
        if let kept = claimKeptObject() {
            object = kept
        } else {
            guard let made = construct_scsi_pt_obj_with_fd(descriptor.rawValue, 0) else {
                throw .system(command: command.name, errno: .noMemory)
            }
            object = made
        }
        defer {
            if object == keptObject {
                keptObjectInUse.store(false, ordering: .releasing)
            } else {
                destruct_scsi_pt_obj(object)
            }
        }
        let constructError = get_scsi_pt_os_err(object)
        if constructError != 0 {
            throw .system(command: command.name, errno: Errno(rawValue: constructError))
        }

        var sense = [UInt8](repeating: 0, count: Self.senseBufferLength)
        var dataIn = [UInt8](repeating: 0, count: inLength)
        let timeout = timeoutSeconds
        // sg_pt keeps the pointers it is given, so every buffer stays pinned until
        // do_scsi_pt has returned and the outcome has been read.
        let outcome: Outcome = command.cdb.withUnsafeBufferPointer { cdb in
            sense.withUnsafeMutableBufferPointer { senseBuffer in
                dataIn.withUnsafeMutableBufferPointer { inBuffer in
                    set_scsi_pt_cdb(object, cdb.baseAddress, CInt(cdb.count))
                    set_scsi_pt_sense(object, senseBuffer.baseAddress, CInt(senseBuffer.count))
                    switch command.direction {
                    case .none:
                        return Self.run(object, timeout: timeout)
                    case .fromDevice:
                        if inBuffer.count > 0 {
                            set_scsi_pt_data_in(object, inBuffer.baseAddress, CInt(inBuffer.count))
                        }
                        return Self.run(object, timeout: timeout)
                    case .toDevice(let bytes):
                        return bytes.withUnsafeBufferPointer { outBuffer in
                            if outBuffer.count > 0 {
                                set_scsi_pt_data_out(object, outBuffer.baseAddress, CInt(outBuffer.count))
                            }
                            return Self.run(object, timeout: timeout)
                        }
                    }
                }
            }
        }
        return try interpret(outcome, command: command, sense: sense, dataIn: dataIn)
    }

    private static func run(_ object: OpaquePointer, timeout: CInt) -> Outcome {
        var outcome = Outcome()
        outcome.doResult = do_scsi_pt(object, -1, timeout, 0)
        outcome.category = get_scsi_pt_result_category(object)
        outcome.status = get_scsi_pt_status_response(object)
        outcome.senseLength = get_scsi_pt_sense_len(object)
        outcome.residual = get_scsi_pt_resid(object)
        outcome.osError = get_scsi_pt_os_err(object)
        if outcome.category == SCSI_PT_RESULT_TRANSPORT_ERR {
            var text = [CChar](repeating: 0, count: 512)
            let count = CInt(text.count)
            text.withUnsafeMutableBufferPointer { buffer in
                _ = get_scsi_pt_transport_err_str(object, count, buffer.baseAddress)
            }
            outcome.transportDetail = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return outcome
    }

    private func interpret(_ outcome: Outcome, command: SCSICommand, sense: [UInt8], dataIn: [UInt8]) throws(SCSIError)
        -> SCSIResponse
    {
        let name = command.name
        if outcome.doResult < 0 {
            throw .system(command: name, errno: Errno(rawValue: -outcome.doResult))
        }
        switch outcome.doResult {
        case SCSI_PT_DO_START_OK: break
        case SCSI_PT_DO_BAD_PARAMS: throw .transport(command: name, detail: "sg_pt rejected the request's parameters")
        case SCSI_PT_DO_TIMEOUT: throw .transport(command: name, detail: "no answer within \(timeoutSeconds) s")
        case SCSI_PT_DO_NOT_SUPPORTED: throw .system(command: name, errno: .notSupported)
        default: throw .transport(command: name, detail: "do_scsi_pt returned \(outcome.doResult)")
        }

        switch outcome.category {
        case SCSI_PT_RESULT_GOOD:
            return transferred(dataIn, residual: outcome.residual)
        case SCSI_PT_RESULT_STATUS:
            let status = UInt8(truncatingIfNeeded: outcome.status)
            if status == SCSIStatus.conditionMet { return transferred(dataIn, residual: outcome.residual) }
            throw .status(command: name, status: status)
        case SCSI_PT_RESULT_SENSE:
            let length = Int(min(max(outcome.senseLength, 0), CInt(sense.count)))
            let decoded: SenseData
            do {
                decoded = try SenseData(bytes: Array(sense.prefix(length)))
            } catch {
                if case .malformed(_, let detail) = error {
                    throw .malformed(command: name, detail: "CHECK CONDITION with unusable sense data: \(detail)")
                }
                throw error
            }
            if decoded.key == .recoveredError || (decoded.key == .noSense && !decoded.isDeferred) {
                return transferred(dataIn, residual: outcome.residual)
            }
            throw .checkCondition(command: name, sense: decoded)
        case SCSI_PT_RESULT_TRANSPORT_ERR:
            let detail = outcome.transportDetail
                .split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: " ") }
                .filter { !$0.isEmpty }
                .joined(separator: "; ")
            throw .transport(command: name, detail: detail.isEmpty ? "host or driver error" : detail)
        case SCSI_PT_RESULT_OS_ERR:
            throw .system(command: name, errno: Errno(rawValue: outcome.osError != 0 ? outcome.osError : EIO))
        default:
            throw .transport(command: name, detail: "sg_pt result category \(outcome.category)")
        }
    }

    /// The bytes that arrived: the allocation minus the residual, which a driver may
    /// report wrongly (negative, or larger than the buffer), hence the clamp.
    private func transferred(_ dataIn: [UInt8], residual: CInt) -> SCSIResponse {
        let count = min(max(dataIn.count - Int(residual), 0), dataIn.count)
        return SCSIResponse(data: Array(dataIn.prefix(count)))
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var text = self
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return String(text)
    }
}
