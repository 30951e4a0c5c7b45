import ArgumentParser

/// The byte range of a copy or clone (RFC 7862 COPY/CLONE arguments).
struct RangeOptions: ParsableArguments {
    @Option(name: .customLong("src-offset"), help: "Byte offset in the source where the range starts (suffixes K, M, G, T).")
    var srcOffsetArgument: ByteCount?

    @Option(name: .customLong("dst-offset"), help: "Byte offset in the destination the range is copied to.")
    var dstOffsetArgument: ByteCount?

    @Option(name: .customLong("count"), help: "Bytes to copy; 0 or absent means to the source's end of file.")
    var countArgument: ByteCount?

    var srcOffset: UInt64? { srcOffsetArgument?.value }
    var dstOffset: UInt64? { dstOffsetArgument?.value }
    var count: UInt64? { countArgument?.value }

    /// No range given: a whole-file copy, which truncates the destination to the
    /// source's size.
    var isWholeFile: Bool { byteRange.isWholeFile }

    var byteRange: ByteRange { ByteRange(srcOffset: srcOffset, dstOffset: dstOffset, count: count) }
}

/// The range as given on the command line, nil where an option was absent: the plain
/// value that both command-line parsers produce.
struct ByteRange: Equatable, Sendable {
    var srcOffset: UInt64?
    var dstOffset: UInt64?
    var count: UInt64?

    /// No range given: a whole-file copy, which truncates the destination to the
    /// source's size.
    var isWholeFile: Bool { srcOffset == nil && dstOffset == nil && count == nil }
}
