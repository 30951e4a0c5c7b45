import SystemPackage

/// Why a SCSI command did not end in GOOD status, in the terms the copy engine needs to
/// choose between "not supported", "denied" and "failed after data moved".
public enum SCSIError: Error, Sendable, CustomStringConvertible, Equatable {
    /// CHECK CONDITION with the device's sense data.
    case checkCondition(command: String, sense: SenseData)
    /// Another non-GOOD status: BUSY, RESERVATION CONFLICT, TASK SET FULL ...
    case status(command: String, status: UInt8)
    /// The host adapter, driver or transport failed the command (sg_pt's transport
    /// category, a timeout): the device may never have seen it.
    case transport(command: String, detail: String)
    /// The OS refused: EACCES on open, ENOTTY for SG_IO on something that is not SCSI.
    case system(command: String, errno: Errno)
    /// A response or sense buffer too short or garbled to decode.
    case malformed(command: String, detail: String)

    /// The command this error is about.
    public var command: String {
        switch self {
        case .checkCondition(let command, _), .status(let command, _), .transport(let command, _),
            .system(let command, _), .malformed(let command, _):
            command
        }
    }

    /// The sense data of a CHECK CONDITION.
    public var sense: SenseData? {
        if case .checkCondition(_, let sense) = self { return sense }
        return nil
    }

    /// ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (0x20/0x00): the device does not
    /// implement the command (LIO answers EXTENDED COPY so when emulate_3pc = 0).
    public var isInvalidOpcode: Bool {
        guard let sense else { return false }
        return sense.key == .illegalRequest && sense.asc == 0x20 && sense.ascq == 0x00
    }

    /// COPY ABORTED, COPY TARGET DEVICE NOT REACHABLE (0x0D/0x02): the copy manager
    /// cannot address a CSCD (another target, 3PC off, a range past the end on LIO).
    public var isCopyTargetUnreachable: Bool {
        guard let sense else { return false }
        return sense.key == .copyAborted && sense.asc == 0x0D && sense.ascq == 0x02
    }

    /// UNIT ATTENTION: the device did not run the command, it reports an event first
    /// (SAM-5, unit attention conditions); sending the command again is the standard answer.
    public var isUnitAttention: Bool {
        sense?.key == .unitAttention
    }

    public var description: String {
        switch self {
        case .checkCondition(let command, let sense):
            "\(command) ended in CHECK CONDITION: \(sense)."
        case .status(let command, let status):
            if let name = SCSIStatus.knownName(status) {
                "\(command) ended with status \(name) (\(hexByte(status)))."
            } else {
                "\(command) ended with reserved status \(hexByte(status))."
            }
        case .transport(let command, let detail):
            "\(command) failed in the transport: \(detail)."
        case .system(let command, let errno):
            "\(command) was refused by the operating system: \(errno) (errno \(errno.rawValue))."
        case .malformed(let command, let detail):
            "\(command) returned a malformed response: \(detail)."
        }
    }
}
