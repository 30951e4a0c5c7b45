import Glibc

/// Number and column formatting for the table and the chart (no Foundation).
enum TextFormat {
    /// `value` with exactly `places` decimals, rounded half away from zero: 0.1235 → "0.124".
    static func fixed(_ value: Double, _ places: Int) -> String {
        guard value.isFinite else { return "-" }
        let scale = Int64(pow(10.0, Double(places)))
        let scaled = Int64((abs(value) * Double(scale)).rounded())
        let whole = scaled / scale
        let fraction = scaled % scale
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard places > 0 else { return "\(sign)\(whole)" }
        let digits = String(fraction)
        return "\(sign)\(whole)." + String(repeating: "0", count: places - digits.count) + digits
    }

    /// Three significant digits for wide-ranging values (0.00412, 0.107, 12.3, 1134).
    static func significant(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let magnitude = abs(value)
        if magnitude == 0 { return "0" }
        if magnitude >= 100 { return fixed(value, 0) }
        if magnitude >= 10 { return fixed(value, 1) }
        if magnitude >= 1 { return fixed(value, 2) }
        let places = min(9, 2 - Int(floor(log10(magnitude))))
        return fixed(value, places)
    }

    /// `significant` without trailing zeros, for axis ticks: 0.1, 1, 10, 250.
    static func tick(_ value: Double) -> String {
        var text = significant(value)
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Sizes as people read them: 8.0 MiB, 1.0 GiB.
    static func bytes(_ value: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var v = Double(value)
        var unit = 0
        while v >= 1024 && unit < units.count - 1 {
            v /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : "\(fixed(v, 1)) \(units[unit])"
    }

    static func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    static func padRight(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// At most `limit` characters, with "..." when cut.
    static func truncated(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(0, limit - 3))) + "..."
    }
}
