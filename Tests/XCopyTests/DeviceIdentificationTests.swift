import XCTest
import XCopy
import TestSupport

/// The Device Identification VPD page (SPC-4 §7.8.6): designators, associations,
/// designator types, and the choice of the one that names the logical unit.
final class DeviceIdentificationTests: XCTestCase {
    func testLIOPage() throws {
        let designators = try Designator.parsePage(LIO.deviceIdentificationPage())
        XCTAssertEqual(designators.count, 7)
        XCTAssertEqual(designators.map(\.kind), [.naa, .t10VendorID, .relativeTargetPort, .targetPortGroup, .logicalUnitGroup, .scsiName, .scsiName])
        XCTAssertEqual(designators.map(\.association), [0, 0, 1, 1, 0, 1, 2])

        let naa = designators[0]
        XCTAssertEqual(naa.codeSet, 1)
        XCTAssertEqual(naa.rawType, 3)
        XCTAssertFalse(naa.piv)
        XCTAssertEqual(naa.identifier, LIO.naaA)
        XCTAssertEqual(naa.description, "naa.6001405a1ab000000000000000000000")
        XCTAssertEqual(naa.descriptorBytes, hex("01 03 00 10") + LIO.naaA)

        let t10 = designators[1]
        XCTAssertEqual(t10.codeSet, 2)
        XCTAssertEqual(t10.identifier.count, 48)
        XCTAssertEqual(t10.description, "t10.LIO-ORG FILEIO:a1ab0000000000000000000000000001")
        XCTAssertFalse(t10.fitsIdentificationTargetDescriptor)

        let port = designators[2]
        XCTAssertEqual(port.protocolIdentifier, 6)
        XCTAssertTrue(port.piv)
        XCTAssertEqual(port.description, "relative-target-port.1,target-port")
        XCTAssertEqual(designators[3].description, "target-port-group.0,target-port")
        XCTAssertEqual(designators[4].description, "logical-unit-group.0")
        XCTAssertEqual(designators[5].description, "naa.5001405000000001,t,0x0001,target-port")
        XCTAssertEqual(designators[6].description, "naa.5001405000000001,target-device")

        XCTAssertEqual(designators.preferredLogicalUnit, naa)
    }

    /// LUN E's serial shares its first 25 hex digits with LUN A's: LIO gives both the
    /// same NAA. The decoder reports what the page says; telling them apart is the
    /// caller's job (compare the preferred designators of all visible LUNs).
    func testAmbiguousLIONAAsDecodeEqual() throws {
        let a = try Designator.parsePage(LIO.deviceIdentificationPage())
        let e = try Designator.parsePage(LIO.deviceIdentificationPage(serial: "a1ab0000000000000000000000000005"))
        XCTAssertEqual(a.preferredLogicalUnit, e.preferredLogicalUnit)
        XCTAssertNotEqual(a[1], e[1], "the T10 vendor ids still differ")
        let b = try Designator.parsePage(LIO.deviceIdentificationPage(naa: LIO.naaB, serial: "b2cd0000000000000000000000000002"))
        XCTAssertNotEqual(a.preferredLogicalUnit, b.preferredLogicalUnit)
        XCTAssertEqual(b.preferredLogicalUnit?.description, "naa.6001405b2cd000000000000000000000")
    }

    /// Several designators with mixed associations: a port's NAA (association 1) must
    /// never be taken for the logical unit's, whatever its position.
    func testMixedAssociations() throws {
        let page = hex("""
            00 83 003C
            61 93 00 08 | 5000C50012345678
            01 02 00 08 | 0011223344556677
            01 23 00 08 | 500A098000000001
            01 03 00 08 | 5000C500ABCDEF01
            02 01 00 08 | 4154412020202020
            """)
        let designators = try Designator.parsePage(page)
        XCTAssertEqual(designators.count, 5)
        XCTAssertEqual(designators.map(\.association), [1, 0, 2, 0, 0])
        XCTAssertEqual(designators[0].description, "naa.5000c50012345678,target-port")
        XCTAssertEqual(designators[1].description, "eui.0011223344556677")
        XCTAssertEqual(designators[2].description, "naa.500a098000000001,target-device")
        XCTAssertEqual(designators[4].description, "t10.ATA")
        XCTAssertEqual(designators.preferredLogicalUnit?.identifier, hex("5000C500ABCDEF01"))
    }

    func testPreferenceOrderNAAThenEUIThenT10() throws {
        let naa = Designator(codeSet: 1, association: 0, rawType: 3, identifier: hex("5000C500ABCDEF01"))
        let eui = Designator(codeSet: 1, association: 0, rawType: 2, identifier: hex("0011223344556677"))
        let t10 = Designator(codeSet: 2, association: 0, rawType: 1, identifier: ascii("VENDOR  SERIAL01"))
        let vendor = Designator(codeSet: 1, association: 0, rawType: 0, identifier: hex("01020304"))
        let portNAA = Designator(codeSet: 1, association: 1, rawType: 3, identifier: hex("5000C50012345678"))
        XCTAssertEqual([t10, eui, naa].preferredLogicalUnit, naa)
        XCTAssertEqual([t10, portNAA, eui].preferredLogicalUnit, eui)
        XCTAssertEqual([vendor, portNAA, t10].preferredLogicalUnit, t10)
        XCTAssertNil([vendor, portNAA].preferredLogicalUnit)
        XCTAssertNil([Designator]().preferredLogicalUnit)
        // The first of a kind in page order wins.
        let naa2 = Designator(codeSet: 1, association: 0, rawType: 3, identifier: hex("6001405000000000000000000000abcd"))
        XCTAssertEqual([naa2, naa].preferredLogicalUnit, naa2)
        // A T10 vendor id too long for an 0xE4 descriptor is skipped.
        let longT10 = Designator(codeSet: 2, association: 0, rawType: 1, identifier: ascii("LIO-ORG FILEIO:a1ab0000000000000000000000000001"))
        XCTAssertNil([longT10, portNAA].preferredLogicalUnit)
    }

    func testPageWithOnlyAT10VendorID() throws {
        let page = hex("00 83 0018 | 02 01 00 14") + ascii("SEAGATE ST4000NM0001")
        let designators = try Designator.parsePage(page)
        XCTAssertEqual(designators.count, 1)
        XCTAssertEqual(designators[0].kind, .t10VendorID)
        XCTAssertEqual(designators[0].description, "t10.SEAGATE ST4000NM0001")
        XCTAssertTrue(designators[0].fitsIdentificationTargetDescriptor)
        XCTAssertEqual(designators.preferredLogicalUnit, designators[0])
    }

    func testOtherDesignatorTypes() throws {
        let page = hex("""
            00 83 0038
            01 0A 00 12 | 10 00 | 0123456789ABCDEF0123456789ABCDEF
            01 07 00 10 | 00112233445566778899AABBCCDDEEFF
            01 0B 00 02 | BEEF
            01 09 00 04 | 01020304
            """)
        let designators = try Designator.parsePage(page)
        XCTAssertEqual(designators.map(\.kind), [.uuid, .md5, nil, .protocolSpecificPortID])
        XCTAssertEqual(designators[0].description, "uuid.10000123456789abcdef0123456789abcdef")
        XCTAssertEqual(designators[1].description, "md5.00112233445566778899aabbccddeeff")
        XCTAssertEqual(designators[2].rawType, 0x0B)
        XCTAssertEqual(designators[2].description, "type11.beef")
        XCTAssertEqual(designators[3].description, "port.01020304")
    }

    func testEmptyPageAndPaddingAfterIt() throws {
        XCTAssertEqual(try Designator.parsePage(hex("00 83 0000")), [])
        // Allocation padding past PAGE LENGTH is ignored.
        let padded = hex("00 83 000C | 01 03 00 08 | 5000C500ABCDEF01") + [UInt8](repeating: 0xEE, count: 40)
        XCTAssertEqual(try Designator.parsePage(padded).count, 1)
    }

    func testTruncatedAndLyingPages() {
        let page = LIO.deviceIdentificationPage()
        // Every truncation of a real page is refused (PAGE LENGTH then lies).
        for length in 0..<page.count {
            assertMalformed(expectError { () throws(SCSIError) in try Designator.parsePage(Array(page.prefix(length))) })
        }
        // Page length larger than the buffer.
        assertMalformed(expectError { () throws(SCSIError) in try Designator.parsePage(hex("00 83 0100 | 01 03 00 08 | 5000C500ABCDEF01")) })
        // Designator length running past the end of the page.
        assertMalformed(expectError { () throws(SCSIError) in try Designator.parsePage(hex("00 83 000C | 01 03 00 10 | 5000C500ABCDEF01")) })
        // A header cut short inside the page.
        assertMalformed(expectError { () throws(SCSIError) in try Designator.parsePage(hex("00 83 0002 | 01 03")) })
        // Another page's code.
        assertMalformed(expectError { () throws(SCSIError) in try Designator.parsePage(hex("00 80 0004 | 41424344")) })
        assertMalformed(expectError { () throws(SCSIError) in try Designator.parsePage([]) })
    }
}
