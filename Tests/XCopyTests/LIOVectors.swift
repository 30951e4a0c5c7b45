import TestSupport

/// What LIO (Linux 6.1 target_core, tcm_loop fabric, fileio backstores) answers in the
/// device lab (lab/README.md, "What LIO answered"; shared/notes/device-lab.md).
///
/// `LIO.Recorded` (Tests/TestSupport, shared with ProfilesTests) holds raw answers of
/// LUN A captured in the lab with sg_raw (qemu guest, Debian 6.1.0-56 kernel,
/// 2026-11-21). The builders below rebuild the same layouts from the functions that
/// produce them (target_core_spc.c spc_emulate_inquiry_std and spc_emulate_evpd_83,
/// target_core_xcopy.c target_rcr_operating_parameters, fixed-format sense from
/// target_core_transport.c) so the other LUNs' variants (3PC off, other serials) can
/// be made; a test checks that they reproduce the recordings byte for byte.
extension LIO {
    /// Standard INQUIRY of LUN A (SPC-4 §6.6.2), as LIO builds it: 96 bytes
    /// (ADDITIONAL LENGTH 91), of which a 36-byte allocation gets the first 36.
    static func standardInquiry(threePC: Bool) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 96)
        bytes[0] = 0x00                 // qualifier 0, peripheral device type 0 (disk)
        bytes[2] = 0x06                 // VERSION: SPC-4
        bytes[3] = 0x02                 // RESPONSE DATA FORMAT 2
        bytes[4] = 91                   // ADDITIONAL LENGTH
        bytes[5] = 0x80 | 0x30 | (threePC ? 0x08 : 0)  // SCCS, TPGS implicit+explicit, 3PC
        bytes[7] = 0x02                 // CMDQUE
        bytes.replaceSubrange(8..<16, with: ascii("LIO-ORG", width: 8))
        bytes.replaceSubrange(16..<32, with: ascii("FILEIO", width: 16))
        bytes.replaceSubrange(32..<36, with: ascii("4.0", width: 4))
        bytes.replaceSubrange(58..<66, with: hex("00A0 0C60 0460 04C0"))  // SAM-5, SAS-3, SPC-4, SBC-3
        return bytes
    }

    /// NAA 6 of LUN A: 6, OUI 001405, the first 25 hex digits of serial
    /// a1ab0000000000000000000000000001.
    static let naaA = hex("6001405a1ab000000000000000000000")
    /// NAA 6 of LUN B (serial b2cd0000000000000000000000000002).
    static let naaB = hex("6001405b2cd000000000000000000000")

    /// VPD page 0x83 of LUN A (SPC-4 §7.8.6) as spc_emulate_evpd_83 builds it on the
    /// tcm_loop target naa.5001405000000001 (protocol identifier 6, SAS), TPG 1:
    /// NAA (LU), T10 vendor id (LU, 48 bytes), relative target port (port),
    /// target port group (port), logical unit group (LU), SCSI name of the port, SCSI
    /// name of the target device.
    static func deviceIdentificationPage(naa: [UInt8] = naaA, serial: String = "a1ab0000000000000000000000000001") -> [UInt8] {
        var descriptors: [UInt8] = []
        descriptors += hex("01 03 00 10") + naa
        let t10 = ascii("LIO-ORG", width: 8) + ascii("FILEIO:" + serial) + [0]
        descriptors += [0x02, 0x01, 0x00, UInt8(t10.count)] + t10
        descriptors += hex("61 94 00 04 | 0000 0001")
        descriptors += hex("61 95 00 04 | 0000 0000")
        descriptors += hex("01 06 00 04 | 0000 0000")
        let portName = ascii("naa.5001405000000001,t,0x0001") + [0, 0, 0]  // 29 + NUL, padded to 32
        descriptors += [0x63, 0x98, 0x00, UInt8(portName.count)] + portName
        let targetName = ascii("naa.5001405000000001") + [0, 0, 0, 0]  // 20 + NUL, padded to 24
        descriptors += [0x63, 0xA8, 0x00, UInt8(targetName.count)] + targetName
        return [0x00, 0x83, UInt8(descriptors.count >> 8), UInt8(descriptors.count & 0xFF)] + descriptors
    }

    /// READ CAPACITY(16) of a 64 MiB LUN with 512-byte blocks (SBC-3 §5.16.2).
    static let capacity64MiB = hex("0000 0000 0001 FFFF | 0000 0200 | 00 00 0000") + [UInt8](repeating: 0, count: 16)

    /// RECEIVE COPY OPERATING PARAMETERS as target_rcr_operating_parameters fills the
    /// whole allocation (zeroed, AVAILABLE DATA 42).
    static func copyOperatingParameters(allocation: Int = 512) -> [UInt8] {
        let meaningful = hex("""
            0000002A | 01 000000 | 0002 | 0001 | 00000400 | 10000000
            00000000 | 00000000 | 00000000 | 0000 | 0001 | 01 | 09 | 09 | 09 | 000000 | 02 | 02 E4
            """)
        return meaningful + [UInt8](repeating: 0, count: max(0, allocation - meaningful.count))
    }

    /// Fixed-format sense (SPC-4 §4.5.3), 18 bytes, as LIO sends it.
    static func fixedSense(key: UInt8, asc: UInt8, ascq: UInt8) -> [UInt8] {
        [0x70, 0x00, key, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0]
    }

    /// UNIT ATTENTION, REPORTED LUNS DATA HAS CHANGED: LIO's answer to the first
    /// command on a freshly mapped LUN.
    static let reportedLunsChanged = fixedSense(key: 0x06, asc: 0x3F, ascq: 0x0E)
    /// COPY ABORTED, COPY TARGET DEVICE NOT REACHABLE: another target's LUN, 3PC off,
    /// or a segment past the end.
    static let copyTargetNotReachable = fixedSense(key: 0x0A, asc: 0x0D, ascq: 0x02)
    /// ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE: EXTENDED COPY sent to LUN D
    /// (emulate_3pc = 0).
    static let invalidOpcode = fixedSense(key: 0x05, asc: 0x20, ascq: 0x00)
}
