import XCTest
import XCopy
import TestSupport

/// SCSIDevice driven by a fake transport replaying LIO's answers: the commands it
/// sends, how it decodes the answers, and UNIT ATTENTION handling.
final class SCSIDeviceTests: XCTestCase {
    func testInquiryOfLUNA() throws {
        let fake = FakeTransport([.data(LIO.Recorded.inquiryA)])
        let inquiry = try SCSIDevice(transport: fake).inquiry()
        XCTAssertEqual(fake.commands.map(\.cdb), [hex("12 00 00 0024 00")])
        XCTAssertEqual(inquiry.vendor, "LIO-ORG")
        XCTAssertEqual(inquiry.product, "FILEIO")
        XCTAssertEqual(inquiry.revision, "4.0")
        XCTAssertTrue(inquiry.threePC)
    }

    func testInquiryOfLUNDWith3PCOff() throws {
        let fake = FakeTransport([.data(LIO.standardInquiry(threePC: false))])
        XCTAssertFalse(try SCSIDevice(transport: fake).inquiry().threePC)
    }

    func testDeviceIdentificationOfLUNA() throws {
        let fake = FakeTransport([.data(LIO.Recorded.deviceIdentificationA)])
        let designators = try SCSIDevice(transport: fake).deviceIdentification()
        XCTAssertEqual(fake.commands.map(\.cdb), [hex("12 01 83 00FC 00")])
        XCTAssertEqual(designators.count, 7)
        XCTAssertEqual(designators.preferredLogicalUnit?.description, "naa.6001405a1ab000000000000000000000")
    }

    /// A page longer than the first allocation (252) is asked for again with its own
    /// length, as sg_vpd does.
    func testLongDeviceIdentificationPageIsFetchedWhole() throws {
        var descriptors: [UInt8] = []
        for index in UInt8(0)..<30 {  // 30 x 12 bytes: a 364-byte page
            descriptors += hex("01 03 00 08 | 5000C500000000") + [index]
        }
        let page = [0x00, 0x83, UInt8(descriptors.count >> 8), UInt8(descriptors.count & 0xFF)] + descriptors
        let fake = FakeTransport([.data(page), .data(page)])
        let designators = try SCSIDevice(transport: fake).deviceIdentification()
        XCTAssertEqual(designators.count, 30)
        XCTAssertEqual(designators.last?.identifier.last, 29)
        XCTAssertEqual(fake.commands.map(\.cdb), [hex("12 01 83 00FC 00"), hex("12 01 83 016C 00")])
    }

    /// A device that returns fewer bytes than its PAGE LENGTH without being cut by the
    /// allocation length is lying: no second request, an error.
    func testShortPageBelowTheAllocationIsMalformed() {
        var page = LIO.deviceIdentificationPage()
        page.removeLast(10)
        let fake = FakeTransport([.data(page)])
        assertMalformed(expectError { () throws(SCSIError) in try SCSIDevice(transport: fake).deviceIdentification() })
        XCTAssertEqual(fake.commands.count, 1)
    }

    func testReadCapacity16() throws {
        let fake = FakeTransport([.data(LIO.Recorded.capacityA)])
        let capacity = try SCSIDevice(transport: fake).readCapacity16()
        XCTAssertEqual(fake.commands.map(\.cdb), [hex("9E 10 0000000000000000 00000020 00 00")])
        XCTAssertEqual(capacity, Capacity(lastLBA: 131071, blockSize: 512))
        XCTAssertEqual(capacity.blocks, 131072)
    }

    func testReceiveCopyOperatingParameters() throws {
        let fake = FakeTransport([.data(LIO.Recorded.copyOperatingParametersA)])
        let parameters = try SCSIDevice(transport: fake).receiveCopyOperatingParameters()
        XCTAssertEqual(fake.commands.map(\.cdb), [hex("84 03 0000000000000000 00000200 00 00")])
        XCTAssertEqual(parameters.maxSegmentDescriptors, 1)
        XCTAssertEqual(parameters.maxTargetDescriptors, 2)
        XCTAssertEqual(parameters.implementedDescriptorTypes, [0x02, 0xE4])
    }

    func testExtendedCopySendsTheList() throws {
        let source = Designator(codeSet: 1, rawType: 3, identifier: LIO.naaA)
        let destination = Designator(codeSet: 1, rawType: 3, identifier: LIO.naaB)
        let list = ExtendedCopy.lid1ParameterList(
            listIdentifier: 1, source: source, destination: destination, blockSize: 512,
            segments: [.init(sourceLBA: 1000, destinationLBA: 3000, blocks: 65535)])
        let fake = FakeTransport([.good])
        try SCSIDevice(transport: fake).extendedCopy(parameterList: list)
        XCTAssertEqual(fake.commands.count, 1)
        XCTAssertEqual(fake.commands[0].cdb, hex("83 00 0000000000000000 0000006C 00 00"))
        XCTAssertEqual(fake.commands[0].direction.dataOut, list)
    }

    /// The lab's failure answers surface as classified errors.
    func testExtendedCopyFailures() {
        let list = [UInt8](repeating: 0, count: 108)
        let unreachable = expectError { () throws(SCSIError) in
            try SCSIDevice(transport: FakeTransport([.sense(LIO.copyTargetNotReachable)])).extendedCopy(parameterList: list)
        }
        XCTAssertTrue(unreachable?.isCopyTargetUnreachable ?? false)
        XCTAssertEqual(unreachable?.command, "EXTENDED COPY(LID1)")

        let invalid = expectError { () throws(SCSIError) in
            try SCSIDevice(transport: FakeTransport([.sense(LIO.invalidOpcode)])).extendedCopy(parameterList: list)
        }
        XCTAssertTrue(invalid?.isInvalidOpcode ?? false)

        let busy = expectError { () throws(SCSIError) in
            try SCSIDevice(transport: FakeTransport([.status(0x08)])).extendedCopy(parameterList: list)
        }
        XCTAssertEqual(busy, .status(command: "EXTENDED COPY(LID1)", status: 0x08))
    }

    func testGarbledAnswersAreMalformed() {
        assertMalformed(expectError { () throws(SCSIError) in
            try SCSIDevice(transport: FakeTransport([.data(hex("00 00 06 02"))])).inquiry()
        })
        assertMalformed(expectError { () throws(SCSIError) in
            try SCSIDevice(transport: FakeTransport([.data([])])).readCapacity16()
        })
        assertMalformed(expectError { () throws(SCSIError) in
            try SCSIDevice(transport: FakeTransport([.data(hex("00 80 0004 41424344"))])).deviceIdentification()
        })
        assertMalformed(expectError { () throws(SCSIError) in
            try SCSIDevice(transport: FakeTransport([.data(Array(LIO.copyOperatingParameters().prefix(40)))]))
                .receiveCopyOperatingParameters()
        })
    }

    // MARK: UNIT ATTENTION

    /// LIO's first command to a freshly mapped LUN ends in UNIT ATTENTION, REPORTED
    /// LUNS DATA HAS CHANGED; the retrying transport sends it again and succeeds.
    func testUnitAttentionIsRetried() throws {
        let fake = FakeTransport([.sense(LIO.reportedLunsChanged), .data(LIO.Recorded.inquiryA)])
        let device = SCSIDevice(transport: UnitAttentionRetryingTransport(fake))
        XCTAssertEqual(try device.inquiry().vendor, "LIO-ORG")
        XCTAssertEqual(fake.commands.count, 2)
        XCTAssertEqual(fake.commands[0].cdb, fake.commands[1].cdb)
    }

    /// Several queued conditions (power on, then luns changed, then capacity changed)
    /// each cost one retry; an EXTENDED COPY is re-sent with the same list.
    func testSeveralUnitAttentionsWithinTheBudget() throws {
        let fake = FakeTransport([
            .sense(LIO.fixedSense(key: 0x06, asc: 0x29, ascq: 0x00)),
            .sense(LIO.reportedLunsChanged),
            .sense(LIO.fixedSense(key: 0x06, asc: 0x2A, ascq: 0x09)),
            .good,
        ])
        let list = [UInt8](repeating: 7, count: 80)
        try SCSIDevice(transport: UnitAttentionRetryingTransport(fake, retries: 3)).extendedCopy(parameterList: list)
        XCTAssertEqual(fake.commands.count, 4)
        XCTAssertTrue(fake.commands.allSatisfy { $0.direction.dataOut == list })
    }

    func testUnitAttentionBeyondTheBudgetIsThrown() {
        let fake = FakeTransport(Array(repeating: .sense(LIO.reportedLunsChanged), count: 10))
        let error = expectError { () throws(SCSIError) in
            try SCSIDevice(transport: UnitAttentionRetryingTransport(fake, retries: 3)).readCapacity16()
        }
        XCTAssertTrue(error?.isUnitAttention ?? false)
        XCTAssertEqual(error?.sense?.asc, 0x3F)
        XCTAssertEqual(fake.commands.count, 4, "one attempt and three retries")
    }

    func testNoRetriesWhenTheBudgetIsZero() {
        let fake = FakeTransport([.sense(LIO.reportedLunsChanged), .data(LIO.capacity64MiB)])
        let error = expectError { () throws(SCSIError) in
            try SCSIDevice(transport: UnitAttentionRetryingTransport(fake, retries: 0)).readCapacity16()
        }
        XCTAssertTrue(error?.isUnitAttention ?? false)
        XCTAssertEqual(fake.commands.count, 1)
        let negative = FakeTransport([.sense(LIO.reportedLunsChanged)])
        _ = expectError { () throws(SCSIError) in
            try SCSIDevice(transport: UnitAttentionRetryingTransport(negative, retries: -5)).readCapacity16()
        }
        XCTAssertEqual(negative.commands.count, 1)
    }

    /// Only UNIT ATTENTION is retried: a COPY ABORTED after a retried UNIT ATTENTION
    /// ends the command at once (never re-send a copy that ran).
    func testOtherErrorsAreNotRetried() {
        let fake = FakeTransport([.sense(LIO.reportedLunsChanged), .sense(LIO.copyTargetNotReachable), .good])
        let error = expectError { () throws(SCSIError) in
            try SCSIDevice(transport: UnitAttentionRetryingTransport(fake)).extendedCopy(parameterList: [])
        }
        XCTAssertTrue(error?.isCopyTargetUnreachable ?? false)
        XCTAssertEqual(fake.commands.count, 2)
        XCTAssertEqual(fake.remainingAnswers, 1)

        for answer in [FakeTransport.Answer.status(0x08), .error(.transport(command: "INQUIRY", detail: "DID_NO_CONNECT")),
                       .error(.system(command: "INQUIRY", errno: .ioError)), .sense(LIO.invalidOpcode)] {
            let single = FakeTransport([answer, .data(LIO.Recorded.inquiryA)])
            _ = expectError { () throws(SCSIError) in try SCSIDevice(transport: UnitAttentionRetryingTransport(single)).inquiry() }
            XCTAssertEqual(single.commands.count, 1)
        }
    }

    /// The wrappers are Sendable and usable from concurrent tasks.
    func testConcurrentUse() async throws {
        let fake = FakeTransport(Array(repeating: .data(LIO.capacity64MiB), count: 16))
        let device = SCSIDevice(transport: UnitAttentionRetryingTransport(fake))
        let capacities = try await withThrowingTaskGroup(of: Capacity.self) { group in
            for _ in 0..<16 { group.addTask { try device.readCapacity16() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(capacities.count, 16)
        XCTAssertTrue(capacities.allSatisfy { $0.blocks == 131072 })
    }
}
