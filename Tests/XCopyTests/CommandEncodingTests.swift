import XCTest
import XCopy
import TestSupport

/// CDBs, byte by byte, against the tables they implement.
final class CommandEncodingTests: XCTestCase {
    /// INQUIRY, standard data (SPC-4 §6.6.1): opcode 0x12, EVPD = 0 (byte 1
    /// bit 0), PAGE CODE 0 (byte 2), ALLOCATION LENGTH 36 in bytes 3-4, CONTROL 0.
    func testStandardInquiryCDB() {
        let command = SCSICommand.inquiry()
        XCTAssertEqual(command.cdb, hex("12 00 00 0024 00"))
        XCTAssertEqual(command.direction.allocationLength, 36)
        XCTAssertEqual(command.name, "INQUIRY")
        XCTAssertEqual(SCSICommand.inquiry(allocationLength: 0x0102).cdb, hex("12 00 00 0102 00"))
    }

    /// INQUIRY, VPD page 0x83 (SPC-4 §6.6.1): EVPD = 1, PAGE CODE 0x83, ALLOCATION LENGTH
    /// big-endian in bytes 3-4.
    func testDeviceIdentificationInquiryCDB() {
        let command = SCSICommand.inquiry(vpdPage: 0x83, allocationLength: 252)
        XCTAssertEqual(command.cdb, hex("12 01 83 00FC 00"))
        XCTAssertEqual(command.direction.allocationLength, 252)
        XCTAssertEqual(SCSICommand.inquiry(vpdPage: 0x83, allocationLength: 0x1234).cdb, hex("12 01 83 1234 00"))
    }

    /// READ CAPACITY(16) (SBC-3 §5.16): 0x9E, service action 0x10 in byte 1,
    /// LBA bytes 2-9 zero, ALLOCATION LENGTH in bytes 10-13, PMI 0, CONTROL 0.
    func testReadCapacity16CDB() {
        let command = SCSICommand.readCapacity16()
        XCTAssertEqual(command.cdb, hex("9E 10 0000000000000000 00000020 00 00"))
        XCTAssertEqual(command.cdb.count, 16)
        XCTAssertEqual(command.direction.allocationLength, 32)
        XCTAssertEqual(SCSICommand.readCapacity16(allocationLength: 0x0A0B0C0D).cdb[10...13], [0x0A, 0x0B, 0x0C, 0x0D])
    }

    /// RECEIVE COPY OPERATING PARAMETERS (SPC-4 §6.18): 0x84, service action
    /// 0x03, ALLOCATION LENGTH in bytes 10-13 (at least 54 for LIO).
    func testReceiveCopyOperatingParametersCDB() {
        let command = SCSICommand.receiveCopyOperatingParameters()
        XCTAssertEqual(command.cdb, hex("84 03 0000000000000000 00000200 00 00"))
        XCTAssertEqual(command.direction.allocationLength, 512)
        XCTAssertGreaterThanOrEqual(command.direction.allocationLength!, 54)
        XCTAssertEqual(SCSICommand.receiveCopyOperatingParameters(allocationLength: 0x01020304).cdb[10...13], [1, 2, 3, 4])
    }

    /// EXTENDED COPY (LID1) (SPC-4 §6.3.1): 0x83, service action 0x00,
    /// PARAMETER LIST LENGTH in bytes 10-13.
    func testExtendedCopyLID1CDB() {
        XCTAssertEqual(ExtendedCopy.lid1CDB(parameterListLength: 108), hex("83 00 0000000000000000 0000006C 00 00"))
        XCTAssertEqual(ExtendedCopy.lid1CDB(parameterListLength: 0x01020304)[10...13], [1, 2, 3, 4])
        XCTAssertEqual(ExtendedCopy.lid1CDB(parameterListLength: 0), hex("83 00 0000000000000000 00000000 00 00"))
        // Out-of-range lengths clamp instead of trapping.
        XCTAssertEqual(ExtendedCopy.lid1CDB(parameterListLength: -1)[10...13], [0, 0, 0, 0])
        XCTAssertEqual(ExtendedCopy.lid1CDB(parameterListLength: Int.max)[10...13], [0xFF, 0xFF, 0xFF, 0xFF])
    }

    func testExtendedCopyCommandCarriesTheListAsDataOut() {
        let list: [UInt8] = Array(repeating: 0xAB, count: 108)
        let command = SCSICommand.extendedCopyLID1(parameterList: list)
        XCTAssertEqual(command.cdb, ExtendedCopy.lid1CDB(parameterListLength: 108))
        XCTAssertEqual(command.direction.dataOut, list)
        XCTAssertEqual(command.name, "EXTENDED COPY(LID1)")
    }
}
