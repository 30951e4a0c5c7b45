/// Standard INQUIRY data of arrays, built in the layout of LIO's recorded answers
/// (`LIO.Recorded`, TestSupport) from the vendor and product strings their
/// documentation gives, to match profiles against.
enum Recorded {
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
