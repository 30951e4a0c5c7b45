import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Base class: one `Lab` (mounted filesystems, loop devices) per test class, built by the
/// subclass's `prepare(_:)` on the first test and torn down in the class teardown. A setup
/// failure (no root, a missing tool, no binary, a failing mkfs) fails every test of the
/// class with the reason; nothing is skipped.
class CLITestCase: XCTestCase {
    /// Subclasses build their filesystems and devices here.
    class func prepare(_ lab: Lab) throws {}

    /// A short name for the lab directory.
    class var labLabel: String { String(describing: self) }

    nonisolated(unsafe) private static var labs: [ObjectIdentifier: Result<Lab, HarnessError>] = [:]

    private(set) var lab: Lab!

    /// Builds (once per class) or fetches the lab and checks the binary. A problem is
    /// recorded as a plain failure of the test and its body is not run: throwing from
    /// setUpWithError would make swift-corelibs-xctest also count the test as skipped.
    override func invokeTest() {
        continueAfterFailure = true
        do {
            lab = try Self.sharedLab(for: type(of: self))
            _ = try Agent.binary()
        } catch {
            XCTFail("CLITests setup failed: \(error)")
            return
        }
        super.invokeTest()
    }

    private static func sharedLab(for type: CLITestCase.Type) throws -> Lab {
        let key = ObjectIdentifier(type)
        if labs[key] == nil {
            labs[key] = Result {
                let lab = try Lab(label: type.labLabel)
                do {
                    try type.prepare(lab)
                } catch {
                    lab.tearDown()
                    throw error
                }
                return lab
            }.mapError { ($0 as? HarnessError) ?? HarnessError("\($0)") }
        }
        return try labs[key]!.get()
    }

    override class func tearDown() {
        if case .success(let lab)? = CLITestCase.labs.removeValue(forKey: ObjectIdentifier(self)) {
            lab.tearDown()
        }
        super.tearDown()
    }

    func fs(_ name: String) -> MountedFS {
        guard let fs = lab.filesystems[name] else { fatalError("test bug: no filesystem \(name) in \(type(of: self))") }
        return fs
    }

    func device(_ name: String) -> String {
        guard let device = lab.devices[name] else { fatalError("test bug: no device \(name) in \(type(of: self))") }
        return device
    }

    // MARK: running the binary

    /// `ssc-agent copy SRC DST ARGS... --json`.
    func copy(_ src: String, _ dst: String, _ arguments: [String] = [], json: Bool = true, timeout: TimeInterval = 900) throws -> AgentRun {
        try Agent.run(["copy", src, dst] + arguments + (json ? ["--json"] : []), timeout: timeout)
    }

    /// `ssc-agent clone SRC DST ARGS... --json`.
    func clone(_ src: String, _ dst: String, _ arguments: [String] = [], timeout: TimeInterval = 900) throws -> AgentRun {
        try Agent.run(["clone", src, dst] + arguments + ["--json"], timeout: timeout)
    }

    // MARK: result assertions

    /// Asserts a successful `--json` copy: exit 0, one JSON object, ok true, bytes and
    /// count as expected, short false, a known backend (`backend` if given), `committed`,
    /// `skipped` well formed, `direct` present exactly for aio, `seconds` a number.
    @discardableResult
    func assertCopied(
        _ run: AgentRun, bytes: Int64, backend: String? = nil, committed: String = "UNSTABLE",
        file: StaticString = #filePath, line: UInt = #line
    ) -> CopyReport? {
        XCTAssertFalse(run.process.timedOut, "ssc-agent hung: \(run)", file: file, line: line)
        XCTAssertEqual(run.status, 0, "expected exit 0: \(run)", file: file, line: line)
        let object: [String: Any]
        switch run.json {
        case .failure(let problem):
            XCTFail("\(problem): \(run)", file: file, line: line)
            return nil
        case .success(let value): object = value
        }
        let report = CopyReport(object)
        let context = "\(report.text)\n\(run)"
        XCTAssertEqual(report.ok, true, "ok: \(context)", file: file, line: line)
        XCTAssertEqual(report.bytes, bytes, "bytes: \(context)", file: file, line: line)
        XCTAssertEqual(report.count, bytes, "count: \(context)", file: file, line: line)
        XCTAssertEqual(report.short, false, "short: \(context)", file: file, line: line)
        XCTAssertEqual(report.committed, committed, "committed: \(context)", file: file, line: line)
        XCTAssertNotNil(report.seconds, "seconds must be a number: \(context)", file: file, line: line)
        let known = ["reflink", "copy_file_range", "xcopy", "aio"]
        XCTAssertTrue(known.contains(report.backend ?? ""), "backend must be one of \(known): \(context)", file: file, line: line)
        if let backend {
            XCTAssertEqual(report.backend, backend, "backend: \(context)", file: file, line: line)
        }
        if let skipped = report.skipped {
            for entry in skipped {
                XCTAssertTrue(known.contains(entry.backend), "skipped backend name: \(context)", file: file, line: line)
                XCTAssertFalse(entry.reason.isEmpty, "a skipped backend needs a reason: \(context)", file: file, line: line)
            }
            XCTAssertFalse(report.skippedNames.contains(report.backend ?? ""), "the chosen backend is also listed as skipped: \(context)", file: file, line: line)
        } else {
            XCTFail("skipped must be a list of {backend, reason}: \(context)", file: file, line: line)
        }
        if report.backend == "aio" {
            // Present only for aio; the tests that care assert its values explicitly.
            if report.hasDirect {
                XCTAssertNotNil(report.directSource, "direct.source must be a bool: \(context)", file: file, line: line)
                XCTAssertNotNil(report.directDestination, "direct.destination must be a bool: \(context)", file: file, line: line)
            }
        } else {
            XCTAssertFalse(report.hasDirect, "direct is only for aio: \(context)", file: file, line: line)
        }
        return report
    }

    /// Asserts a failed `--json` copy/clone: exit 1, ok false, the error kind, its NFSv4
    /// status (from DESIGN.md unless given), a message, and `bytes` when reported.
    @discardableResult
    func assertFailed(
        _ run: AgentRun, kind: String, nfs4: String? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) -> CopyReport? {
        XCTAssertFalse(run.process.timedOut, "ssc-agent hung: \(run)", file: file, line: line)
        XCTAssertEqual(run.status, 1, "expected exit 1: \(run)", file: file, line: line)
        let object: [String: Any]
        switch run.json {
        case .failure(let problem):
            XCTFail("\(problem): \(run)", file: file, line: line)
            return nil
        case .success(let value): object = value
        }
        let report = CopyReport(object)
        let context = "\(report.text)\n\(run)"
        XCTAssertEqual(report.ok, false, "ok: \(context)", file: file, line: line)
        XCTAssertNotNil(report.error, "error object: \(context)", file: file, line: line)
        XCTAssertEqual(report.errorKind, kind, "error.kind: \(context)", file: file, line: line)
        XCTAssertEqual(report.errorNFS4, nfs4 ?? CLITestCase.nfs4[kind], "error.nfs4: \(context)", file: file, line: line)
        XCTAssertFalse((report.errorMessage ?? "").isEmpty, "error.message: \(context)", file: file, line: line)
        // `copy` falls back and says what it passed over; `clone` is reflink only.
        if run.process.command.dropFirst().first == "copy" {
            XCTAssertNotNil(report.skipped, "skipped must be a list of {backend, reason}: \(context)", file: file, line: line)
        }
        if report.error?["bytes"] != nil {
            XCTAssertGreaterThanOrEqual(report.errorBytes ?? -1, 0, "error.bytes must be a count: \(context)", file: file, line: line)
        }
        return report
    }

    /// Pages an O_DIRECT copy may leave in the page cache: a few stray pages (e.g. one
    /// buffered unaligned tail), never a noticeable part of the data.
    static let residentSlack: Int64 = 256 * KiB

    /// `path` has (almost) nothing in the page cache (O_DIRECT confirmed independently of
    /// what the agent reports). Devices need a `Files.Holder` opened before the copy.
    func assertNotCached(_ path: String, holder: Files.Holder? = nil, copied: Int64, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let resident = try Files.residentBytes(path, holder: holder)
            XCTAssertLessThanOrEqual(
                resident, CLITestCase.residentSlack,
                "\(path) has \(resident) bytes in the page cache after a \(copied)-byte copy that claimed O_DIRECT",
                file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    static let nfs4: [String: String] = [
        "invalid": "NFS4ERR_INVAL", "busy": "NFS4ERR_DELAY", "not_supported": "NFS4ERR_NOTSUPP",
        "denied": "NFS4ERR_OFFLOAD_DENIED", "access": "NFS4ERR_ACCESS", "exists": "NFS4ERR_EXIST",
        "xdev": "NFS4ERR_XDEV", "wrong_type": "NFS4ERR_WRONG_TYPE", "nospace": "NFS4ERR_NOSPC",
        "quota": "NFS4ERR_DQUOT", "fbig": "NFS4ERR_FBIG", "rofs": "NFS4ERR_ROFS", "stale": "NFS4ERR_STALE",
        "io": "NFS4ERR_IO", "internal": "NFS4ERR_SERVERFAULT",
    ]

    /// A failure without --json: exit 1 and exactly one line `ssc-agent: ...` on stderr
    /// that names `naming` (a path or its last component).
    func assertOneLineError(_ run: AgentRun, naming: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(run.process.timedOut, "ssc-agent hung: \(run)", file: file, line: line)
        XCTAssertEqual(run.status, 1, "expected exit 1: \(run)", file: file, line: line)
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        let trimmed = lines.last == "" ? Array(lines.dropLast()) : lines
        XCTAssertEqual(trimmed.count, 1, "stderr must be exactly one line: \(run)", file: file, line: line)
        let text = trimmed.first.map(String.init) ?? ""
        XCTAssertTrue(text.hasPrefix("ssc-agent: "), "stderr must start with 'ssc-agent: ': \(run)", file: file, line: line)
        let base = (naming as NSString).lastPathComponent
        XCTAssertTrue(text.contains(naming) || text.contains(base), "stderr must name \(naming): \(run)", file: file, line: line)
    }

    /// The chosen backend was not the first: `skipped` names each of `names`.
    func assertSkipped(_ report: CopyReport?, _ names: [String], file: StaticString = #filePath, line: UInt = #line) {
        guard let report else { return }
        for name in names {
            XCTAssertTrue(report.skippedNames.contains(name), "skipped must name \(name): \(report.text)", file: file, line: line)
        }
    }

    // MARK: data assertions

    /// Full byte compare of `count` bytes: `src`@`srcOffset` vs `dst`@`dstOffset`.
    func assertSameBytes(
        _ src: String, _ srcOffset: Int64 = 0, _ dst: String, _ dstOffset: Int64 = 0, count: Int64,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            if let difference = try Files.compare(src, srcOffset, dst, dstOffset, count: count) {
                XCTFail("data differs: \(difference)", file: file, line: line)
            }
        } catch {
            XCTFail("cannot compare \(src) and \(dst): \(error)", file: file, line: line)
        }
    }

    /// Every byte of [offset, offset+length) of `path` equals `byte`.
    func assertBytes(_ path: String, at offset: Int64, length: Int64, allEqual byte: UInt8, file: StaticString = #filePath, line: UInt = #line) {
        guard length > 0 else { return }
        do {
            if let problem = try Files.check(path, at: offset, length: length, allEqual: byte) {
                XCTFail(problem, file: file, line: line)
            }
        } catch {
            XCTFail("cannot read \(path): \(error)", file: file, line: line)
        }
    }

    func assertSize(_ path: String, _ expected: Int64, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try Files.size(path), expected, "size of \(path)", file: file, line: line)
    }

    /// Size equals the source's and every byte is the same.
    func assertIdentical(_ src: String, _ dst: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let size = try Files.size(src)
            assertSize(dst, size, file: file, line: line)
            assertSameBytes(src, 0, dst, 0, count: size, file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    /// Both files' extents carry FIEMAP_EXTENT_SHARED over (at least) their first `length` bytes.
    func assertSharedExtents(_ paths: [String], covering length: Int64, file: StaticString = #filePath, line: UInt = #line) {
        for path in paths {
            do {
                let map = try Files.fiemap(path)
                XCTAssertGreaterThan(map.extents, 0, "\(path) has no extents", file: file, line: line)
                XCTAssertGreaterThanOrEqual(
                    Int64(map.shared_bytes), length,
                    "\(path): shared \(map.shared_bytes) bytes in \(map.shared_extents)/\(map.extents) extents (mapped \(map.mapped_bytes)), expected at least \(length) shared",
                    file: file, line: line)
            } catch {
                XCTFail("\(error)", file: file, line: line)
            }
        }
    }

    /// Hash of a file for "unchanged" checks.
    func hash(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            return try Files.sha256(path)
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return "unreadable"
        }
    }
}
