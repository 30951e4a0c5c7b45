/// SCSI status codes (SAM-5 §5.3), the byte a device returns when a
/// command completes.
public enum SCSIStatus {
    public static let good: UInt8 = 0x00
    public static let checkCondition: UInt8 = 0x02
    public static let conditionMet: UInt8 = 0x04
    public static let busy: UInt8 = 0x08
    public static let reservationConflict: UInt8 = 0x18
    public static let taskSetFull: UInt8 = 0x28
    public static let acaActive: UInt8 = 0x30
    public static let taskAborted: UInt8 = 0x40

    /// The standard name of a status byte, "status 0xNN" for reserved values.
    public static func name(_ status: UInt8) -> String {
        knownName(status) ?? "status \(hexByte(status))"
    }

    static func knownName(_ status: UInt8) -> String? {
        switch status {
        case good: "GOOD"
        case checkCondition: "CHECK CONDITION"
        case conditionMet: "CONDITION MET"
        case busy: "BUSY"
        case 0x10: "INTERMEDIATE"                    // obsolete since SAM-4
        case 0x14: "INTERMEDIATE-CONDITION MET"      // obsolete since SAM-4
        case reservationConflict: "RESERVATION CONFLICT"
        case 0x22: "COMMAND TERMINATED"              // obsolete since SAM-3
        case taskSetFull: "TASK SET FULL"
        case acaActive: "ACA ACTIVE"
        case taskAborted: "TASK ABORTED"
        default: nil
        }
    }
}
