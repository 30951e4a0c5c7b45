import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `ssc-agent bench` on loop-mounted ext4 and btrfs, a tiny tmpfs and loop block
/// devices: the numbers are sane, the bytes through the agent's buffers are what each
/// backend does, the JSON validates against docs/bench.schema.json, the chart parses
/// as SVG, and a failing backend or tool is reported while the others go on.
final class BenchTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.ext4, "ext4", size: 1 * GiB)
        try lab.filesystem(.btrfs, "btrfs", size: 1 * GiB)
        try lab.tmpfs("tiny", size: 4 * MiB)
        try lab.loopDevice("blockA", size: 64 * MiB)
        try lab.loopDevice("blockB", size: 64 * MiB)
    }

    /// Large enough for fio's millisecond job times and whole 1 MiB requests.
    static let size: Int64 = 32 * MiB

    // MARK: sane numbers

    func testExt4BenchGivesSaneNumbersForEveryBackendAndTool() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("ext4"), "dst")
        let chart = lab.scratch + "/" + lab.fresh("ext4") + ".svg"
        try Files.createRandom(src, size: Self.size)
        let run = try bench(src, dst, ["--runs", "3", "--compare", "cp,dd,fio,sg_xcopy", "--chart", chart])
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertTrue(run.stderr.isEmpty, "no progress or errors on stderr when it is not a terminal: \(run)")
        guard let report = assertValidReport(run, runs: 3, ok: true) else { return }
        XCTAssertEqual(report.names, ["reflink", "copy_file_range", "xcopy", "aio", "cp", "dd", "fio", "sg_xcopy"], "\(run)")
        XCTAssertEqual(report["reflink"]?.status, "skipped")
        XCTAssertEqual(report["xcopy"]?.status, "skipped")
        XCTAssertTrue(report["sg_xcopy"]?.reason?.contains("SCSI") == true, "sg_xcopy needs SCSI LUNs: \(run)")
        for name in ["copy_file_range", "aio", "cp", "dd", "fio"] {
            XCTAssertEqual(report[name]?.status, "ok", "\(name): \(run)")
        }
        let aio = report["aio"]!
        XCTAssertEqual(aio.bufferedBytes, [Self.size, Self.size, Self.size], "aio streams every byte through the agent's buffers")
        XCTAssertEqual(aio.direct, ["source": true, "destination": true])
        // O_DIRECT goes to the block layer both ways: the counters must see the data.
        for (read, written) in zip(aio.runValues("read_bytes"), aio.runValues("write_bytes")) {
            XCTAssertGreaterThanOrEqual(read, Self.size, "aio read_bytes: \(run)")
            XCTAssertGreaterThanOrEqual(written, Self.size, "aio write_bytes: \(run)")
        }
        XCTAssertEqual(report["copy_file_range"]?.bufferedBytes, [0, 0, 0], "copy_file_range moves data in the kernel")
        XCTAssertEqual(report["dd"]?.label, "dd bs=1M O_DIRECT")
        for read in report["dd"]!.runValues("read_bytes") {
            XCTAssertGreaterThanOrEqual(read, Self.size, "dd iflag=direct reads from the device: \(run)")
        }
        for name in ["cp", "dd", "fio"] {
            XCTAssertEqual(report[name]?.bufferedBytes, [nil, nil, nil], "\(name): no agent buffers in a tool")
            XCTAssertFalse(report[name]?.command.isEmpty ?? true, "\(name) shows its command")
        }
        XCTAssertFalse(Files.exists(dst), "the bench removes its scratch destination")
        assertWellFormedChart(chart, labels: ["copy_file_range", "aio", "cp --reflink=never", "dd bs=1M O_DIRECT", "fio read+write O_DIRECT"])
    }

    func testBtrfsReflinkAndCopyFileRangeMoveNothingThroughTheAgent() throws {
        let src = lab.fresh(on: fs("btrfs"), "src")
        let dst = lab.fresh(on: fs("btrfs"), "dst")
        try Files.createRandom(src, size: Self.size)
        Files.fsync(src)
        let run = try bench(src, dst, ["--runs", "3", "--compare", "cp"])
        XCTAssertEqual(run.status, 0, "\(run)")
        guard let report = assertValidReport(run, runs: 3, ok: true) else { return }
        XCTAssertEqual(report.names, ["reflink", "copy_file_range", "xcopy", "aio", "cp", "cp-reflink-auto"], "\(run)")
        XCTAssertEqual(report["reflink"]?.bufferedBytes, [0, 0, 0])
        XCTAssertEqual(report["copy_file_range"]?.bufferedBytes, [0, 0, 0])
        XCTAssertEqual(report["aio"]?.bufferedBytes, [Self.size, Self.size, Self.size])
        // A clone dirties no data pages; a real copy dirties all of them.
        for written in report["reflink"]!.runValues("write_bytes") + report["cp-reflink-auto"]!.runValues("write_bytes") {
            XCTAssertLessThan(written, Self.size / 4, "a clone writes (almost) nothing: \(run)")
        }
        for written in report["cp"]!.runValues("write_bytes") {
            XCTAssertGreaterThanOrEqual(written, Self.size, "cp --reflink=never writes the data: \(run)")
        }
        XCTAssertEqual(report["cp"]?.label, "cp --reflink=never")
        XCTAssertNotNil(report["cp"]?.note, "cp --reflink=never says cp would clone by default")
    }

    func testBlockDevicesAreBenchedWithAioAndDd() throws {
        let a = device("blockA"), b = device("blockB")
        try Files.writeRandom(a, length: 64 * MiB)
        let run = try bench(a, b, ["--runs", "2", "--compare", "dd,sg_xcopy"])
        XCTAssertEqual(run.status, 0, "\(run)")
        guard let report = assertValidReport(run, runs: 2, ok: true) else { return }
        XCTAssertEqual(report.bytes, 64 * MiB)
        XCTAssertEqual(report.raw["source"].flatMap { ($0 as? [String: Any])?["type"] as? String }, "block")
        for name in ["reflink", "copy_file_range", "xcopy", "sg_xcopy"] {
            XCTAssertEqual(report[name]?.status, "skipped", "\(name) cannot serve two loop devices: \(run)")
        }
        XCTAssertEqual(report["aio"]?.status, "ok")
        XCTAssertEqual(report["aio"]?.bufferedBytes, [64 * MiB, 64 * MiB])
        XCTAssertEqual(report["dd"]?.status, "ok")
        assertSameBytes(a, 0, b, 0, count: 64 * MiB)
    }

    // MARK: failures

    /// reflink forced on ext4 fails before any byte moves; aio still runs every round.
    func testFailingBackendIsReportedAndTheRunGoesOn() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 8 * MiB)
        let run = try bench(src, dst, ["--backends", "reflink,aio", "--runs", "2"])
        XCTAssertEqual(run.status, 1, "a failed case makes the exit status 1: \(run)")
        guard let report = assertValidReport(run, runs: 2, ok: false) else { return }
        XCTAssertEqual(report.names, ["reflink", "aio"])
        let reflink = report["reflink"]!
        XCTAssertEqual(reflink.status, "failed")
        XCTAssertEqual(reflink.error?["kind"] as? String, "not_supported", "\(run)")
        XCTAssertEqual(reflink.error?["run"] as? Int, 0, "it failed in the warm-up")
        XCTAssertTrue(reflink.reason?.contains("reflink") == true, "\(run)")
        XCTAssertEqual(reflink.runCount, 0)
        XCTAssertEqual(report["aio"]?.status, "ok")
        XCTAssertEqual(report["aio"]?.runCount, 2)
        assertOneLineError(run, naming: "reflink")

        let table = try bench(src, dst, ["--backends", "reflink,aio", "--runs", "2"], json: false)
        XCTAssertEqual(table.status, 1, "\(table)")
        let rows = table.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(rows.contains { $0.hasPrefix("reflink") && $0.contains("FAILED in the warm-up") && $0.contains("EOPNOTSUPP") }, "\(table)")
        XCTAssertTrue(rows.contains { $0.hasPrefix("aio") && $0.split(separator: " ").count == 10 }, "aio has its nine figures: \(table)")
        assertOneLineError(table, naming: "reflink")
    }

    /// Into a 4 MiB tmpfs a 32 MiB copy runs out of space for real: aio fails with the
    /// bytes in place, cp and dd exit non-zero; each is reported, none stops the others.
    func testBackendAndToolsRunningOutOfSpaceAreReported() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("tiny"), "dst")
        try Files.createRandom(src, size: Self.size)
        let run = try bench(src, dst, ["--runs", "2", "--compare", "cp,dd"])
        XCTAssertEqual(run.status, 1, "\(run)")
        guard let report = assertValidReport(run, runs: 2, ok: false) else { return }
        XCTAssertEqual(report.names, ["reflink", "copy_file_range", "xcopy", "aio", "cp", "dd"], "\(run)")
        let aio = report["aio"]!
        XCTAssertEqual(aio.status, "failed", "\(run)")
        XCTAssertEqual(aio.error?["kind"] as? String, "nospace", "\(run)")
        XCTAssertEqual(aio.error?["nfs4"] as? String, "NFS4ERR_NOSPC", "\(run)")
        for name in ["cp", "dd"] {
            let tool = report[name]!
            XCTAssertEqual(tool.status, "failed", "\(name): \(run)")
            XCTAssertEqual(tool.error?["exit_status"] as? Int, 1, "\(name): \(run)")
            XCTAssertTrue(tool.reason?.contains("No space left on device") == true, "\(name) says why: \(run)")
        }
        XCTAssertFalse(Files.exists(dst), "the failed copies' destination is removed: \(run)")
    }

    // MARK: cache

    /// copy_file_range reads through the page cache: warm, the source comes from memory;
    /// with --cold every run reads it from the device (proof the cache was dropped and
    /// the counters see it).
    func testColdRunsReadTheSourceFromTheDevice() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: Self.size)
        let warm = try bench(src, dst, ["--backends", "copy_file_range", "--runs", "2"])
        guard let warmReport = assertValidReport(warm, runs: 2, ok: true) else { return }
        XCTAssertEqual(warmReport.raw["cold"] as? Bool, false)
        for read in warmReport["copy_file_range"]!.runValues("read_bytes") {
            XCTAssertLessThan(read, Self.size / 2, "warm: the source is in the page cache: \(warm)")
        }
        let cold = try bench(src, dst, ["--backends", "copy_file_range", "--runs", "2", "--cold"])
        guard let coldReport = assertValidReport(cold, runs: 2, ok: true) else { return }
        XCTAssertEqual(coldReport.raw["cold"] as? Bool, true)
        for read in coldReport["copy_file_range"]!.runValues("read_bytes") {
            XCTAssertGreaterThanOrEqual(read, Self.size, "cold: the source is read from the device: \(cold)")
        }
    }

    /// Dropping the page cache needs root: a user is told so before anything runs.
    func testColdNeedsRoot() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 1 * MiB)
        let user = try Shell.run(
            "setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", try Agent.binary(), "bench", src, dst, "--cold"],
            timeout: 120)
        assertOneLineError(AgentRun(process: user), naming: "--cold")
        XCTAssertTrue(user.stderr.contains("root"), "\(user)")
        XCTAssertFalse(Files.exists(dst), "\(user)")
    }

    // MARK: terminal

    /// Under a pseudo-terminal (script(1)) stderr carries the progress line; the JSON on
    /// stdout (a file) is unaffected.
    func testProgressIsDrawnOnATerminalOnly() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        let dst = lab.fresh(on: fs("ext4"), "dst")
        let out = lab.scratch + "/" + lab.fresh("progress") + ".json"
        try Files.createRandom(src, size: 8 * MiB)
        let command = [try Agent.binary(), "bench", src, dst, "--backends", "aio", "--runs", "2", "--json"]
            .map(Shell.quote).joined(separator: " ") + " >" + Shell.quote(out)
        let terminal = try Shell.run("script", ["-qec", command, "/dev/null"], timeout: 300)
        XCTAssertEqual(terminal.status, 0, "\(terminal)")
        XCTAssertTrue(terminal.stdout.contains("bench: aio, warm-up"), "progress on the terminal: \(terminal)")
        XCTAssertTrue(terminal.stdout.contains("bench: aio, run 2 of 2"), "progress on the terminal: \(terminal)")
        let json = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertEqual(validate(json), [], "stdout stays one JSON document: \(json)")
        XCTAssertFalse(json.contains("bench: aio"), "no progress in the redirected stdout")
    }

    // MARK: bad input

    func testBadInputFailsWithOneLineBeforeAnyRun() throws {
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 1 * MiB)
        let empty = lab.fresh(on: fs("ext4"), "empty")
        try Files.createEmpty(empty)
        let dst = lab.fresh(on: fs("ext4"), "dst")
        let cases: [(arguments: [String], naming: String)] = [
            ([fs("ext4").path("no-such-file"), dst], "no-such-file"),
            ([src, dst, "--backends", "bogus"], "bogus"),
            ([src, dst, "--backends", "aio,aio"], "aio"),
            ([src, dst, "--backends", "aio,"], "--backends"),
            ([src, dst, "--compare", "rsync"], "rsync"),
            ([src, dst, "--runs", "0"], "--runs"),
            ([src, dst, "--runs", "1001"], "--runs"),
            ([empty, dst], empty),
            ([src, src], src),
            ([fs("ext4").mountPoint, dst], fs("ext4").mountPoint),
            (["/dev/null", dst], "/dev/null"),
            ([src, fs("ext4").path("no-such-dir/dst")], "no-such-dir"),
            ([src, dst, "--chart", "/no-such-dir/chart.svg"], "chart.svg"),
            ([src, dst, "--chart", lab.scratch], lab.scratch),
            // The device under the mounted ext4 the source lives on.
            ([src, fs("ext4").source], fs("ext4").source),
        ]
        for (arguments, naming) in cases {
            let run = try Agent.run(["bench"] + arguments, timeout: 120)
            assertOneLineError(run, naming: naming)
            XCTAssertFalse(Files.exists(dst), "a refused bench left \(dst) behind: \(run)")
            let json = try Agent.run(["bench"] + arguments + ["--json"], timeout: 120)
            XCTAssertEqual(json.status, 1, "\(json)")
            XCTAssertEqual(validate(json.stdout), [], "the error object follows the schema: \(json)")
            XCTAssertEqual((try? json.json.get())?["ok"] as? Bool, false, "\(json)")
        }
    }

    // MARK: helpers

    func bench(_ src: String, _ dst: String, _ arguments: [String], json: Bool = true) throws -> AgentRun {
        try Agent.run(["bench", src, dst] + arguments + (json ? ["--json"] : []), timeout: 900)
    }

    /// docs/bench.schema.json, from this file's place in the repository.
    static let schemaPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/bench.schema.json").path

    /// The schema errors of `text` (empty when valid), by python3-jsonschema (Draft
    /// 2020-12, the schema itself checked too). A missing validator is a failure.
    func validate(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator
            schema = json.load(open(sys.argv[1]))
            Draft202012Validator.check_schema(schema)
            document = json.loads(open(sys.argv[2]).read())
            errors = list(Draft202012Validator(schema).iter_errors(document))
            if errors:
                # Inside oneOf/allOf the deepest error says what is wrong.
                error = errors[0]
                while error.context:
                    error = max(error.context, key=lambda e: len(e.absolute_path))
                print("/".join(str(p) for p in error.absolute_path) + ": " + error.message[:400])
            """
        let path = lab.scratch + "/" + lab.fresh("bench") + ".json"
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            defer { unlink(path) }
            let result = try Shell.run("/usr/bin/python3", ["-c", script, Self.schemaPath, path], timeout: 120)
            guard result.status == 0 else {
                XCTFail("schema validation could not run (apt-get install python3-jsonschema): \(result)", file: file, line: line)
                return ["validator failed"]
            }
            return result.stdout.split(separator: "\n").map(String.init)
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return ["\(error)"]
        }
    }

    /// One JSON report on stdout that follows the schema, with `ok` as expected, and for
    /// every case that ran: `runs` runs, each of the whole size in a positive time at a
    /// positive rate, CPU and byte counters not negative, medians between min and max.
    func assertValidReport(_ run: AgentRun, runs: Int, ok: Bool, file: StaticString = #filePath, line: UInt = #line) -> BenchReportView? {
        XCTAssertFalse(run.process.timedOut, "bench hung: \(run)", file: file, line: line)
        XCTAssertEqual(validate(run.stdout, file: file, line: line), [], "schema: \(run)", file: file, line: line)
        guard case .success(let object) = run.json else {
            XCTFail("no JSON object: \(run)", file: file, line: line)
            return nil
        }
        let report = BenchReportView(raw: object)
        XCTAssertEqual(object["ok"] as? Bool, ok, "ok: \(run)", file: file, line: line)
        XCTAssertEqual(object["runs"] as? Int, runs, "runs: \(run)", file: file, line: line)
        let size = report.bytes
        for c in report.cases where c.status == "ok" {
            XCTAssertEqual(c.runCount, runs, "\(c.name) runs: \(run)", file: file, line: line)
            for r in c.runs {
                XCTAssertEqual(JSONNumber.int(r["bytes"]), size, "\(c.name) bytes: \(run)", file: file, line: line)
                XCTAssertGreaterThan(JSONNumber.double(r["seconds"]) ?? 0, 0, "\(c.name) seconds: \(run)", file: file, line: line)
                XCTAssertGreaterThan(JSONNumber.double(r["bytes_per_second"]) ?? 0, 0, "\(c.name) throughput: \(run)", file: file, line: line)
                for key in ["cpu_seconds", "system_cpu_seconds", "read_bytes", "write_bytes"] {
                    XCTAssertGreaterThanOrEqual(JSONNumber.double(r[key]) ?? -1, 0, "\(c.name) \(key): \(run)", file: file, line: line)
                }
            }
            for (key, spread) in c.summary {
                guard let spread = spread as? [String: Any], let median = JSONNumber.double(spread["median"]),
                    let low = JSONNumber.double(spread["min"]), let high = JSONNumber.double(spread["max"])
                else { continue }
                XCTAssertTrue(low <= median && median <= high, "\(c.name) \(key): \(spread)", file: file, line: line)
            }
        }
        return report
    }

    /// The chart parses as XML (python3's xml.etree), its root is an SVG element, and
    /// each label appears in a text element.
    func assertWellFormedChart(_ path: String, labels: [String], file: StaticString = #filePath, line: UInt = #line) {
        let script = """
            import sys
            import xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            ns = "{http://www.w3.org/2000/svg}"
            assert root.tag == ns + "svg", root.tag
            for t in root.iter(ns + "text"):
                print("".join(t.itertext()))
            print("RECTS", len(list(root.iter(ns + "rect"))))
            """
        do {
            let result = try Shell.run("/usr/bin/python3", ["-c", script, path], timeout: 120)
            XCTAssertEqual(result.status, 0, "the chart is not a well-formed SVG document: \(result)", file: file, line: line)
            let texts = result.stdout.split(separator: "\n").map(String.init)
            for label in labels {
                XCTAssertTrue(texts.contains(label), "the chart has no text \(label): \(texts)", file: file, line: line)
            }
            let rects = texts.last.flatMap { Int($0.replacingOccurrences(of: "RECTS ", with: "")) } ?? 0
            XCTAssertGreaterThanOrEqual(rects, 3 * labels.count, "a throughput bar and two CPU bars per case", file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }
}

/// Typed access to a `bench --json` report.
struct BenchReportView {
    let raw: [String: Any]

    var bytes: Int64 { JSONNumber.int(raw["bytes"]) ?? -1 }
    var cases: [BenchCaseView] { (raw["cases"] as? [[String: Any]] ?? []).map(BenchCaseView.init) }
    var names: [String] { cases.map(\.name) }

    subscript(name: String) -> BenchCaseView? { cases.first { $0.name == name } }
}

struct BenchCaseView {
    let raw: [String: Any]

    var name: String { raw["name"] as? String ?? "" }
    var label: String { raw["label"] as? String ?? "" }
    var status: String { raw["status"] as? String ?? "" }
    var reason: String? { raw["reason"] as? String }
    var note: String? { raw["note"] as? String }
    var command: [String] { raw["command"] as? [String] ?? [] }
    var error: [String: Any]? { raw["error"] as? [String: Any] }
    var direct: [String: Bool]? { raw["direct"] as? [String: Bool] }
    var runs: [[String: Any]] { raw["runs"] as? [[String: Any]] ?? [] }
    var runCount: Int { runs.count }
    var summary: [String: Any] { raw["summary"] as? [String: Any] ?? [:] }

    /// `buffered_bytes` of each run (nil where JSON has null).
    var bufferedBytes: [Int64?] { runs.map { JSONNumber.int($0["buffered_bytes"]) } }

    func runValues(_ key: String) -> [Int64] { runs.compactMap { JSONNumber.int($0[key]) } }
}
