import ArgumentParser

/// The byte range of a copy or clone (RFC 7862 COPY/CLONE arguments).
struct RangeOptions: ParsableArguments {
    @Option(name: .customLong("src-offset"), help: "Byte offset in the source where the range starts.")
    var srcOffset: UInt64?

    @Option(name: .customLong("dst-offset"), help: "Byte offset in the destination the range is copied to.")
    var dstOffset: UInt64?

    @Option(help: "Bytes to copy; 0 or absent means to the source's end of file.")
    var count: UInt64?

    /// No range given: a whole-file copy, which truncates the destination to the
    /// source's size.
    var isWholeFile: Bool { srcOffset == nil && dstOffset == nil && count == nil }
}
