extension Array where Element == UInt8 {
    /// Appends `value` most significant byte first, in `width` bytes (SCSI fields are
    /// big-endian: the most significant byte at the lowest offset).
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
