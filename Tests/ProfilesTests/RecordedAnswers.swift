/// SCSI answers recorded in the device lab (LIO, Linux 6.1, tcm_loop, fileio; the same
/// recordings as Tests/XCopyTests/LIOVectors.swift), and standard INQUIRY data of
/// arrays built in the same layout from the vendor and product strings their
/// documentation gives, to match profiles against.
enum Recorded {
    /// `sg_raw -r 96 /dev/sg0 12 00 00 00 60 00` (LUN A, 3PC=1).
    static let lioInquiryA = hex("""
        00 00 06 02 5b b8 00 02  4c 49 4f 2d 4f 52 47 20
        46 49 4c 45 49 4f 20 20  20 20 20 20 20 20 20 20
        34 2e 30 20 00 00 00 00  00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00  00 00 00 a0 0c 60 04 60
        04 c0 00 00 00 00 00 00  00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
        """)
    /// `sg_raw -r 36 /dev/sg2 12 00 00 00 24 00` (LUN D, emulate_3pc = 0).
    static let lioInquiryD = hex("""
        00 00 06 02 5b b0 00 02  4c 49 4f 2d 4f 52 47 20
        46 49 4c 45 49 4f 20 20  20 20 20 20 20 20 20 20
        34 2e 30 20
        """)
    /// `sg_raw -r 252 /dev/sg0 12 01 83 00 fc 00`: 164 bytes (LUN A, VPD 0x83).
    static let lioDeviceIdentificationA = hex("""
        00 83 00 a0 01 03 00 10  60 01 40 5a 1a b0 00 00
        00 00 00 00 00 00 00 00  02 01 00 30 4c 49 4f 2d
        4f 52 47 20 46 49 4c 45  49 4f 3a 61 31 61 62 30
        30 30 30 30 30 30 30 30  30 30 30 30 30 30 30 30
        30 30 30 30 30 30 30 30  30 30 31 00 61 94 00 04
        00 00 00 01 61 95 00 04  00 00 00 00 01 06 00 04
        00 00 00 00 63 98 00 20  6e 61 61 2e 35 30 30 31
        34 30 35 30 30 30 30 30  30 30 30 31 2c 74 2c 30
        78 30 30 30 31 00 00 00  63 a8 00 18 6e 61 61 2e
        35 30 30 31 34 30 35 30  30 30 30 30 30 30 30 31
        00 00 00 00
        """)

    /// Standard INQUIRY data (36 bytes, SPC-4 §6.6.2) of a disk with 3PC=1 and the
    /// given identification strings.
    static func inquiry(vendor: String, product: String, revision: String) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 36)
        bytes[2] = 0x06
        bytes[3] = 0x02
        bytes[4] = 31
        bytes[5] = 0x08
        bytes.replaceSubrange(8..<16, with: ascii(vendor, width: 8))
        bytes.replaceSubrange(16..<32, with: ascii(product, width: 16))
        bytes.replaceSubrange(32..<36, with: ascii(revision, width: 4))
        return bytes
    }
}
