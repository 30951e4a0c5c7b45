import ArgumentParser

/// A byte count on the command line: plain bytes, or with a binary suffix
/// (K/KiB, M/MiB, G/GiB, T/TiB, each ×1024), as storage administrators write them.
struct ByteCount: ExpressibleByArgument, Equatable, Sendable {
    var value: UInt64

    init(_ value: UInt64) { self.value = value }

    init?(argument: String) {
        let text = argument.filter { $0 != " " }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = UInt64(digits) else { return nil }
        let shift: UInt64
        switch text.dropFirst(digits.count).uppercased() {
        case "", "B": shift = 0
        case "K", "KB", "KIB": shift = 10
        case "M", "MB", "MIB": shift = 20
        case "G", "GB", "GIB": shift = 30
        case "T", "TB", "TIB": shift = 40
        default: return nil
        }
        let (result, overflow) = number.multipliedReportingOverflow(by: 1 << shift)
        guard !overflow else { return nil }
        value = result
    }
}

