import XCTest
import XCopy
import TestSupport

/// The LID1 parameter list (SPC-4 §6.3.1 header, §6.3.6.2 0xE4 target descriptors with
/// §6.3.6.5 block device parameters, §6.3.7.5 0x02 segment descriptors), byte by byte.
final class ExtendedCopyParameterListTests: XCTestCase {
    let source = Designator(codeSet: 1, association: 0, rawType: 3, identifier: LIO.naaA)
    let destination = Designator(codeSet: 1, association: 0, rawType: 3, identifier: LIO.naaB)
    let segments = [
        ExtendedCopy.BlockSegment(sourceLBA: 0, destinationLBA: 0, blocks: 65535),
        ExtendedCopy.BlockSegment(sourceLBA: 65535, destinationLBA: 0x1_0000_FFFF, blocks: 65535),
        ExtendedCopy.BlockSegment(sourceLBA: 0x0102_0304_0506_0708, destinationLBA: 131070, blocks: 2),
    ]

    func testHeaderAndLengths() {
        let list = ExtendedCopy.lid1ParameterList(
            listIdentifier: 0x5A, priority: 0, source: source, destination: destination, blockSize: 512,
            segments: segments)
        XCTAssertEqual(list.count, 16 + 2 * 32 + 3 * 28)
        // byte 0 LIST IDENTIFIER; byte 1 STR 0, LIST ID USAGE 00b (NRCR 0), PRIORITY 0;
        // bytes 2-3 TARGET DESCRIPTOR LIST LENGTH 64; 4-7 reserved;
        // bytes 8-11 SEGMENT DESCRIPTOR LIST LENGTH 84; 12-15 INLINE DATA LENGTH 0.
        XCTAssertEqual(Array(list[0..<16]), hex("5A 00 0040 00000000 00000054 00000000"))
    }

    func testPriorityGoesInByte1Bits2To0Only() {
        let list = ExtendedCopy.lid1ParameterList(
            listIdentifier: 1, priority: 0xFD, source: source, destination: destination, blockSize: 512, segments: [])
        XCTAssertEqual(list[1], 0x05)
        XCTAssertEqual(Array(list[8..<12]), [0, 0, 0, 0], "no segments: SEGMENT DESCRIPTOR LIST LENGTH 0")
        XCTAssertEqual(list.count, 80)
    }

    func testIdentificationTargetDescriptors() {
        let list = ExtendedCopy.lid1ParameterList(
            listIdentifier: 1, source: source, destination: destination, blockSize: 512, segments: segments)
        for (index, naa) in [(0, LIO.naaA), (1, LIO.naaB)] {
            let descriptor = Array(list[(16 + 32 * index)..<(16 + 32 * (index + 1))])
            XCTAssertEqual(descriptor[0], 0xE4, "DESCRIPTOR TYPE CODE")
            XCTAssertEqual(descriptor[1], 0x00, "LU ID TYPE 0, NUL 0, PERIPHERAL DEVICE TYPE 0")
            XCTAssertEqual(Array(descriptor[2..<4]), [0, 0], "RELATIVE INITIATOR PORT IDENTIFIER")
            XCTAssertEqual(Array(descriptor[4..<8]), hex("01 03 00 10"), "code set binary, LU, NAA, length 16")
            XCTAssertEqual(Array(descriptor[8..<24]), naa)
            XCTAssertEqual(Array(descriptor[24..<28]), [0, 0, 0, 0], "designation padding")
            XCTAssertEqual(descriptor[28], 0x00, "PAD 0")
            XCTAssertEqual(Array(descriptor[29..<32]), hex("00 02 00"), "DISK BLOCK LENGTH 512")
        }
    }

    func testBlockLengthInBytes29To31() {
        for (size, expected) in [(UInt32(4096), hex("00 10 00")), (520, hex("00 02 08")), (0xFF_FFFF, hex("FF FF FF"))] {
            let list = ExtendedCopy.lid1ParameterList(
                listIdentifier: 1, source: source, destination: destination, blockSize: size, segments: [])
            XCTAssertEqual(Array(list[(16 + 29)..<(16 + 32)]), expected)
            XCTAssertEqual(Array(list[(48 + 29)..<(48 + 32)]), expected)
        }
        // A block size the 24-bit field cannot hold is written as 0, never truncated.
        let list = ExtendedCopy.lid1ParameterList(
            listIdentifier: 1, source: source, destination: destination, blockSize: 0x0100_0200, segments: [])
        XCTAssertEqual(Array(list[(16 + 29)..<(16 + 32)]), [0, 0, 0])
    }

    func testBlockToBlockSegmentDescriptors() {
        let list = ExtendedCopy.lid1ParameterList(
            listIdentifier: 1, source: source, destination: destination, blockSize: 512, segments: segments)
        // byte 0 type 0x02; byte 1 DC 0, CAT 0; bytes 2-3 DESCRIPTOR LENGTH 0x18;
        // 4-5 source index 0; 6-7 destination index 1; 8-9 reserved; 10-11 NUMBER OF
        // BLOCKS; 12-19 source LBA; 20-27 destination LBA.
        XCTAssertEqual(Array(list[80..<108]), hex("02 00 0018 0000 0001 0000 FFFF 0000000000000000 0000000000000000"))
        XCTAssertEqual(Array(list[108..<136]), hex("02 00 0018 0000 0001 0000 FFFF 000000000000FFFF 000000010000FFFF"))
        XCTAssertEqual(Array(list[136..<164]), hex("02 00 0018 0000 0001 0000 0002 0102030405060708 000000000001FFFE"))
    }

    /// The lab's shell helper `xcopy_lid1` (lab/guest/lib.sh) builds the same list by
    /// hand for one segment, with LIST ID USAGE 11b (byte 1 = 0x18) and list id 0;
    /// apart from byte 1 the two encodings must agree.
    func testMatchesTheLabsHandBuiltList() {
        let e4 = { (naa: String) in "e4000000" + "01030010" + naa + "00000000" + "00000200" }
        let lab = hex(
            "00180040000000000000001c00000000" + e4("6001405a1ab000000000000000000000")
                + e4("6001405b2cd000000000000000000000")
                + "02000018" + "0000" + "0001" + "0000" + "fffe" + "00000000000003e8" + "0000000000000bb8")
        var ours = ExtendedCopy.lid1ParameterList(
            listIdentifier: 0, source: source, destination: destination, blockSize: 512,
            segments: [.init(sourceLBA: 1000, destinationLBA: 3000, blocks: 65534)])
        XCTAssertEqual(ours[1], 0x00)
        ours[1] = 0x18
        XCTAssertEqual(ours, lab)
    }

    func testDesignatorTooLongForTheDescriptorNamesNothing() {
        let t10 = Designator(codeSet: 2, association: 0, rawType: 1, identifier: ascii("LIO-ORG FILEIO:a1ab0000000000000000000000000001") + [0])
        XCTAssertFalse(t10.fitsIdentificationTargetDescriptor)
        let descriptor = ExtendedCopy.identificationTargetDescriptor(t10, blockSize: 512)
        XCTAssertEqual(descriptor.count, 32)
        XCTAssertEqual(descriptor[0], 0xE4)
        XCTAssertEqual(Array(descriptor[4..<28]), [UInt8](repeating: 0, count: 24), "zero designation, not a cut one")
        XCTAssertEqual(Array(descriptor[29..<32]), hex("000200"))
    }

    func testDesignatorOfExactly20BytesFits() {
        let twenty = Designator(codeSet: 1, association: 0, rawType: 2, identifier: Array(1...20))
        XCTAssertTrue(twenty.fitsIdentificationTargetDescriptor)
        let descriptor = ExtendedCopy.identificationTargetDescriptor(twenty, blockSize: 512)
        XCTAssertEqual(Array(descriptor[4..<8]), hex("01 02 00 14"))
        XCTAssertEqual(Array(descriptor[8..<28]), Array(1...20))
    }

    func testDescriptorBytesKeepTheVPDHeader() {
        let port = Designator(codeSet: 3, protocolIdentifier: 6, piv: true, association: 1, rawType: 8, identifier: ascii("abcd"))
        XCTAssertEqual(port.descriptorBytes, hex("63 98 00 04") + ascii("abcd"))
        XCTAssertEqual(source.descriptorBytes, hex("01 03 00 10") + LIO.naaA)
    }
}
