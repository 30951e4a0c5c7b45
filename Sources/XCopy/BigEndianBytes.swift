/// Bounds-checked big-endian access to a response buffer.
///
/// Every SCSI response and sense buffer comes from a device (or a fake, or a fuzzer)
/// and may be shorter than its own length fields claim. Decoders read through this
/// view so that a short or garbled answer becomes `SCSIError.malformed` naming the
/// field, never an out-of-bounds trap.
struct ResponseBytes {
    let bytes: [UInt8]
    /// The command whose response this is, for the error message.
    let command: String

    init(_ bytes: [UInt8], command: String) {
        self.bytes = bytes
        self.command = command
    }

    var count: Int { bytes.count }

    /// Whether `length` bytes starting at `offset` lie inside the buffer.
    func contains(offset: Int, length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= bytes.count && length <= bytes.count - offset
    }

    func malformed(_ detail: String) -> SCSIError {
        .malformed(command: command, detail: detail)
    }

    /// Throws unless the buffer holds at least `length` bytes.
    func require(_ length: Int, for what: String) throws(SCSIError) {
        guard bytes.count >= length else {
            throw malformed("\(what) needs \(length) bytes, only \(bytes.count) received")
        }
    }

    func uint8(at offset: Int, _ field: String) throws(SCSIError) -> UInt8 {
        try checked(offset, 1, field)
        return bytes[offset]
    }

    func uint16(at offset: Int, _ field: String) throws(SCSIError) -> UInt16 {
        UInt16(truncatingIfNeeded: try integer(at: offset, width: 2, field))
    }

    func uint24(at offset: Int, _ field: String) throws(SCSIError) -> UInt32 {
        UInt32(truncatingIfNeeded: try integer(at: offset, width: 3, field))
    }

    func uint32(at offset: Int, _ field: String) throws(SCSIError) -> UInt32 {
        UInt32(truncatingIfNeeded: try integer(at: offset, width: 4, field))
    }

    func uint64(at offset: Int, _ field: String) throws(SCSIError) -> UInt64 {
        try integer(at: offset, width: 8, field)
    }

    func slice(at offset: Int, length: Int, _ field: String) throws(SCSIError) -> [UInt8] {
        try checked(offset, length, field)
        return Array(bytes[offset..<(offset + length)])
    }

    private func integer(at offset: Int, width: Int, _ field: String) throws(SCSIError) -> UInt64 {
        try checked(offset, width, field)
        var value: UInt64 = 0
        for byte in bytes[offset..<(offset + width)] {
            value = value << 8 | UInt64(byte)
        }
        return value
    }

    private func checked(_ offset: Int, _ length: Int, _ field: String) throws(SCSIError) {
        guard contains(offset: offset, length: length) else {
            throw malformed("\(field) (bytes \(offset)..<\(offset + length)) lies past the \(bytes.count) bytes received")
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` most significant byte first, in `width` bytes (SCSI fields are
    /// big-endian throughout, SPC-4 §3.5.2).
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T, width: Int = MemoryLayout<T>.size) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
            append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }

    /// Writes `value` most significant byte first into `width` bytes at `offset`.
    mutating func putBigEndian<T: FixedWidthInteger>(_ value: T, at offset: Int, width: Int = MemoryLayout<T>.size) {
        for index in 0..<width {
            let shift = (width - 1 - index) * 8
            self[offset + index] = UInt8(truncatingIfNeeded: value >> shift)
        }
    }
}

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
    var text = String(bytes.map { (0x20...0x7E).contains($0) ? Character(UnicodeScalar($0)) : "." })
    // Trailing padding: spaces, and the NULs that some targets use instead.
    let padded = bytes.reversed().prefix { $0 == 0x20 || $0 == 0x00 }.count
    text.removeLast(padded)
    while text.first == " " { text.removeFirst() }
    return text
}
