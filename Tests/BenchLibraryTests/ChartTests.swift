import Backends
import FoundationXML
import XCTest

@testable import Bench

final class ChartTests: XCTestCase {
    func testLinearScaleEndsOnARoundTick() {
        let scale = ChartScale(covering: [120, 980, 1134])
        XCTAssertFalse(scale.isLogarithmic)
        XCTAssertEqual(scale.lower, 0)
        // 1134 / 5 rounds up to a step of 500.
        XCTAssertEqual(scale.upper, 1500)
        XCTAssertEqual(scale.ticks, [0, 500, 1000, 1500])
        XCTAssertEqual(scale.fraction(600), 0.4, accuracy: 1e-12)
        XCTAssertEqual(scale.fraction(5000), 1)
        XCTAssertEqual(scale.fraction(-1), 0)
    }

    /// A reflink at hundreds of GiB/s beside streaming copies: whole decades, log scale.
    func testWideRangeTurnsLogarithmic() {
        let scale = ChartScale(covering: [785, 1134, 226_306])
        XCTAssertTrue(scale.isLogarithmic)
        XCTAssertEqual(scale.lower, 100)
        XCTAssertEqual(scale.upper, 1_000_000)
        XCTAssertEqual(scale.ticks, [100, 1000, 10000, 100_000, 1_000_000])
        XCTAssertEqual(scale.fraction(1000), 0.25, accuracy: 1e-12)
        XCTAssertEqual(scale.fraction(0), 0)
    }

    func testNoPositiveValuesGiveAUnitScale() {
        XCTAssertEqual(ChartScale(covering: [0, 0]), ChartScale(lower: 0, upper: 1, isLogarithmic: false))
        XCTAssertEqual(ChartScale(covering: []), ChartScale(lower: 0, upper: 1, isLogarithmic: false))
    }

    func testEscapingLeavesNoMarkup() {
        XCTAssertEqual(BenchChart.escaped("a<b & \"c\" 'd'>\u{1}"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
    }

    /// Paths with markup characters, a failed and a skipped case, a zero CPU figure:
    /// still one well-formed SVG document whose texts carry the labels and paths.
    func testChartOfAwkwardReportIsWellFormedSVG() throws {
        let report = Self.report(source: "/mnt/<a&b>/src \"1\"", destination: "/mnt/x'y/dst")
        let svg = BenchChart(report).svg
        let collector = TextCollector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "") \(svg)")
        XCTAssertEqual(collector.root, "svg")
        XCTAssertEqual(collector.namespace, "http://www.w3.org/2000/svg")
        let texts = collector.texts.joined(separator: "\n")
        for expected in ["aio", "copy_file_range", "dd bs=1M O_DIRECT", "/mnt/<a&b>/src \"1\"", "reflink — skipped: not here", "failed: boom"] {
            XCTAssertTrue(texts.contains(expected), "missing \(expected) in \(texts)")
        }
        // Three measured cases: one throughput bar each, two CPU bars each.
        XCTAssertGreaterThanOrEqual(collector.rectangles, 1 + 3 + 6)
    }

    static func report(source: String, destination: String) -> BenchReport {
        func endpoint(_ path: String) -> PairFacts.Endpoint {
            PairFacts.Endpoint(
                path: path, kind: .regular, fstype: "ext4", device: "7:1", directIO: nil,
                scsi: nil, logicalBlockSize: nil)
        }
        func run(_ seconds: Double, cpu: Double, system: Double, buffered: UInt64?) -> RunMeasurement {
            RunMeasurement(
                seconds: seconds, bytes: 1 << 30, cpu: CPUTime(user: cpu / 2, system: cpu / 2), systemCPUSeconds: system,
                io: IOCounters(readBytes: 1 << 30, writeBytes: 1 << 30), bufferedBytes: buffered)
        }
        var reflink = BenchCase(name: "reflink", kind: .backend, label: "reflink")
        reflink.skip("not here")
        var cfr = BenchCase(name: "copy_file_range", kind: .backend, label: "copy_file_range")
        cfr.runs = [run(0.7, cpu: 0.3, system: 0, buffered: 0), run(0.8, cpu: 0.35, system: 0.5, buffered: 0)]
        var aio = BenchCase(name: "aio", kind: .backend, label: "aio")
        aio.runs = [run(0.9, cpu: 0.1, system: 0.4, buffered: 1 << 30)]
        var dd = BenchCase(name: "dd", kind: .tool, label: "dd bs=1M O_DIRECT", tool: .dd, command: ["/usr/bin/dd"])
        dd.runs = [run(1.3, cpu: 0.12, system: 0.3, buffered: nil)]
        var cp = BenchCase(name: "cp", kind: .tool, label: "cp --reflink=never", tool: .cp, command: ["/usr/bin/cp"])
        cp.fail(CaseFailure(message: "boom", run: 2, exitStatus: 1))
        let facts = PairFacts(source: endpoint(source), destination: endpoint(destination), size: 1 << 30)
        return BenchReport(
            facts: facts, runs: 2, cold: true, host: HostInfo(kernel: "6.1", cpus: 2, ticksPerSecond: 100, loadAverage: [0.1, 0.2, 0.3]),
            cases: [reflink, cfr, aio, dd, cp])
    }
}

private final class TextCollector: NSObject, XMLParserDelegate {
    var root: String?
    var namespace: String?
    var texts: [String] = []
    var rectangles = 0
    private var current = ""
    private var inText = false

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if root == nil {
            root = elementName
            namespace = attributes["xmlns"]
        }
        if elementName == "rect" { rectangles += 1 }
        if elementName == "text" || elementName == "title" {
            inText = true
            current = ""
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { current += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == "text" || elementName == "title" {
            texts.append(current)
            inText = false
        }
    }
}
