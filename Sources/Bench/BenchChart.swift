/// A self-contained SVG bar chart of a report: throughput per case (median bar, min-max
/// whisker) and CPU seconds per GiB per case (the copying process, and the whole
/// machine). Backends are blue, external tools grey; cases not measured are listed
/// with their reason underneath. No scripts, fonts or external references.
public struct BenchChart {
    public let report: BenchReport

    public init(_ report: BenchReport) { self.report = report }

    private static let width = 960.0
    private static let rowHeight = 26.0
    private static let cpuRowHeight = 30.0
    private static let axisHeight = 34.0
    private static let backendColor = "#2b6cb0"
    private static let toolColor = "#8a94a6"
    private static let processColor = "#c05621"
    private static let machineColor = "#f6ad55"

    public var svg: String {
        let measured = report.cases.filter { $0.summary != nil }
        let unmeasured = report.cases.filter { $0.summary == nil }
        let labelWidth = min(300, max(120, Double(report.cases.map(\.label.count).max() ?? 0) * 7 + 16))
        let left = 16 + labelWidth
        let right = Self.width - 110
        var body: [String] = []
        var y = 30.0

        let facts = report.facts
        body.append(text(16, y, "ssc-agent bench: \(facts.source.path) → \(facts.destination.path)", size: 16, weight: "bold"))
        y += 20
        body.append(text(16, y,
            "\(TextFormat.bytes(facts.size)), \(BenchReport.describe(facts.source)) → \(BenchReport.describe(facts.destination)), "
                + "median of \(report.runs) run\(report.runs == 1 ? "" : "s") after a warm-up, "
                + (report.cold ? "page cache dropped before each run" : "warm page cache"), size: 12, color: "#333"))
        y += 16
        let load = report.host.loadAverage.first.map { ", load \(TextFormat.fixed($0, 2)) at start" } ?? ""
        body.append(text(16, y, "kernel \(report.host.kernel), \(report.host.cpus) CPUs\(load); each run ends with fdatasync", size: 12, color: "#333"))
        y += 30

        if measured.isEmpty {
            body.append(text(16, y, "No case was measured.", size: 13))
            y += 24
        } else {
            // Throughput.
            let mib = Double(1 << 20)
            let throughput = ChartScale(covering: measured.flatMap { c in [c.summary!.bytesPerSecond.max / mib] })
            body.append(text(16, y, "Throughput, MiB/s: median bar, min–max whisker" + (throughput.isLogarithmic ? " (log scale)" : ""), size: 13, weight: "bold"))
            y += 12
            let top = y
            for (index, c) in measured.enumerated() {
                let s = c.summary!
                let rowTop = top + Double(index) * Self.rowHeight
                let center = rowTop + Self.rowHeight / 2
                body.append(label(c, left: left, y: center))
                let barEnd = left + (right - left) * throughput.fraction(s.bytesPerSecond.median / mib)
                body.append(rect(left, center - 7, barEnd - left, 14, fill: c.kind == .backend ? Self.backendColor : Self.toolColor))
                let low = left + (right - left) * throughput.fraction(s.bytesPerSecond.min / mib)
                let high = left + (right - left) * throughput.fraction(s.bytesPerSecond.max / mib)
                body.append(line(low, center, high, center, color: "#1a202c"))
                body.append(line(low, center - 4, low, center + 4, color: "#1a202c"))
                body.append(line(high, center - 4, high, center + 4, color: "#1a202c"))
                body.append(text(max(barEnd, high) + 6, center + 4, TextFormat.significant(s.bytesPerSecond.median / mib), size: 11))
            }
            y = top + Double(measured.count) * Self.rowHeight
            body += axis(throughput, left: left, right: right, top: top, y: y)
            y += Self.axisHeight + 14

            // CPU per GiB.
            let cpu = ChartScale(covering: measured.flatMap { c in
                [c.summary!.cpuSecondsPerGiB.median, c.summary!.systemCPUSecondsPerGiB.median]
            })
            body.append(text(16, y, "CPU seconds per GiB copied, median" + (cpu.isLogarithmic ? " (log scale)" : ""), size: 13, weight: "bold"))
            body.append(rect(right - 250, y - 10, 10, 10, fill: Self.processColor))
            body.append(text(right - 236, y, "copying process", size: 11))
            body.append(rect(right - 130, y - 10, 10, 10, fill: Self.machineColor))
            body.append(text(right - 116, y, "whole machine", size: 11))
            y += 12
            let cpuTop = y
            for (index, c) in measured.enumerated() {
                let s = c.summary!
                let rowTop = cpuTop + Double(index) * Self.cpuRowHeight
                body.append(label(c, left: left, y: rowTop + Self.cpuRowHeight / 2))
                for (offset, value, color) in [(4.0, s.cpuSecondsPerGiB.median, Self.processColor), (16.0, s.systemCPUSecondsPerGiB.median, Self.machineColor)] {
                    let end = left + (right - left) * cpu.fraction(value)
                    body.append(rect(left, rowTop + offset, end - left, 10, fill: color))
                    body.append(text(end + 6, rowTop + offset + 9, TextFormat.significant(value), size: 10))
                }
            }
            y = cpuTop + Double(measured.count) * Self.cpuRowHeight
            body += axis(cpu, left: left, right: right, top: cpuTop, y: y)
            y += Self.axisHeight + 8
        }

        body.append(rect(16, y - 9, 10, 10, fill: Self.backendColor))
        body.append(text(30, y, "ssc-agent backend (in-process)", size: 11))
        body.append(rect(230, y - 9, 10, 10, fill: Self.toolColor))
        body.append(text(244, y, "external tool (child process)", size: 11))
        y += 22
        if !unmeasured.isEmpty {
            body.append(text(16, y, "Not measured:", size: 12, weight: "bold"))
            y += 16
            for c in unmeasured {
                let reason = c.status == .skipped ? "skipped: \(c.skipReason ?? "")" : "failed: \(c.failure?.message ?? "")"
                body.append(text(24, y, TextFormat.truncated("\(c.label) — \(reason)", 140), size: 11, color: "#444"))
                y += 15
            }
        }
        let height = y + 12
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(Self.width))" height="\(Int(height))" viewBox="0 0 \(Int(Self.width)) \(Int(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <title>\(Self.escaped("ssc-agent bench: \(facts.source.path) → \(facts.destination.path)"))</title>
            <rect x="0" y="0" width="\(Int(Self.width))" height="\(Int(height))" fill="#ffffff"/>
            \(body.joined(separator: "\n"))
            </svg>

            """
    }

    private func label(_ c: BenchCase, left: Double, y: Double) -> String {
        text(left - 8, y + 4, TextFormat.truncated(c.label, 40), size: 12, anchor: "end", color: c.kind == .backend ? "#1a202c" : "#4a5568")
    }

    private func axis(_ scale: ChartScale, left: Double, right: Double, top: Double, y: Double) -> [String] {
        var parts = [line(left, top, left, y, color: "#4a5568"), line(left, y, right, y, color: "#4a5568")]
        for tick in scale.ticks {
            let x = left + (right - left) * scale.fraction(tick)
            parts.append(line(x, y, x, y + 4, color: "#4a5568"))
            parts.append(line(x, top, x, y, color: "#e2e8f0"))
            parts.append(text(x, y + 16, TextFormat.tick(tick), size: 10, anchor: "middle", color: "#4a5568"))
        }
        return parts
    }

    private func text(
        _ x: Double, _ y: Double, _ content: String, size: Int, weight: String? = nil, anchor: String? = nil, color: String = "#1a202c"
    ) -> String {
        var attributes = "x=\"\(Self.coordinate(x))\" y=\"\(Self.coordinate(y))\" font-size=\"\(size)\" fill=\"\(color)\""
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let anchor { attributes += " text-anchor=\"\(anchor)\"" }
        return "<text \(attributes)>\(Self.escaped(content))</text>"
    }

    private func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: String) -> String {
        "<rect x=\"\(Self.coordinate(x))\" y=\"\(Self.coordinate(y))\" width=\"\(Self.coordinate(max(0, width)))\" height=\"\(Self.coordinate(height))\" fill=\"\(fill)\"/>"
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: String) -> String {
        "<line x1=\"\(Self.coordinate(x1))\" y1=\"\(Self.coordinate(y1))\" x2=\"\(Self.coordinate(x2))\" y2=\"\(Self.coordinate(y2))\" stroke=\"\(color)\" stroke-width=\"1\"/>"
    }

    static func coordinate(_ value: Double) -> String { TextFormat.fixed(value, 1) }

    /// Text and attribute values with XML's five special characters escaped; control
    /// characters XML 1.0 forbids are dropped.
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
