import SystemPackage
import XCTest
import XCopy
import TestSupport

final class SCSIErrorTests: XCTestCase {
    func testClassification() throws {
        let unreachable = SCSIError.checkCondition(command: "EXTENDED COPY(LID1)", sense: try SenseData(bytes: LIO.copyTargetNotReachable))
        XCTAssertTrue(unreachable.isCopyTargetUnreachable)
        XCTAssertFalse(unreachable.isInvalidOpcode)
        XCTAssertFalse(unreachable.isUnitAttention)
        XCTAssertEqual(unreachable.sense?.key, .copyAborted)

        let invalid = SCSIError.checkCondition(command: "EXTENDED COPY(LID1)", sense: try SenseData(bytes: LIO.invalidOpcode))
        XCTAssertTrue(invalid.isInvalidOpcode)
        XCTAssertFalse(invalid.isCopyTargetUnreachable)

        // Same codes under another key, or neighbouring codes, do not count.
        XCTAssertFalse(SCSIError.checkCondition(command: "X", sense: SenseData(key: .illegalRequest, asc: 0x0D, ascq: 0x02)).isCopyTargetUnreachable)
        XCTAssertFalse(SCSIError.checkCondition(command: "X", sense: SenseData(key: .copyAborted, asc: 0x0D, ascq: 0x03)).isCopyTargetUnreachable)
        XCTAssertFalse(SCSIError.checkCondition(command: "X", sense: SenseData(key: .illegalRequest, asc: 0x20, ascq: 0x01)).isInvalidOpcode)
        XCTAssertFalse(SCSIError.checkCondition(command: "X", sense: SenseData(key: .abortedCommand, asc: 0x20, ascq: 0x00)).isInvalidOpcode)

        let ua = SCSIError.checkCondition(command: "INQUIRY", sense: try SenseData(bytes: LIO.reportedLunsChanged))
        XCTAssertTrue(ua.isUnitAttention)

        for other in [SCSIError.status(command: "X", status: 0x08), .transport(command: "X", detail: "d"),
                      .system(command: "X", errno: .permissionDenied), .malformed(command: "X", detail: "d")] {
            XCTAssertNil(other.sense)
            XCTAssertFalse(other.isInvalidOpcode)
            XCTAssertFalse(other.isCopyTargetUnreachable)
            XCTAssertFalse(other.isUnitAttention)
            XCTAssertEqual(other.command, "X")
        }
    }

    func testDescriptionsNameTheCommandAndTheAnswer() throws {
        let sense = try SenseData(bytes: LIO.copyTargetNotReachable)
        XCTAssertEqual(
            SCSIError.checkCondition(command: "EXTENDED COPY(LID1)", sense: sense).description,
            "EXTENDED COPY(LID1) ended in CHECK CONDITION: COPY ABORTED, ASC/ASCQ 0x0D/0x02 (copy target device not reachable).")
        XCTAssertEqual(
            SCSIError.status(command: "INQUIRY", status: 0x18).description,
            "INQUIRY ended with status RESERVATION CONFLICT (0x18).")
        XCTAssertEqual(SCSIError.status(command: "INQUIRY", status: 0x08).description, "INQUIRY ended with status BUSY (0x08).")
        XCTAssertEqual(SCSIError.status(command: "INQUIRY", status: 0x28).description, "INQUIRY ended with status TASK SET FULL (0x28).")
        XCTAssertEqual(SCSIError.status(command: "INQUIRY", status: 0x7E).description, "INQUIRY ended with reserved status 0x7E.")
        let system = SCSIError.system(command: "INQUIRY", errno: .inappropriateIOCTLForDevice).description
        XCTAssertTrue(system.hasPrefix("INQUIRY was refused by the operating system: "), system)
        XCTAssertTrue(system.contains("errno 25"), system)
        XCTAssertEqual(
            SCSIError.transport(command: "READ CAPACITY(16)", detail: "no answer within 60 s").description,
            "READ CAPACITY(16) failed in the transport: no answer within 60 s.")
        XCTAssertEqual(
            SCSIError.malformed(command: "INQUIRY", detail: "x").description, "INQUIRY returned a malformed response: x.")
    }

    func testEquatable() throws {
        let sense = try SenseData(bytes: LIO.invalidOpcode)
        XCTAssertEqual(SCSIError.checkCondition(command: "A", sense: sense), .checkCondition(command: "A", sense: sense))
        XCTAssertNotEqual(SCSIError.checkCondition(command: "A", sense: sense), .checkCondition(command: "B", sense: sense))
        XCTAssertEqual(SCSIError.system(command: "A", errno: .noSuchFileOrDirectory), .system(command: "A", errno: .noSuchFileOrDirectory))
        XCTAssertNotEqual(SCSIError.system(command: "A", errno: .noSuchFileOrDirectory), .system(command: "A", errno: .permissionDenied))
    }
}
