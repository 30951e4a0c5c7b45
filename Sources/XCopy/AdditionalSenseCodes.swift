/// The ADDITIONAL SENSE CODE / QUALIFIER pairs this library has to explain (SPC-4
/// Annex D; wording as sg3_utils' sg_lib_data.c, lower-cased).
///
/// Not the whole table: the codes a disk, a copy manager and an SG_IO initiator meet
/// (readiness, medium errors, the third-party copy family 0x0D and 0x26/0x06..0x0D,
/// invalid CDB or parameter list, the unit attentions). Unknown pairs are printed as
/// numbers by `SenseData.ascText`.
enum AdditionalSenseCodes {
    /// The text for an exact (ASC, ASCQ) pair, or a family text when only the ASC is
    /// known ("logical unit not ready (ASCQ 0x7F)"), or nil.
    static func text(asc: UInt8, ascq: UInt8) -> String? {
        let key = UInt16(asc) << 8 | UInt16(ascq)
        if let exact = exact[key] { return exact }
        if let family = families[asc] { return "\(family) (ASCQ \(hexByte(ascq)))" }
        return nil
    }

    /// ASC-only families whose qualifiers we do not list one by one.
    private static let families: [UInt8: String] = [
        0x04: "logical unit not ready",
        0x0C: "write error",
        0x0D: "third-party copy error",
        0x11: "unrecovered read error",
        0x26: "invalid field in parameter list",
        0x29: "power on, reset, or bus device reset occurred",
        0x2A: "parameters changed",
        0x3F: "target operating conditions have changed",
    ]

    private static let exact: [UInt16: String] = [
        0x0000: "no additional sense information",
        // 0x04: NOT READY conditions (SPC-4 Annex D).
        0x0400: "logical unit not ready, cause not reportable",
        0x0401: "logical unit is in process of becoming ready",
        0x0402: "logical unit not ready, initializing command required",
        0x0403: "logical unit not ready, manual intervention required",
        0x0404: "logical unit not ready, format in progress",
        0x0407: "logical unit not ready, operation in progress",
        0x0409: "logical unit not ready, self-test in progress",
        0x040A: "logical unit not accessible, asymmetric access state transition",
        0x040B: "logical unit not accessible, target port in standby state",
        0x040C: "logical unit not accessible, target port in unavailable state",
        0x0411: "logical unit not ready, notify (enable spinup) required",
        0x041B: "logical unit not ready, sanitize in progress",
        0x0801: "logical unit communication time-out",
        0x0804: "unreachable copy target",
        // 0x0C: write errors.
        0x0C00: "write error",
        0x0C02: "write error - auto reallocation failed",
        0x0C03: "write error - recommend reassignment",
        // 0x0D: errors of a copy manager talking to its copy targets.
        0x0D00: "error detected by third party temporary initiator",
        0x0D01: "third party device failure",
        0x0D02: "copy target device not reachable",
        0x0D03: "incorrect copy target device type",
        0x0D04: "copy target device data underrun",
        0x0D05: "copy target device data overrun",
        // 0x11: read errors.
        0x1100: "unrecovered read error",
        0x1101: "read retries exhausted",
        0x1102: "error too long to correct",
        0x1104: "unrecovered read error - auto reallocate failed",
        0x1A00: "parameter list length error",
        0x2000: "invalid command operation code",
        0x2100: "logical block address out of range",
        0x2400: "invalid field in CDB",
        0x2500: "logical unit not supported",
        // 0x26: the parameter list, including EXTENDED COPY's descriptor checks.
        0x2600: "invalid field in parameter list",
        0x2601: "parameter not supported",
        0x2602: "parameter value invalid",
        0x2603: "threshold parameters not supported",
        0x2604: "invalid release of persistent reservation",
        0x2605: "data decryption error",
        0x2606: "too many target descriptors",
        0x2607: "unsupported target descriptor type code",
        0x2608: "too many segment descriptors",
        0x2609: "unsupported segment descriptor type code",
        0x260A: "unexpected inexact segment",
        0x260B: "inline data length exceeded",
        0x260C: "invalid operation for copy source or destination",
        0x260D: "copy segment granularity violation",
        0x2700: "write protected",
        0x2800: "not ready to ready change, medium may have changed",
        // 0x29 / 0x2A / 0x3F: UNIT ATTENTION conditions.
        0x2900: "power on, reset, or bus device reset occurred",
        0x2901: "power on occurred",
        0x2902: "SCSI bus reset occurred",
        0x2903: "bus device reset function occurred",
        0x2904: "device internal reset",
        0x2905: "transceiver mode changed to single-ended",
        0x2906: "transceiver mode changed to LVD",
        0x2907: "I_T nexus loss occurred",
        0x2A00: "parameters changed",
        0x2A01: "mode parameters changed",
        0x2A03: "reservations preempted",
        0x2A06: "asymmetric access state changed",
        0x2A09: "capacity data has changed",
        0x2C00: "command sequence error",
        0x3A00: "medium not present",
        0x3E01: "logical unit failure",
        0x3F00: "target operating conditions have changed",
        0x3F01: "microcode has been changed",
        0x3F03: "inquiry data has changed",
        0x3F0E: "reported luns data has changed",
        0x4400: "internal target failure",
        0x5500: "system resource failure",
    ]
}
