/// EXTENDED COPY (LID1): the CDB and the parameter list that asks a copy manager to copy
/// blocks from one logical unit to another without the data passing through the host.
public enum ExtendedCopy {
    /// One block→block copy: `blocks` logical blocks from `sourceLBA` on the source to
    /// `destinationLBA` on the destination. The NUMBER OF BLOCKS field is 16 bits, so a
    /// segment moves at most 65535 blocks.
    public struct BlockSegment: Sendable, Equatable {
        public var sourceLBA: UInt64
        public var destinationLBA: UInt64
        public var blocks: UInt16

        public init(sourceLBA: UInt64, destinationLBA: UInt64, blocks: UInt16) {
            self.sourceLBA = sourceLBA
            self.destinationLBA = destinationLBA
            self.blocks = blocks
        }
    }

    /// Parameter list header length (SPC-4 §6.3.1, bytes 0-15).
    public static let headerLength = 16
    /// Every target descriptor is 32 bytes (SPC-4 §6.3.6.1).
    public static let targetDescriptorLength = 32
    /// A block→block segment descriptor is 28 bytes: 4 of header, DESCRIPTOR LENGTH 0x18.
    public static let blockSegmentDescriptorLength = 28
    /// The largest DISK BLOCK LENGTH the 24-bit field holds.
    public static let maxDiskBlockLength: UInt32 = 0xFF_FFFF

    /// The LID1 parameter list for copying `segments` from `source` to `destination`.
    ///
    /// Header (SPC-4 §6.3.1):
    ///
    ///     byte 0      LIST IDENTIFIER
    ///     byte 1      bit 5 STR = 0, bits 4..3 LIST ID USAGE = 00b (SPC-3's NRCR = 0:
    ///                 the copy manager may keep status for this list identifier),
    ///                 bits 2..0 PRIORITY
    ///     bytes 2-3   TARGET DESCRIPTOR LIST LENGTH (64: two descriptors)
    ///     bytes 4-7   reserved
    ///     bytes 8-11  SEGMENT DESCRIPTOR LIST LENGTH (28 per segment)
    ///     bytes 12-15 INLINE DATA LENGTH (0)
    ///
    /// Then two identification descriptor target descriptors (see
    /// `identificationTargetDescriptor`), the source at index 0 and the destination at
    /// index 1, then one block→block segment descriptor per segment (see
    /// `blockSegmentDescriptor`).
    ///
    /// Nothing is refused here (the function cannot fail): a designator longer than
    /// the descriptor's 20 bytes, or a block size above 24 bits, is written so that no
    /// copy manager can match it (see `identificationTargetDescriptor`). Check
    /// `Designator.fitsIdentificationTargetDescriptor` and the copy manager's limits
    /// (`CopyOperatingParameters`) before sending.
    public static func lid1ParameterList(
        listIdentifier: UInt8, priority: UInt8 = 0, source: Designator, destination: Designator,
        blockSize: UInt32, segments: [BlockSegment]
    ) -> [UInt8] {
        var list = [UInt8]()
        list.reserveCapacity(headerLength + 2 * targetDescriptorLength + segments.count * blockSegmentDescriptorLength)
        list.append(listIdentifier)
        list.append(priority & 0x07)
        list.appendBigEndian(UInt16(2 * targetDescriptorLength))
        list.appendBigEndian(UInt32(0))
        list.appendBigEndian(UInt32(truncatingIfNeeded: segments.count * blockSegmentDescriptorLength))
        list.appendBigEndian(UInt32(0))
        list += identificationTargetDescriptor(source, blockSize: blockSize)
        list += identificationTargetDescriptor(destination, blockSize: blockSize)
        for segment in segments {
            list += blockSegmentDescriptor(segment, sourceIndex: 0, destinationIndex: 1)
        }
        return list
    }

    /// An identification descriptor target descriptor (SPC-4 §6.3.6.2), 32 bytes:
    ///
    ///     byte 0      DESCRIPTOR TYPE CODE (0xE4)
    ///     byte 1      bits 7..6 LU ID TYPE = 00b (LU ID field), bit 5 NUL = 0,
    ///                 bits 4..0 PERIPHERAL DEVICE TYPE = 0 (block device)
    ///     bytes 2-3   RELATIVE INITIATOR PORT IDENTIFIER = 0 (any port)
    ///     bytes 4-27  the designation descriptor, as in VPD page 0x83 (4-byte header
    ///                 and at most 20 bytes of designator), zero padded
    ///     bytes 28-31 device type specific parameters; for block devices (SPC-4
    ///                 §6.3.6.5): byte 28 bit 2 PAD = 0, bytes 29-31 DISK
    ///                 BLOCK LENGTH
    ///
    /// A designator longer than 20 bytes cannot be written; rather than cut it (a cut
    /// identifier could name another logical unit), the designation descriptor is
    /// left all zero, which names nothing: the copy manager answers COPY ABORTED or
    /// ILLEGAL REQUEST and no data moves. A block size above 0xFFFFFF is likewise
    /// written as 0.
    public static func identificationTargetDescriptor(_ designator: Designator, blockSize: UInt32) -> [UInt8] {
        var descriptor = [UInt8](repeating: 0, count: targetDescriptorLength)
        descriptor[0] = 0xE4
        if designator.fitsIdentificationTargetDescriptor {
            let designation = designator.descriptorBytes
            descriptor.replaceSubrange(4..<(4 + designation.count), with: designation)
        }
        let diskBlockLength = blockSize <= maxDiskBlockLength ? blockSize : 0
        descriptor.putBigEndian(diskBlockLength, at: 29, width: 3)
        return descriptor
    }

    /// A block device to block device segment descriptor (SPC-4 §6.3.7.5), 28 bytes:
    ///
    ///     byte 0      DESCRIPTOR TYPE CODE (0x02)
    ///     byte 1      bit 1 DC = 0 (NUMBER OF BLOCKS counts source blocks), bit 0 CAT = 0
    ///                 (no residue handling: an inexact segment is an error)
    ///     bytes 2-3   DESCRIPTOR LENGTH (0x0018)
    ///     bytes 4-5   SOURCE TARGET DESCRIPTOR INDEX
    ///     bytes 6-7   DESTINATION TARGET DESCRIPTOR INDEX
    ///     bytes 8-9   reserved
    ///     bytes 10-11 NUMBER OF BLOCKS
    ///     bytes 12-19 SOURCE BLOCK DEVICE LOGICAL BLOCK ADDRESS
    ///     bytes 20-27 DESTINATION BLOCK DEVICE LOGICAL BLOCK ADDRESS
    public static func blockSegmentDescriptor(_ segment: BlockSegment, sourceIndex: UInt16, destinationIndex: UInt16) -> [UInt8] {
        var descriptor: [UInt8] = [0x02, 0x00]
        descriptor.appendBigEndian(UInt16(blockSegmentDescriptorLength - 4))
        descriptor.appendBigEndian(sourceIndex)
        descriptor.appendBigEndian(destinationIndex)
        descriptor.appendBigEndian(UInt16(0))
        descriptor.appendBigEndian(segment.blocks)
        descriptor.appendBigEndian(segment.sourceLBA)
        descriptor.appendBigEndian(segment.destinationLBA)
        return descriptor
    }

    /// The EXTENDED COPY (LID1) CDB (SPC-4 §6.3.1), 16 bytes:
    ///
    ///     byte 0      OPERATION CODE (0x83)
    ///     byte 1      bits 4..0 SERVICE ACTION (0x00, LID1)
    ///     bytes 2-9   reserved
    ///     bytes 10-13 PARAMETER LIST LENGTH
    ///     byte 14     reserved
    ///     byte 15     CONTROL
    ///
    /// The length is clamped to 0...UInt32.max (a negative length is a caller bug; 0 is
    /// what SPC-4 defines as "transfer nothing, not an error", so callers pass the
    /// real list's count, as `SCSICommand.extendedCopyLID1` does).
    public static func lid1CDB(parameterListLength: Int) -> [UInt8] {
        var cdb = [UInt8](repeating: 0, count: 16)
        cdb[0] = 0x83
        cdb[1] = 0x00
        cdb.putBigEndian(UInt32(clamping: parameterListLength), at: 10)
        return cdb
    }
}

extension SCSICommand {
    /// EXTENDED COPY (LID1) sending `parameterList` as data-out.
    public static func extendedCopyLID1(parameterList: [UInt8]) -> SCSICommand {
        SCSICommand(
            name: "EXTENDED COPY(LID1)", cdb: ExtendedCopy.lid1CDB(parameterListLength: parameterList.count),
            direction: .toDevice(parameterList))
    }
}
