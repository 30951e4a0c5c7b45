import XCTest
import XCopy
import TestSupport

/// READ CAPACITY(16) data (SBC-3 §5.16.2) and copy operating parameters (SPC-4 §6.18).
final class CapacityAndOperatingParametersTests: XCTestCase {
    func testReadCapacity16() throws {
        let capacity = try Capacity(bytes: LIO.capacity64MiB)
        XCTAssertEqual(capacity.lastLBA, 131071)
        XCTAssertEqual(capacity.blockSize, 512)
        XCTAssertEqual(capacity.blocks, 131072)
        XCTAssertEqual(capacity.bytes, 64 << 20)

        let big = try Capacity(bytes: hex("0000 0100 0000 0000 | 0000 1000"))  // 12 bytes suffice
        XCTAssertEqual(big.lastLBA, 0x0000_0100_0000_0000)
        XCTAssertEqual(big.blockSize, 4096)
        XCTAssertEqual(big.blocks, 0x0000_0100_0000_0001)
    }

    func testReadCapacity16Refusals() {
        for length in 0..<12 {
            assertMalformed(expectError { () throws(SCSIError) in try Capacity(bytes: Array(LIO.capacity64MiB.prefix(length))) })
        }
        // A last LBA of all ones would make `blocks` overflow; a zero block length is garbage.
        assertMalformed(expectError { () throws(SCSIError) in try Capacity(bytes: hex("FFFFFFFFFFFFFFFF 00000200")) })
        assertMalformed(expectError { () throws(SCSIError) in try Capacity(bytes: hex("0000000000000010 00000000")) })
        XCTAssertNil(Capacity(lastLBA: .max - 1, blockSize: 4096).bytes, "overflowing byte count is nil, not a trap")
    }

    /// LIO's answer (lab README: SNLID yes; max target descriptors 2; max segment
    /// descriptors 1; max descriptor list length 1024; max segment length 268435456;
    /// inline data not supported; held data 0; total and max concurrent copies 1;
    /// data segment granularity 512; descriptors 0x02 and 0xE4 only).
    func testLIOCopyOperatingParameters() throws {
        let parameters = try CopyOperatingParameters(bytes: LIO.copyOperatingParameters())
        XCTAssertTrue(parameters.supportsNoListIdentifier)
        XCTAssertEqual(parameters.maxTargetDescriptors, 2)
        XCTAssertEqual(parameters.maxSegmentDescriptors, 1)
        XCTAssertEqual(parameters.maxDescriptorListLength, 1024)
        XCTAssertEqual(parameters.maxSegmentLength, 268_435_456)
        XCTAssertEqual(parameters.maxInlineDataLength, 0)
        XCTAssertEqual(parameters.heldDataLimit, 0)
        XCTAssertEqual(parameters.maxStreamDeviceTransferSize, 0)
        XCTAssertEqual(parameters.totalConcurrentCopies, 1)
        XCTAssertEqual(parameters.maxConcurrentCopies, 1)
        XCTAssertEqual(parameters.dataSegmentGranularity, 512)
        XCTAssertEqual(parameters.inlineDataGranularity, 512)
        XCTAssertEqual(parameters.heldDataGranularity, 512)
        XCTAssertEqual(parameters.implementedDescriptorTypes, [0x02, 0xE4])
        XCTAssertTrue(parameters.implements(0xE4))
        XCTAssertFalse(parameters.implements(0x0A))
        // The same with exactly the 46 meaningful bytes, and with LIO's 54-byte minimum.
        XCTAssertEqual(try CopyOperatingParameters(bytes: Array(LIO.copyOperatingParameters().prefix(46))), parameters)
        XCTAssertEqual(try CopyOperatingParameters(bytes: LIO.copyOperatingParameters(allocation: 54)), parameters)
    }

    func testOtherCopyManager() throws {
        // A larger copy manager: SNLID 0, 16 targets, 64 segments, 4 KiB granularity,
        // six implemented descriptor codes.
        var bytes = hex("""
            0000002E | 00 000000 | 0010 | 0040 | 00010000 | 01000000
            00001000 | 00200000 | 00000000 | 0000 | 0100 | 10 | 0C | 00 | 1F | 000000 | 06
            02 0A 0B E4 E5 FE
            """)
        XCTAssertEqual(bytes.count, 50)
        let parameters = try CopyOperatingParameters(bytes: bytes)
        XCTAssertFalse(parameters.supportsNoListIdentifier)
        XCTAssertEqual(parameters.maxTargetDescriptors, 16)
        XCTAssertEqual(parameters.maxSegmentDescriptors, 64)
        XCTAssertEqual(parameters.maxDescriptorListLength, 65536)
        XCTAssertEqual(parameters.maxSegmentLength, 16 << 20)
        XCTAssertEqual(parameters.maxInlineDataLength, 4096)
        XCTAssertEqual(parameters.heldDataLimit, 2 << 20)
        XCTAssertEqual(parameters.totalConcurrentCopies, 256)
        XCTAssertEqual(parameters.maxConcurrentCopies, 16)
        XCTAssertEqual(parameters.dataSegmentGranularity, 4096)
        XCTAssertEqual(parameters.inlineDataGranularity, 1)
        XCTAssertEqual(parameters.heldDataGranularity, 1 << 31)
        XCTAssertEqual(parameters.implementedDescriptorTypes, hex("02 0A 0B E4 E5 FE"))
        bytes[39] = 32  // 2^32 does not fit
        assertMalformed(expectError { () throws(SCSIError) in try CopyOperatingParameters(bytes: bytes) })
    }

    func testCopyOperatingParametersRefusals() {
        let lio = Array(LIO.copyOperatingParameters().prefix(46))
        for length in 0..<46 {
            assertMalformed(expectError { () throws(SCSIError) in try CopyOperatingParameters(bytes: Array(lio.prefix(length))) })
        }
        // AVAILABLE DATA larger than the buffer.
        var lying = lio
        lying[3] = 0x80
        assertMalformed(expectError { () throws(SCSIError) in try CopyOperatingParameters(bytes: lying) })
        // AVAILABLE DATA too small for the fixed fields.
        var short = lio
        short[3] = 0x10
        assertMalformed(expectError { () throws(SCSIError) in try CopyOperatingParameters(bytes: short) })
        // IMPLEMENTED DESCRIPTOR LIST LENGTH past AVAILABLE DATA (the buffer is long enough).
        var listLies = LIO.copyOperatingParameters()
        listLies[43] = 0x10
        assertMalformed(expectError { () throws(SCSIError) in try CopyOperatingParameters(bytes: listLies) })
    }
}
