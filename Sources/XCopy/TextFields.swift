/// Two uppercase hex digits, as sg3_utils prints sense codes ("0x0D").
func hexByte(_ value: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "0x" + String(digits[Int(value >> 4)]) + String(digits[Int(value & 0x0F)])
}

/// Lowercase hex without separators, as Linux prints WWNs ("6001405a1ab0...").
func lowercaseHex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    var text = ""
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0F)])
    }
    return text
}

/// Printable ASCII from a fixed-width SCSI text field (SPC-4 §4.4.1: left-aligned,
/// padded with spaces or NULs); anything else becomes "." so a garbled field
/// cannot smuggle control characters into logs.
func asciiField(_ bytes: some Collection<UInt8>) -> String {
    // Byte by byte, not through Characters: an array of Characters costs the runtime a
    // generic metadata instantiation at every start.
    var printable = bytes.map { (0x20...0x7E).contains($0) ? $0 : UInt8(ascii: ".") }
    // Trailing padding: spaces, and the NULs that some targets use instead.
    printable.removeLast(bytes.reversed().prefix { $0 == 0x20 || $0 == 0x00 }.count)
    let leadingSpaces = printable.prefix { $0 == 0x20 }.count
    return String(decoding: printable[leadingSpaces...], as: UTF8.self)
}
