extension SCSICommand {
    /// READ CAPACITY (16) (SBC-3 §5.16), a SERVICE ACTION IN (16) command:
    ///
    ///     byte 0      OPERATION CODE (0x9E)
    ///     byte 1      bits 4..0 SERVICE ACTION (0x10)
    ///     bytes 2-9   LOGICAL BLOCK ADDRESS (obsolete, 0)
    ///     bytes 10-13 ALLOCATION LENGTH
    ///     byte 14     bit 0 PMI (obsolete, 0)
    ///     byte 15     CONTROL
    public static func readCapacity16(allocationLength: UInt32 = 32) -> SCSICommand {
        var cdb = [UInt8](repeating: 0, count: 16)
        cdb[0] = 0x9E
        cdb[1] = 0x10
        cdb.putBigEndian(allocationLength, at: 10)
        return SCSICommand(name: "READ CAPACITY(16)", cdb: cdb, direction: .fromDevice(length: Int(allocationLength)))
    }
}

/// READ CAPACITY (16) parameter data (SBC-3 §5.16.2), the fields used here:
///
///     bytes 0-7   RETURNED LOGICAL BLOCK ADDRESS (the last LBA)
///     bytes 8-11  LOGICAL BLOCK LENGTH IN BYTES
///     byte 12     bits 3..1 P_TYPE, bit 0 PROT_EN
///     byte 13     bits 7..4 P_I_EXPONENT, bits 3..0 LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT
///     bytes 14-15 bit 7 LBPME, bit 6 LBPRZ, bits 13..0 LOWEST ALIGNED LOGICAL BLOCK ADDRESS
public struct Capacity: Sendable, Equatable {
    public var lastLBA: UInt64
    public var blockSize: UInt32
    /// The number of logical blocks. `lastLBA` is never UInt64.max (rejected at decode),
    /// so this cannot overflow for a decoded capacity.
    public var blocks: UInt64 { lastLBA &+ 1 }

    public init(lastLBA: UInt64, blockSize: UInt32) {
        self.lastLBA = lastLBA
        self.blockSize = blockSize
    }

    public init(bytes: [UInt8]) throws(SCSIError) {
        let view = ResponseBytes(bytes, command: "READ CAPACITY(16)")
        try view.require(12, for: "READ CAPACITY(16) data (through LOGICAL BLOCK LENGTH, byte 11)")
        lastLBA = try view.uint64(at: 0, "RETURNED LOGICAL BLOCK ADDRESS")
        blockSize = try view.uint32(at: 8, "LOGICAL BLOCK LENGTH IN BYTES")
        guard lastLBA != .max else {
            throw view.malformed("RETURNED LOGICAL BLOCK ADDRESS is 0xFFFFFFFFFFFFFFFF, one past any countable capacity")
        }
        guard blockSize != 0 else {
            throw view.malformed("LOGICAL BLOCK LENGTH IN BYTES is 0")
        }
    }

    /// The capacity in bytes, nil if it does not fit 64 bits.
    public var bytes: UInt64? {
        let (product, overflow) = blocks.multipliedReportingOverflow(by: UInt64(blockSize))
        return overflow ? nil : product
    }
}
