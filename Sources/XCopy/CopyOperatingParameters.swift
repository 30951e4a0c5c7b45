extension SCSICommand {
    /// RECEIVE COPY OPERATING PARAMETERS, the LID1 form (SPC-4 §6.18): a
    /// RECEIVE COPY RESULTS command with service action 0x03.
    ///
    ///     byte 0      OPERATION CODE (0x84)
    ///     byte 1      bits 4..0 SERVICE ACTION (0x03)
    ///     bytes 2-9   reserved
    ///     bytes 10-13 ALLOCATION LENGTH
    ///     byte 14     reserved
    ///     byte 15     CONTROL
    ///
    /// LIO refuses allocation lengths below 54 with INVALID FIELD IN CDB
    /// (target_core_xcopy.c), so the default leaves room for a long descriptor list.
    public static func receiveCopyOperatingParameters(allocationLength: UInt32 = 512) -> SCSICommand {
        var cdb = [UInt8](repeating: 0, count: 16)
        cdb[0] = 0x84
        cdb[1] = 0x03
        cdb.putBigEndian(allocationLength, at: 10)
        return SCSICommand(
            name: "RECEIVE COPY OPERATING PARAMETERS", cdb: cdb,
            direction: .fromDevice(length: Int(allocationLength)))
    }
}

/// The copy manager's limits (SPC-4 §6.18, parameter data of RECEIVE COPY
/// OPERATING PARAMETERS):
///
///     bytes 0-3   AVAILABLE DATA (n - 3)
///     byte 4      bit 0 SNLID (supports no list identifier)
///     bytes 5-7   reserved
///     bytes 8-9   MAXIMUM TARGET DESCRIPTOR COUNT (CSCD descriptors per command)
///     bytes 10-11 MAXIMUM SEGMENT DESCRIPTOR COUNT
///     bytes 12-15 MAXIMUM DESCRIPTOR LIST LENGTH (bytes)
///     bytes 16-19 MAXIMUM SEGMENT LENGTH (bytes)
///     bytes 20-23 MAXIMUM INLINE DATA LENGTH
///     bytes 24-27 HELD DATA LIMIT
///     bytes 28-31 MAXIMUM STREAM DEVICE TRANSFER SIZE
///     bytes 32-33 reserved
///     bytes 34-35 TOTAL CONCURRENT COPIES
///     byte 36     MAXIMUM CONCURRENT COPIES
///     byte 37     DATA SEGMENT GRANULARITY (log 2 of bytes)
///     byte 38     INLINE DATA GRANULARITY (log 2)
///     byte 39     HELD DATA GRANULARITY (log 2)
///     bytes 40-42 reserved
///     byte 43     IMPLEMENTED DESCRIPTOR LIST LENGTH (n - 43)
///     bytes 44-n  the implemented segment and target descriptor type codes
public struct CopyOperatingParameters: Sendable, Equatable {
    public var supportsNoListIdentifier: Bool
    public var maxTargetDescriptors: UInt16
    public var maxSegmentDescriptors: UInt16
    public var maxDescriptorListLength: UInt32
    public var maxSegmentLength: UInt32
    public var maxInlineDataLength: UInt32
    public var heldDataLimit: UInt32
    public var maxStreamDeviceTransferSize: UInt32
    public var totalConcurrentCopies: UInt16
    public var maxConcurrentCopies: UInt8
    /// In bytes (2 to the power of byte 37).
    public var dataSegmentGranularity: UInt32
    public var inlineDataGranularity: UInt32
    public var heldDataGranularity: UInt32
    public var implementedDescriptorTypes: [UInt8]

    /// The fixed part, bytes 0-43.
    static let headerLength = 44

    public init(bytes: [UInt8]) throws(SCSIError) {
        let view = ResponseBytes(bytes, command: "RECEIVE COPY OPERATING PARAMETERS")
        try view.require(Self.headerLength, for: "copy operating parameters (through byte 43)")
        let available = Int(try view.uint32(at: 0, "AVAILABLE DATA"))
        guard available >= Self.headerLength - 4 else {
            throw view.malformed("AVAILABLE DATA \(available) is shorter than the 40 bytes of fixed fields")
        }
        guard view.contains(offset: 4, length: available) else {
            throw view.malformed("AVAILABLE DATA \(available) runs past the \(bytes.count - 4) bytes received after it")
        }
        let listLength = Int(bytes[43])
        guard listLength <= 4 + available - Self.headerLength else {
            throw view.malformed("IMPLEMENTED DESCRIPTOR LIST LENGTH \(listLength) runs past AVAILABLE DATA \(available)")
        }
        supportsNoListIdentifier = bytes[4] & 0x01 != 0
        maxTargetDescriptors = try view.uint16(at: 8, "MAXIMUM TARGET DESCRIPTOR COUNT")
        maxSegmentDescriptors = try view.uint16(at: 10, "MAXIMUM SEGMENT DESCRIPTOR COUNT")
        maxDescriptorListLength = try view.uint32(at: 12, "MAXIMUM DESCRIPTOR LIST LENGTH")
        maxSegmentLength = try view.uint32(at: 16, "MAXIMUM SEGMENT LENGTH")
        maxInlineDataLength = try view.uint32(at: 20, "MAXIMUM INLINE DATA LENGTH")
        heldDataLimit = try view.uint32(at: 24, "HELD DATA LIMIT")
        maxStreamDeviceTransferSize = try view.uint32(at: 28, "MAXIMUM STREAM DEVICE TRANSFER SIZE")
        totalConcurrentCopies = try view.uint16(at: 34, "TOTAL CONCURRENT COPIES")
        maxConcurrentCopies = bytes[36]
        dataSegmentGranularity = try Self.granularity(bytes[37], "DATA SEGMENT GRANULARITY", view)
        inlineDataGranularity = try Self.granularity(bytes[38], "INLINE DATA GRANULARITY", view)
        heldDataGranularity = try Self.granularity(bytes[39], "HELD DATA GRANULARITY", view)
        implementedDescriptorTypes = try view.slice(
            at: Self.headerLength, length: listLength, "implemented descriptor type codes")
    }

    /// 2^exponent bytes; an exponent of 32 or more describes no real device and would not
    /// fit the field's UInt32, so it is garbage.
    private static func granularity(_ exponent: UInt8, _ field: String, _ view: ResponseBytes) throws(SCSIError) -> UInt32 {
        guard exponent < 32 else { throw view.malformed("\(field) is 2^\(exponent) bytes") }
        return 1 << UInt32(exponent)
    }

    /// Whether the copy manager lists a descriptor type code (0x02 block→block segment,
    /// 0xE4 identification target descriptor ...).
    public func implements(_ descriptorType: UInt8) -> Bool {
        implementedDescriptorTypes.contains(descriptorType)
    }
}
