/// The SCSI commands a third-party copy needs, on any transport. Decoding errors and
/// device errors alike come back as `SCSIError`.
///
/// No retries happen here: `SGIODevice` retries UNIT ATTENTION itself, and any other
/// transport can be wrapped in `UnitAttentionRetryingTransport`.
public struct SCSIDevice: Sendable {
    public let transport: any SCSITransport

    public init(transport: any SCSITransport) {
        self.transport = transport
    }

    /// TEST UNIT READY (SPC-4 §6.47): a 6-byte all-zero CDB, no data. Useful to take a
    /// pending UNIT ATTENTION before the commands that matter.
    public func testUnitReady() throws(SCSIError) {
        _ = try transport.execute(SCSICommand(name: "TEST UNIT READY", cdb: [UInt8](repeating: 0, count: 6), direction: .none))
    }

    /// Standard INQUIRY data: device type, 3PC, vendor, product, revision.
    public func inquiry() throws(SCSIError) -> StandardInquiry {
        try StandardInquiry(bytes: transport.execute(.inquiry()).data)
    }

    /// Every designator of the Device Identification VPD page (0x83).
    ///
    /// Asks for 252 bytes first, as sg3_utils does (old devices mishandle larger INQUIRY
    /// allocation lengths), and again with the page's own length when it was cut by the
    /// allocation length.
    public func deviceIdentification() throws(SCSIError) -> [Designator] {
        let firstAllocation: UInt16 = 252
        var page = try transport.execute(.inquiry(vpdPage: Designator.devicePageCode, allocationLength: firstAllocation)).data
        if page.count >= 4 {
            let whole = 4 + (Int(page[2]) << 8 | Int(page[3]))
            if whole > page.count && page.count >= Int(firstAllocation) {
                let allocation = UInt16(min(whole, Int(UInt16.max)))
                page = try transport.execute(.inquiry(vpdPage: Designator.devicePageCode, allocationLength: allocation)).data
            }
        }
        return try Designator.parsePage(page)
    }

    /// The last LBA and the logical block size.
    public func readCapacity16() throws(SCSIError) -> Capacity {
        try Capacity(bytes: transport.execute(.readCapacity16()).data)
    }

    /// The copy manager's limits. The default allocation (512 bytes) holds the longest
    /// possible answer: 44 fixed bytes and at most 255 descriptor type codes.
    public func receiveCopyOperatingParameters() throws(SCSIError) -> CopyOperatingParameters {
        try CopyOperatingParameters(bytes: transport.execute(.receiveCopyOperatingParameters()).data)
    }

    /// EXTENDED COPY (LID1) with `parameterList` (see `ExtendedCopy.lid1ParameterList`).
    /// Returns once the copy manager reports the whole list done.
    public func extendedCopy(parameterList: [UInt8]) throws(SCSIError) {
        _ = try transport.execute(.extendedCopyLID1(parameterList: parameterList))
    }
}
