import XCTest
import XCopy
import TestSupport

/// Standard INQUIRY data (SPC-4 §6.6.2).
final class InquiryTests: XCTestCase {
    func testLIOStandardInquiry() throws {
        for length in [36, 96] {
            let inquiry = try StandardInquiry(bytes: Array(LIO.standardInquiry(threePC: true).prefix(length)))
            XCTAssertEqual(inquiry.peripheralQualifier, 0)
            XCTAssertEqual(inquiry.peripheralDeviceType, 0)
            XCTAssertEqual(inquiry.version, 0x06)
            XCTAssertTrue(inquiry.threePC)
            XCTAssertEqual(inquiry.vendor, "LIO-ORG")
            XCTAssertEqual(inquiry.product, "FILEIO")
            XCTAssertEqual(inquiry.revision, "4.0")
            XCTAssertTrue(inquiry.isConnectedBlockDevice)
        }
        XCTAssertFalse(try StandardInquiry(bytes: LIO.standardInquiry(threePC: false)).threePC)
    }

    /// 3PC is byte 5 bit 3 and nothing else: SCCS, ACC, TPGS and PROTECT around it do
    /// not count.
    func testThreePCIsByte5Bit3() throws {
        var bytes = LIO.standardInquiry(threePC: false)
        bytes[5] = 0xF7
        XCTAssertFalse(try StandardInquiry(bytes: bytes).threePC)
        bytes[5] = 0x08
        XCTAssertTrue(try StandardInquiry(bytes: bytes).threePC)
        bytes[5] = 0x00
        bytes[6] = 0xFF
        bytes[4] = 0x08
        XCTAssertFalse(try StandardInquiry(bytes: bytes).threePC)
    }

    func testQualifierTypeAndPadding() throws {
        var bytes = [UInt8](repeating: 0, count: 36)
        bytes[0] = 0x7F  // qualifier 3 (not capable), type 0x1F (unknown)
        bytes[2] = 0x05
        bytes.replaceSubrange(8..<16, with: ascii("  ATA", width: 8, pad: 0))  // NUL padded, leading blanks
        bytes.replaceSubrange(16..<32, with: ascii("Disk\u{07}X", width: 16))   // a control character
        bytes.replaceSubrange(32..<36, with: ascii("", width: 4))
        let inquiry = try StandardInquiry(bytes: bytes)
        XCTAssertEqual(inquiry.peripheralQualifier, 3)
        XCTAssertEqual(inquiry.peripheralDeviceType, 0x1F)
        XCTAssertEqual(inquiry.version, 5)
        XCTAssertEqual(inquiry.vendor, "ATA")
        XCTAssertEqual(inquiry.product, "Disk.X")
        XCTAssertEqual(inquiry.revision, "")
        XCTAssertFalse(inquiry.isConnectedBlockDevice)
    }

    func testShortStandardDataIsMalformed() {
        for length in [0, 1, 5, 8, 35] {
            assertMalformed(expectError { () throws(SCSIError) in
                try StandardInquiry(bytes: Array(LIO.standardInquiry(threePC: true).prefix(length)))
            })
        }
    }
}
