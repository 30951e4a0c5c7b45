/// The SENSE KEY field (SPC-4 §4.5.6): the general class of a CHECK
/// CONDITION. Four bits, so every value has a case and decoding cannot fail.
public enum SenseKey: UInt8, Sendable {
    case noSense = 0, recoveredError, notReady, mediumError, hardwareError, illegalRequest, unitAttention,
        dataProtect, blankCheck, vendorSpecific, copyAborted, abortedCommand, reserved0C, volumeOverflow,
        miscompare, completed

    /// The key from the low four bits of a sense byte.
    init(lowNibbleOf byte: UInt8) {
        self = SenseKey(rawValue: byte & 0x0F) ?? .reserved0C  // unreachable: all 16 values are cases
    }

    /// The name SPC-4 gives the key, in capitals as sense reports print it.
    public var name: String {
        switch self {
        case .noSense: "NO SENSE"
        case .recoveredError: "RECOVERED ERROR"
        case .notReady: "NOT READY"
        case .mediumError: "MEDIUM ERROR"
        case .hardwareError: "HARDWARE ERROR"
        case .illegalRequest: "ILLEGAL REQUEST"
        case .unitAttention: "UNIT ATTENTION"
        case .dataProtect: "DATA PROTECT"
        case .blankCheck: "BLANK CHECK"
        case .vendorSpecific: "VENDOR SPECIFIC"
        case .copyAborted: "COPY ABORTED"
        case .abortedCommand: "ABORTED COMMAND"
        case .reserved0C: "RESERVED (0x0C)"
        case .volumeOverflow: "VOLUME OVERFLOW"
        case .miscompare: "MISCOMPARE"
        case .completed: "COMPLETED"
        }
    }
}
