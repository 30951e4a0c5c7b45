import Backends

/// The terminal table: a heading with the pair and the conditions, one row per case
/// (medians, with min and max of the wall time), skipped and failed cases with their
/// reason, the cases' notes, and what the columns mean.
extension BenchReport {
    public var table: String {
        var lines: [String] = []
        let source = facts.source, destination = facts.destination
        lines.append("bench \(source.path) -> \(destination.path)")
        lines.append(
            "  \(TextFormat.bytes(facts.size)) (\(facts.size) bytes), \(Self.describe(source)) -> \(Self.describe(destination)), "
                + "\(runs) timed run\(runs == 1 ? "" : "s") per case after a warm-up, "
                + (cold ? "page cache dropped before each run" : "page cache kept (warm)"))
        var hostLine = "  host: \(host.cpus) CPU\(host.cpus == 1 ? "" : "s"), kernel \(host.kernel)"
        if host.loadAverage.count == 3 {
            hostLine += ", load average " + host.loadAverage.map { TextFormat.fixed($0, 2) }.joined(separator: " ")
        }
        lines.append(hostLine)
        lines.append("")

        let nameWidth = max(4, cases.map(\.label.count).max() ?? 0) + 2
        let columns: [(String, Int)] = [
            ("median s", 9), ("min s", 8), ("max s", 8), ("MiB/s", 9), ("CPU s/GiB", 11), ("sys CPU s/GiB", 15),
            ("read MiB", 11), ("write MiB", 11), ("agent MiB", 11),
        ]
        lines.append(TextFormat.padRight("case", nameWidth) + columns.map { TextFormat.padLeft($0.0, $0.1) }.joined())
        for benchCase in cases {
            let name = TextFormat.padRight(benchCase.label, nameWidth)
            switch benchCase.status {
            case .skipped:
                lines.append(name + "skipped: " + (benchCase.skipReason ?? ""))
            case .failed:
                let failure = benchCase.failure
                let when = failure.map { $0.run == 0 ? "in the warm-up" : "in run \($0.run)" } ?? ""
                lines.append(name + "FAILED \(when): " + (failure?.message ?? ""))
            case .ok:
                guard let s = benchCase.summary else {
                    lines.append(name + "no runs")
                    continue
                }
                let mib = Double(1 << 20)
                let cells = [
                    TextFormat.fixed(s.seconds.median, 3), TextFormat.fixed(s.seconds.min, 3), TextFormat.fixed(s.seconds.max, 3),
                    TextFormat.fixed(s.bytesPerSecond.median / mib, 0),
                    TextFormat.fixed(s.cpuSecondsPerGiB.median, 3), TextFormat.fixed(s.systemCPUSecondsPerGiB.median, 3),
                    TextFormat.fixed(s.readBytes.median / mib, 0), TextFormat.fixed(s.writeBytes.median / mib, 0),
                    s.bufferedBytes.map { TextFormat.fixed($0.median / mib, 0) } ?? "-",
                ]
                lines.append(name + zip(cells, columns).map { TextFormat.padLeft($0.0, $0.1.1) }.joined())
            }
        }
        let notes = cases.compactMap { c in c.note.map { "  \(c.label): \($0)" } }
        if !notes.isEmpty {
            lines.append("")
            lines.append("notes:")
            lines += notes
        }
        lines.append("")
        lines.append("Medians over the timed runs; each run ends with the destination's fdatasync. CPU s/GiB: user+system")
        lines.append("CPU of the copying process (the tool with its children, or ssc-agent itself); sys CPU s/GiB: busy")
        lines.append("CPU of the whole machine over the run (/proc/stat, anything else running included); read/write MiB:")
        lines.append("block-layer bytes of the copying process (/proc/self/io read_bytes/write_bytes); agent MiB: bytes")
        lines.append("through ssc-agent's own buffers.")
        return lines.joined(separator: "\n")
    }

    static func describe(_ endpoint: PairFacts.Endpoint) -> String {
        var text = endpoint.kind == .block ? "block device" : (endpoint.fstype ?? "file")
        if endpoint.kind == .block, endpoint.scsi != nil { text = "SCSI " + text }
        text += endpoint.directIO != nil ? " (O_DIRECT)" : " (buffered only)"
        return text
    }
}
