/// Decoded sense data (SPC-4 §4.5): what a device says about a CHECK CONDITION.
///
/// Both formats are read, with the bounds rules of sg3_utils' sg_scsi_normalize_sense:
/// a field counts only if it lies inside both the buffer and the ADDITIONAL SENSE
/// LENGTH, so a device that returns fewer bytes than it announces yields zeros for the
/// missing codes rather than a crash.
///
/// Fixed format, response code 0x70 (current) / 0x71 (deferred), SPC-4 §4.5.3:
///
///     byte 0      bit 7 VALID (the INFORMATION field is meaningful), bits 6..0 RESPONSE CODE
///     byte 1      obsolete
///     byte 2      bit 7 FILEMARK, bit 6 EOM, bit 5 ILI, bit 4 SDAT_OVFL, bits 3..0 SENSE KEY
///     bytes 3-6   INFORMATION
///     byte 7      ADDITIONAL SENSE LENGTH (n - 7)
///     bytes 8-11  COMMAND-SPECIFIC INFORMATION
///     byte 12     ADDITIONAL SENSE CODE
///     byte 13     ADDITIONAL SENSE CODE QUALIFIER
///     byte 14     FIELD REPLACEABLE UNIT CODE
///     bytes 15-17 bit 7 SKSV, SENSE KEY SPECIFIC
///
/// Descriptor format, response code 0x72 (current) / 0x73 (deferred), SPC-4 §4.5.2:
///
///     byte 0      bits 6..0 RESPONSE CODE
///     byte 1      bits 3..0 SENSE KEY
///     byte 2      ADDITIONAL SENSE CODE
///     byte 3      ADDITIONAL SENSE CODE QUALIFIER
///     byte 4      bit 7 SDAT_OVFL
///     byte 7      ADDITIONAL SENSE LENGTH (n - 7)
///     bytes 8-n   sense data descriptors: byte 0 DESCRIPTOR TYPE, byte 1 ADDITIONAL LENGTH,
///                 then that many bytes. Type 0x00 is Information (§4.5.2.2):
///                 byte 2 bit 7 VALID, bytes 4-11 INFORMATION; type 0x01 is
///                 Command-specific information (§4.5.2.3): bytes 4-11.
public struct SenseData: Sendable, Equatable, CustomStringConvertible {
    /// 0x70, 0x71, 0x72 or 0x73 (byte 0, bits 6..0).
    public var responseCode: UInt8
    public var key: SenseKey
    public var asc: UInt8
    public var ascq: UInt8
    /// The INFORMATION field when the device marked it valid: for a medium error the
    /// first failing LBA, for other commands what the command's section defines.
    public var information: UInt64?
    /// The COMMAND-SPECIFIC INFORMATION field when present and nonzero.
    public var commandSpecificInformation: UInt64?

    public init(
        responseCode: UInt8 = 0x70, key: SenseKey, asc: UInt8, ascq: UInt8,
        information: UInt64? = nil, commandSpecificInformation: UInt64? = nil
    ) {
        self.responseCode = responseCode
        self.key = key
        self.asc = asc
        self.ascq = ascq
        self.information = information
        self.commandSpecificInformation = commandSpecificInformation
    }

    public init(bytes: [UInt8]) throws(SCSIError) {
        let view = ResponseBytes(bytes, command: "sense data")
        guard let first = bytes.first else { throw view.malformed("sense buffer is empty") }
        let code = first & 0x7F
        switch code {
        case 0x70, 0x71: try self.init(fixed: view, responseCode: code)
        case 0x72, 0x73: try self.init(descriptor: view, responseCode: code)
        default:
            throw view.malformed(
                "response code \(hexByte(code)) is neither fixed (0x70/0x71) nor descriptor (0x72/0x73) format")
        }
    }

    /// Whether this describes a deferred error (0x71/0x73): an earlier command failed,
    /// not the one that received it.
    public var isDeferred: Bool { responseCode == 0x71 || responseCode == 0x73 }

    private init(fixed view: ResponseBytes, responseCode: UInt8) throws(SCSIError) {
        let bytes = view.bytes
        try view.require(3, for: "fixed-format sense (the SENSE KEY in byte 2)")
        var usable = bytes.count
        if usable > 7 { usable = min(usable, 8 + Int(bytes[7])) }
        self.responseCode = responseCode
        self.key = SenseKey(lowNibbleOf: bytes[2])
        self.asc = usable > 12 ? bytes[12] : 0
        self.ascq = usable > 13 ? bytes[13] : 0
        let valid = bytes[0] & 0x80 != 0
        self.information = valid && usable >= 7 ? UInt64(try view.uint32(at: 3, "INFORMATION")) : nil
        if usable >= 12 {
            let specific = UInt64(try view.uint32(at: 8, "COMMAND-SPECIFIC INFORMATION"))
            self.commandSpecificInformation = specific == 0 ? nil : specific
        } else {
            self.commandSpecificInformation = nil
        }
    }

    private init(descriptor view: ResponseBytes, responseCode: UInt8) throws(SCSIError) {
        let bytes = view.bytes
        try view.require(2, for: "descriptor-format sense (the SENSE KEY in byte 1)")
        self.responseCode = responseCode
        self.key = SenseKey(lowNibbleOf: bytes[1])
        self.asc = bytes.count > 2 ? bytes[2] : 0
        self.ascq = bytes.count > 3 ? bytes[3] : 0
        self.information = nil
        self.commandSpecificInformation = nil
        guard bytes.count > 8 else { return }
        let end = min(bytes.count, 8 + Int(bytes[7]))
        var offset = 8
        // Walk the descriptors; one that runs past the end is garbled.
        while offset + 2 <= end {
            let type = bytes[offset]
            let length = Int(bytes[offset + 1])
            guard offset + 2 + length <= end else {
                throw view.malformed(
                    "sense data descriptor type \(hexByte(type)) at byte \(offset) says \(length) bytes, only \(end - offset - 2) remain")
            }
            switch type {
            case 0x00 where length >= 0x0A:
                if bytes[offset + 2] & 0x80 != 0 {
                    information = try view.uint64(at: offset + 4, "INFORMATION")
                }
            case 0x01 where length >= 0x0A:
                let specific = try view.uint64(at: offset + 4, "COMMAND-SPECIFIC INFORMATION")
                commandSpecificInformation = specific == 0 ? nil : specific
            default:
                break
            }
            offset += 2 + length
        }
    }

    /// The meaning of ASC/ASCQ from the table of codes that matter here, or
    /// "ASC 0xNN, ASCQ 0xNN".
    public var ascText: String {
        AdditionalSenseCodes.text(asc: asc, ascq: ascq) ?? "ASC \(hexByte(asc)), ASCQ \(hexByte(ascq))"
    }

    /// "COPY ABORTED, ASC/ASCQ 0x0D/0x02 (copy target device not reachable)".
    public var description: String {
        var text = "\(key.name), ASC/ASCQ \(hexByte(asc))/\(hexByte(ascq))"
        if let known = AdditionalSenseCodes.text(asc: asc, ascq: ascq) { text += " (\(known))" }
        if isDeferred { text += ", deferred" }
        if let information { text += ", information \(information)" }
        return text
    }
}
