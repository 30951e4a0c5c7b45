import XCTest
import XCopy
import TestSupport

/// The raw answers recorded from LIO in the device lab decode to what the lab reports,
/// and the vector builders used for the other LUNs reproduce them byte for byte.
final class LIORecordedAnswersTests: XCTestCase {
    func testBuildersReproduceTheRecordings() {
        XCTAssertEqual(LIO.standardInquiry(threePC: true), LIO.Recorded.inquiryA)
        XCTAssertEqual(Array(LIO.standardInquiry(threePC: false).prefix(36)), LIO.Recorded.inquiryD)
        XCTAssertEqual(LIO.deviceIdentificationPage(), LIO.Recorded.deviceIdentificationA)
        XCTAssertEqual(LIO.copyOperatingParameters(), LIO.Recorded.copyOperatingParametersA)
        XCTAssertEqual(LIO.capacity64MiB, LIO.Recorded.capacityA)
        XCTAssertEqual(LIO.copyTargetNotReachable, LIO.Recorded.senseCopyTargetNotReachable)
        XCTAssertEqual(LIO.invalidOpcode, LIO.Recorded.senseInvalidOpcode)
        XCTAssertEqual(LIO.reportedLunsChanged, LIO.Recorded.senseReportedLunsChanged)
    }

    func testRecordedAnswersDecode() throws {
        let inquiry = try StandardInquiry(bytes: LIO.Recorded.inquiryA)
        XCTAssertEqual([inquiry.vendor, inquiry.product, inquiry.revision], ["LIO-ORG", "FILEIO", "4.0"])
        XCTAssertTrue(inquiry.threePC)
        XCTAssertFalse(try StandardInquiry(bytes: LIO.Recorded.inquiryD).threePC)

        let designators = try Designator.parsePage(LIO.Recorded.deviceIdentificationA)
        XCTAssertEqual(designators.count, 7)
        XCTAssertEqual(designators.preferredLogicalUnit?.description, "naa.6001405a1ab000000000000000000000")

        let capacity = try Capacity(bytes: LIO.Recorded.capacityA)
        XCTAssertEqual(capacity.blocks, 131072)
        XCTAssertEqual(capacity.blockSize, 512)

        let parameters = try CopyOperatingParameters(bytes: LIO.Recorded.copyOperatingParametersA)
        XCTAssertEqual(parameters.maxTargetDescriptors, 2)
        XCTAssertEqual(parameters.maxSegmentDescriptors, 1)
        XCTAssertEqual(parameters.maxSegmentLength, 268_435_456)
        XCTAssertEqual(parameters.implementedDescriptorTypes, [0x02, 0xE4])

        XCTAssertEqual(
            try SenseData(bytes: LIO.Recorded.senseCopyTargetNotReachable).description,
            "COPY ABORTED, ASC/ASCQ 0x0D/0x02 (copy target device not reachable)")
        XCTAssertEqual(
            try SenseData(bytes: LIO.Recorded.senseInvalidOpcode).description,
            "ILLEGAL REQUEST, ASC/ASCQ 0x20/0x00 (invalid command operation code)")
        XCTAssertEqual(
            try SenseData(bytes: LIO.Recorded.senseReportedLunsChanged).description,
            "UNIT ATTENTION, ASC/ASCQ 0x3F/0x0E (reported luns data has changed)")
    }
}
