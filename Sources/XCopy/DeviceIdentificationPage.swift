extension Designator {
    /// The VPD page code of the Device Identification page.
    public static let devicePageCode: UInt8 = 0x83

    /// Every designation descriptor of a Device Identification VPD page (SPC-4 §7.8.6),
    /// in page order:
    ///
    ///     byte 0      bits 7..5 PERIPHERAL QUALIFIER, bits 4..0 PERIPHERAL DEVICE TYPE
    ///     byte 1      PAGE CODE (0x83)
    ///     bytes 2-3   PAGE LENGTH (n - 3)
    ///     bytes 4-n   designation descriptors (see `Designator`)
    ///
    /// Bytes past PAGE LENGTH (allocation padding) are ignored. A page length or a
    /// designator length that runs past the bytes received is an error, not a shorter
    /// list: a copy agent must not pick an identity from half a page.
    public static func parsePage(_ page: [UInt8]) throws(SCSIError) -> [Designator] {
        let view = ResponseBytes(page, command: "INQUIRY (VPD page 0x83)")
        try view.require(4, for: "the VPD page header")
        guard page[1] == devicePageCode else {
            throw view.malformed("page code is \(hexByte(page[1])), expected 0x83")
        }
        let pageLength = Int(try view.uint16(at: 2, "PAGE LENGTH"))
        guard view.contains(offset: 4, length: pageLength) else {
            throw view.malformed("PAGE LENGTH \(pageLength) runs past the \(page.count - 4) bytes after the header")
        }
        let end = 4 + pageLength
        var designators: [Designator] = []
        var offset = 4
        while offset < end {
            guard end - offset >= 4 else {
                throw view.malformed(
                    "designation descriptor at byte \(offset) is cut short: \(end - offset) bytes left of its 4-byte header")
            }
            let length = Int(page[offset + 3])
            guard length <= end - offset - 4 else {
                throw view.malformed(
                    "designator at byte \(offset) says \(length) bytes, only \(end - offset - 4) remain in the page")
            }
            designators.append(Designator(
                codeSet: page[offset] & 0x0F,
                protocolIdentifier: page[offset] >> 4,
                piv: page[offset + 1] & 0x80 != 0,
                association: (page[offset + 1] >> 4) & 0x03,
                rawType: page[offset + 1] & 0x0F,
                identifier: Array(page[(offset + 4)..<(offset + 4 + length)])))
            offset += 4 + length
        }
        return designators
    }
}

extension Array where Element == Designator {
    /// The designator that best names the logical unit itself in an 0xE4 target
    /// descriptor: association 0 only (a port or target-device name would name
    /// something else), and only designators that fit the descriptor's 20 bytes; NAA
    /// first, then EUI-64, then T10 vendor id; the first of a kind in page order.
    ///
    /// Uniqueness is the caller's check: LIO derives NAAs from only the first 25 hex
    /// digits of the unit serial, so two LUNs can share one (see device-lab notes).
    public var preferredLogicalUnit: Designator? {
        let candidates = filter { $0.association == 0 && $0.fitsIdentificationTargetDescriptor }
        for kind in [Designator.Kind.naa, .eui64, .t10VendorID] {
            if let match = candidates.first(where: { $0.kind == kind }) { return match }
        }
        return nil
    }
}
