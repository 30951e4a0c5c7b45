import ArgumentParser
import Backends
import Profiles
import Bench
import Glibc
import JSON

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Copy SRC to DST with each backend (and external tools) several times and compare them.",
        discussion: """
            Every backend that can serve the pair (or those named with --backends) copies the whole \
            of SRC to DST once untimed, then --runs times, in rounds. Each run ends with the \
            destination's fdatasync inside the timing. Per run: wall time, throughput, the copying \
            process's CPU, the whole machine's busy CPU (/proc/stat), the block-layer bytes the \
            process read and wrote (/proc/self/io), and the bytes through ssc-agent's own buffers. \
            DST is scratch: a regular file there is replaced before each run and removed at the \
            end; a block device is overwritten. A backend or tool that fails is reported and the \
            others go on; the exit status is then 1.
            """
    )

    @Argument(help: "Source: a regular file or a block device (read only).")
    var source: String

    @Argument(help: "Destination: a regular file (replaced, then removed) or a block device (overwritten).")
    var destination: String

    @Option(name: .customLong("backends"), help: "Comma-separated backends to run (reflink, copy_file_range, xcopy, aio); default: every one that can serve the pair.")
    var backendList: String?

    @Option(help: "Timed runs per backend and tool, after one warm-up run.")
    var runs: Int = 5

    @Flag(help: "Drop the page cache before each timed run (needs root).")
    var cold = false

    @Option(name: .customLong("compare"), help: "Comma-separated external tools to run too: cp, dd, fio, sg_xcopy.")
    var compareList: String?

    @Flag(help: "Print one JSON object (schema: docs/bench.schema.json) instead of the table.")
    var json = false

    @Option(name: .customLong("chart"), help: "Also write an SVG bar chart of throughput and CPU per GiB to this file.")
    var chart: String?

    @OptionGroup var profiles: ProfileOptions

    func run() throws {
        let options: BenchOptions
        do {
            options = try makeOptions()
        } catch {
            fail(error.message)
        }
        let progress = BenchProgressLine(enabled: Output.isTerminal(STDERR_FILENO))
        let report: BenchReport
        do {
            // Each backend runs with the tunables the pair's profiles choose.
            let engine = CopyEngine(selector: ProfileSelector(store: profiles.store()))
            report = try BenchRunner(options, engine: engine).run(observer: progress)
            progress.clear()
        } catch {
            progress.clear()
            fail(error.message)
        }
        if json {
            Output.printJSON(report.json)
        } else {
            Output.writeLine(report.table, to: STDOUT_FILENO)
        }
        if let chart {
            do throws(BenchError) {
                try ChartFile.write(BenchChart(report).svg, to: chart)
            } catch {
                Output.printError(error.message)
                throw ExitCode.failure
            }
        }
        if !report.ok {
            let failed = report.failedCases.map { "\($0.label) (\($0.failure?.message ?? "failed"))" }
            Output.printError("bench: \(failed.count) of \(report.cases.count) cases failed: " + failed.joined(separator: "; "))
            throw ExitCode.failure
        }
    }

    /// Checks everything that can be checked before the first run, so a typo does not
    /// cost a whole bench.
    private func makeOptions() throws(BenchError) -> BenchOptions {
        guard (1...1000).contains(runs) else { throw BenchError("--runs must be between 1 and 1000, not \(runs)") }
        let backends = try backendList.map { (list) throws(BenchError) in
            try Self.parseList(list, option: "--backends", known: BackendName.allCases.map(\.rawValue)).map { BackendName(rawValue: $0)! }
        }
        let tools = try compareList.map { (list) throws(BenchError) in
            try Self.parseList(list, option: "--compare", known: ToolName.allCases.map(\.rawValue)).map { ToolName(rawValue: $0)! }
        } ?? []
        if let chart { try ChartFile.checkWritable(chart) }
        return BenchOptions(source: source, destination: destination, backends: backends, tools: tools, runs: runs, cold: cold)
    }

    /// "a,b" → ["a", "b"]: each name known, none twice, none empty.
    static func parseList(_ list: String, option: String, known: [String]) throws(BenchError) -> [String] {
        let names = list.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmed }
        var seen: [String] = []
        for name in names {
            guard !name.isEmpty else { throw BenchError("\(option): an empty name in \"\(list)\"") }
            guard known.contains(name) else {
                throw BenchError("\(option): unknown name \"\(name)\" (known: \(known.joined(separator: ", ")))")
            }
            guard !seen.contains(name) else { throw BenchError("\(option): \"\(name)\" is named twice") }
            seen.append(name)
        }
        return seen
    }

    /// One line on stderr (and with --json, the same as one object on stdout), exit 1.
    private func fail(_ message: String) -> Never {
        if json {
            Output.printJSON(.object([
                ("version", .integer(BenchReport.jsonVersion)), ("ok", false), ("error", .object([("message", .string(message))])),
            ]))
        }
        Output.printError(message)
        BenchCommand.exit(withError: ExitCode.failure)
    }
}

extension String {
    fileprivate var trimmed: String {
        var s = Substring(self)
        while let c = s.first, c == " " { s = s.dropFirst() }
        while let c = s.last, c == " " { s = s.dropLast() }
        return String(s)
    }
}
