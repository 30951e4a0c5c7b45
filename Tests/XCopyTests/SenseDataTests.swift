import XCTest
import XCopy
import TestSupport

/// Sense data (SPC-4 §4.5): fixed format 0x70/0x71 (§4.5.3) and descriptor format
/// 0x72/0x73 (§4.5.2), sense keys (§4.5.6) and the ASC/ASCQ table (Annex D).
final class SenseDataTests: XCTestCase {
    func testLIOFixedSense() throws {
        let sense = try SenseData(bytes: LIO.copyTargetNotReachable)
        XCTAssertEqual(sense.responseCode, 0x70)
        XCTAssertEqual(sense.key, .copyAborted)
        XCTAssertEqual(sense.asc, 0x0D)
        XCTAssertEqual(sense.ascq, 0x02)
        XCTAssertNil(sense.information)
        XCTAssertFalse(sense.isDeferred)
        XCTAssertEqual(sense.ascText, "copy target device not reachable")
        XCTAssertEqual(sense.description, "COPY ABORTED, ASC/ASCQ 0x0D/0x02 (copy target device not reachable)")
    }

    /// Fixed format with VALID (byte 0 bit 7) and INFORMATION in bytes 3-6: a medium
    /// error at LBA 0x12345678; the sense key ignores FILEMARK/EOM/ILI in byte 2.
    func testFixedSenseWithInformation() throws {
        let bytes = hex("F0 00 E3 12345678 0A 00000007 11 00 00 000000")
        let sense = try SenseData(bytes: bytes)
        XCTAssertEqual(sense.responseCode, 0x70)
        XCTAssertEqual(sense.key, .mediumError)
        XCTAssertEqual(sense.information, 0x1234_5678)
        XCTAssertEqual(sense.commandSpecificInformation, 7)
        XCTAssertEqual(sense.ascText, "unrecovered read error")
        XCTAssertEqual(sense.description, "MEDIUM ERROR, ASC/ASCQ 0x11/0x00 (unrecovered read error), information 305419896")
        // Without VALID the INFORMATION field is not reported.
        var invalid = bytes
        invalid[0] = 0x70
        XCTAssertNil(try SenseData(bytes: invalid).information)
    }

    func testDeferredFixedSense() throws {
        let sense = try SenseData(bytes: hex("71 00 04 00000000 0A 00000000 44 00 00 000000"))
        XCTAssertTrue(sense.isDeferred)
        XCTAssertEqual(sense.key, .hardwareError)
        XCTAssertEqual(sense.description, "HARDWARE ERROR, ASC/ASCQ 0x44/0x00 (internal target failure), deferred")
    }

    /// Fixed-format fields count only inside both the buffer and ADDITIONAL SENSE
    /// LENGTH (as sg_scsi_normalize_sense): a short buffer gives zero codes.
    func testShortFixedSense() throws {
        let keyOnly = try SenseData(bytes: hex("70 00 06"))
        XCTAssertEqual(keyOnly.key, .unitAttention)
        XCTAssertEqual(keyOnly.asc, 0)
        // ADDITIONAL SENSE LENGTH 4: ASC at byte 12 lies outside it.
        let cut = try SenseData(bytes: hex("70 00 05 00000000 04 00000000 24 00 00 000000"))
        XCTAssertEqual(cut.key, .illegalRequest)
        XCTAssertEqual(cut.asc, 0)
        // 13 bytes: ASC present, ASCQ missing.
        let thirteen = try SenseData(bytes: hex("70 00 05 00000000 0A 00000000 24"))
        XCTAssertEqual(thirteen.asc, 0x24)
        XCTAssertEqual(thirteen.ascq, 0)
    }

    /// Descriptor format with an Information descriptor (type 0x00, length 0x0A, VALID
    /// in its byte 2 bit 7, INFORMATION in bytes 4-11) and a command-specific one (0x01).
    func testDescriptorSense() throws {
        let bytes = hex("""
            72 0A 0D 02 00 00 00 18
            00 0A 80 00 | 0000000100000002
            01 0A 00 00 | 0000000000000003
            """)
        let sense = try SenseData(bytes: bytes)
        XCTAssertEqual(sense.responseCode, 0x72)
        XCTAssertEqual(sense.key, .copyAborted)
        XCTAssertEqual(sense.asc, 0x0D)
        XCTAssertEqual(sense.ascq, 0x02)
        XCTAssertEqual(sense.information, 0x1_0000_0002)
        XCTAssertEqual(sense.commandSpecificInformation, 3)

        let noValid = try SenseData(bytes: hex("73 05 24 00 00 00 00 0C | 00 0A 00 00 0000000000001000"))
        XCTAssertNil(noValid.information)
        XCTAssertTrue(noValid.isDeferred)
        XCTAssertEqual(noValid.description, "ILLEGAL REQUEST, ASC/ASCQ 0x24/0x00 (invalid field in CDB), deferred")

        // Just the 8-byte header, and even 4 bytes, still give key and codes.
        XCTAssertEqual(try SenseData(bytes: hex("72 06 29 07 00 00 00 00")).ascText, "I_T nexus loss occurred")
        XCTAssertEqual(try SenseData(bytes: hex("72 06 2A 09")).ascText, "capacity data has changed")
        // Unknown descriptor types are skipped.
        let skipped = try SenseData(bytes: hex("72 03 11 00 00 00 00 10 | 02 02 0000 | 00 0A 80 00 0000000000000020"))
        XCTAssertEqual(skipped.information, 0x20)
    }

    func testGarbledSenseIsMalformed() {
        let cases: [[UInt8]] = [
            [],                                             // empty
            hex("00 00 05"),                                 // not a sense response code
            hex("7F 00 05 00000000 0A 00000000 24 00"),     // vendor-specific format
            hex("70 00"),                                    // fixed, no sense key byte
            hex("72"),                                       // descriptor, no sense key byte
            hex("72 0A 0D 02 00 00 00 0C | 00 20 80 00 0000000000000001"),  // descriptor length past the end
        ]
        for bytes in cases {
            assertMalformed(expectError { () throws(SCSIError) in try SenseData(bytes: bytes) })
        }
    }

    func testSenseKeyNames() {
        XCTAssertEqual(SenseKey(rawValue: 0x0A), .copyAborted)
        XCTAssertEqual(SenseKey.unitAttention.name, "UNIT ATTENTION")
        XCTAssertEqual(SenseKey.reserved0C.name, "RESERVED (0x0C)")
        for raw in UInt8(0)...15 { XCTAssertNotNil(SenseKey(rawValue: raw)) }
    }

    /// The codes the copy path meets, by exact pair.
    func testAdditionalSenseTable() throws {
        let expected: [(UInt8, UInt8, String)] = [
            (0x00, 0x00, "no additional sense information"),
            (0x04, 0x00, "logical unit not ready, cause not reportable"),
            (0x04, 0x02, "logical unit not ready, initializing command required"),
            (0x04, 0x0A, "logical unit not accessible, asymmetric access state transition"),
            (0x04, 0x7E, "logical unit not ready (ASCQ 0x7E)"),
            (0x0C, 0x00, "write error"),
            (0x0D, 0x00, "error detected by third party temporary initiator"),
            (0x0D, 0x01, "third party device failure"),
            (0x0D, 0x02, "copy target device not reachable"),
            (0x0D, 0x03, "incorrect copy target device type"),
            (0x0D, 0x04, "copy target device data underrun"),
            (0x0D, 0x05, "copy target device data overrun"),
            (0x11, 0x00, "unrecovered read error"),
            (0x1A, 0x00, "parameter list length error"),
            (0x20, 0x00, "invalid command operation code"),
            (0x21, 0x00, "logical block address out of range"),
            (0x24, 0x00, "invalid field in CDB"),
            (0x25, 0x00, "logical unit not supported"),
            (0x26, 0x00, "invalid field in parameter list"),
            (0x26, 0x06, "too many target descriptors"),
            (0x26, 0x07, "unsupported target descriptor type code"),
            (0x26, 0x08, "too many segment descriptors"),
            (0x26, 0x09, "unsupported segment descriptor type code"),
            (0x26, 0x0A, "unexpected inexact segment"),
            (0x26, 0x0B, "inline data length exceeded"),
            (0x26, 0x0C, "invalid operation for copy source or destination"),
            (0x26, 0x0D, "copy segment granularity violation"),
            (0x28, 0x00, "not ready to ready change, medium may have changed"),
            (0x29, 0x00, "power on, reset, or bus device reset occurred"),
            (0x29, 0x01, "power on occurred"),
            (0x29, 0x07, "I_T nexus loss occurred"),
            (0x2A, 0x09, "capacity data has changed"),
            (0x3F, 0x0E, "reported luns data has changed"),
            (0x44, 0x00, "internal target failure"),
        ]
        for (asc, ascq, text) in expected {
            XCTAssertEqual(SenseData(key: .noSense, asc: asc, ascq: ascq).ascText, text, "\(asc)/\(ascq)")
        }
        for ascq in UInt8(0)...0x0D {
            XCTAssertFalse(SenseData(key: .illegalRequest, asc: 0x26, ascq: ascq).ascText.hasPrefix("ASC "))
        }
        for ascq in UInt8(0)...0x07 {
            XCTAssertFalse(SenseData(key: .unitAttention, asc: 0x29, ascq: ascq).ascText.hasPrefix("ASC "))
        }
        XCTAssertEqual(SenseData(key: .noSense, asc: 0x7E, ascq: 0x55).ascText, "ASC 0x7E, ASCQ 0x55")
        XCTAssertEqual(
            SenseData(key: .vendorSpecific, asc: 0x80, ascq: 0x01).description, "VENDOR SPECIFIC, ASC/ASCQ 0x80/0x01")
    }
}
