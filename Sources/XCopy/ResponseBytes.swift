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
