extension SCSICommand {
    /// INQUIRY for the standard data (SPC-4 §6.6.1), 6-byte CDB:
    ///
    ///     byte 0     OPERATION CODE (0x12)
    ///     byte 1     bit 0 EVPD = 0 (bit 1 obsolete CMDDT)
    ///     byte 2     PAGE CODE = 0
    ///     bytes 3-4  ALLOCATION LENGTH
    ///     byte 5     CONTROL
    ///
    /// 36 bytes by default: the fields decoded here end at byte 35, and SPC-4 §6.6.2
    /// guarantees at least 36 bytes of standard data; some older devices mishandle
    /// larger allocation lengths.
    public static func inquiry(allocationLength: UInt16 = 36) -> SCSICommand {
        var cdb = [UInt8](repeating: 0, count: 6)
        cdb[0] = 0x12
        cdb.putBigEndian(allocationLength, at: 3)
        return SCSICommand(name: "INQUIRY", cdb: cdb, direction: .fromDevice(length: Int(allocationLength)))
    }

    /// INQUIRY for a vital product data page (SPC-4 §6.6.1): EVPD = 1 (byte 1 bit 0),
    /// PAGE CODE in byte 2, ALLOCATION LENGTH in bytes 3-4.
    public static func inquiry(vpdPage page: UInt8, allocationLength: UInt16) -> SCSICommand {
        var cdb = [UInt8](repeating: 0, count: 6)
        cdb[0] = 0x12
        cdb[1] = 0x01
        cdb[2] = page
        cdb.putBigEndian(allocationLength, at: 3)
        return SCSICommand(
            name: "INQUIRY (VPD page \(hexByte(page)))", cdb: cdb,
            direction: .fromDevice(length: Int(allocationLength)))
    }
}

/// Standard INQUIRY data (SPC-4 §6.6.2), the fields a copy agent uses:
///
///     byte 0      bits 7..5 PERIPHERAL QUALIFIER, bits 4..0 PERIPHERAL DEVICE TYPE
///     byte 1      bit 7 RMB
///     byte 2      VERSION (0x06 = SPC-4)
///     byte 3      bit 5 NORMACA, bit 4 HISUP, bits 3..0 RESPONSE DATA FORMAT
///     byte 4      ADDITIONAL LENGTH (n - 4)
///     byte 5      bit 7 SCCS, bit 6 ACC, bits 5..4 TPGS, bit 3 3PC, bit 0 PROTECT
///     bytes 8-15  T10 VENDOR IDENTIFICATION (ASCII, space padded)
///     bytes 16-31 PRODUCT IDENTIFICATION
///     bytes 32-35 PRODUCT REVISION LEVEL
public struct StandardInquiry: Sendable, Equatable {
    public var peripheralQualifier: UInt8
    /// 0x00 is a direct-access block device (SBC), the only type EXTENDED COPY's 0x02
    /// segment descriptors address.
    public var peripheralDeviceType: UInt8
    public var version: UInt8
    /// Third-party copy: the device server supports EXTENDED COPY (byte 5 bit 3).
    public var threePC: Bool
    public var vendor: String
    public var product: String
    public var revision: String

    public init(bytes: [UInt8]) throws(SCSIError) {
        let view = ResponseBytes(bytes, command: "INQUIRY")
        try view.require(36, for: "standard INQUIRY data (through PRODUCT REVISION LEVEL, byte 35)")
        peripheralQualifier = bytes[0] >> 5
        peripheralDeviceType = bytes[0] & 0x1F
        version = bytes[2]
        threePC = bytes[5] & 0x08 != 0
        vendor = asciiField(bytes[8..<16])
        product = asciiField(bytes[16..<32])
        revision = asciiField(bytes[32..<36])
    }

    /// Peripheral qualifier 0 (a device is connected to this logical unit) and device type
    /// 0 (direct-access block device).
    public var isConnectedBlockDevice: Bool { peripheralQualifier == 0 && peripheralDeviceType == 0 }
}
