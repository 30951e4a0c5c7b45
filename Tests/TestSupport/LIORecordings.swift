/// Raw SCSI answers of the Linux LIO target, captured in the device lab with sg_raw
/// (qemu guest, Debian 6.1.0-56 kernel, target_core with tcm_loop and fileio
/// backstores, 2026-11-21; lab/README.md, "What LIO answered"). XCopyTests decodes them
/// and rebuilds them from LIO's source; ProfilesTests matches profiles against them.
public enum LIO {
    public enum Recorded {
        /// `sg_raw -r 96 /dev/sg0 12 00 00 00 60 00` (LUN A, standard INQUIRY).
        public static let inquiryA = hex("""
            00 00 06 02 5b b8 00 02  4c 49 4f 2d 4f 52 47 20
            46 49 4c 45 49 4f 20 20  20 20 20 20 20 20 20 20
            34 2e 30 20 00 00 00 00  00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00  00 00 00 a0 0c 60 04 60
            04 c0 00 00 00 00 00 00  00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
            """)
        /// `sg_raw -r 36 /dev/sg2 12 00 00 00 24 00` (LUN D, emulate_3pc = 0).
        public static let inquiryD = hex("""
            00 00 06 02 5b b0 00 02  4c 49 4f 2d 4f 52 47 20
            46 49 4c 45 49 4f 20 20  20 20 20 20 20 20 20 20
            34 2e 30 20
            """)
        /// `sg_raw -r 252 /dev/sg0 12 01 83 00 fc 00`: 164 bytes (LUN A, VPD 0x83).
        public static let deviceIdentificationA = hex("""
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
        /// `sg_raw -r 512 /dev/sg0 84 03 ... 00 00 02 00 00 00`: 512 bytes, zero after
        /// byte 45. (LUN D with 3PC off answers the same.)
        public static let copyOperatingParametersA = hex("""
            00 00 00 2a 01 00 00 00  00 02 00 01 00 00 04 00
            10 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
            00 00 00 01 01 09 09 09  00 00 00 02 02 e4 00 00
            """) + [UInt8](repeating: 0, count: 512 - 48)
        /// `sg_raw -r 32 /dev/sg0 9e 10 ... 00 00 00 20 00 00` (64 MiB, 512-byte blocks).
        public static let capacityA = hex("""
            00 00 00 00 00 01 ff ff  00 00 02 00 00 00 00 00
            00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
            """)
        /// EXTENDED COPY past the end of the source (sg_raw -vv, raw sense, 18 bytes).
        public static let senseCopyTargetNotReachable = hex("70 00 0a 00 00 00 00 0a 00 00 00 00 0d 02 00 00 00 00")
        /// EXTENDED COPY sent to LUN D (3PC off).
        public static let senseInvalidOpcode = hex("70 00 05 00 00 00 00 0a 00 00 00 00 20 00 00 00 00 00")
        /// TEST UNIT READY on LUN A after another LUN was mapped on its target.
        public static let senseReportedLunsChanged = hex("70 00 06 00 00 00 00 0a 00 00 00 00 3f 0e 00 00 00 00")
    }
}
