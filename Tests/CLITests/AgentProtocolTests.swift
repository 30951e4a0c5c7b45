import Agent
import Foundation
import JSON
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The local-socket protocol against a real `ssc-agent serve` process: every method,
/// descriptors and paths, the descriptor rules, every error kind with its data.nfs4,
/// malformed frames, and concurrency on one connection.
final class AgentProtocolTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.xfs, "xfs", size: 512 * MiB)
        try lab.filesystem(.ext4, "ext4", size: 1536 * MiB)
        try lab.filesystem(.ext4, "small", size: 24 * MiB)
        try lab.filesystem(.xfs, "doomed", size: 320 * MiB)
        try lab.filesystem(.ext4, "readonly", size: 16 * MiB, mountOptions: ["ro"])
    }

    private func startAgent(_ arguments: [String] = []) throws -> RunningAgent {
        let directory = lab.scratch + "/" + lab.fresh("agent")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try RunningAgent(directory: directory, arguments: arguments)
    }

    private func assertKind(_ error: RPCError, _ kind: String, _ nfs4: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(error.kind.rawValue, kind, "kind: \(error.message)", file: file, line: line)
        XCTAssertEqual(error.nfs4, nfs4, "nfs4: \(error.message)", file: file, line: line)
        XCTAssertEqual(error.code, RPCError.code(for: error.kind), "code fixed per kind: \(error.message)", file: file, line: line)
        XCTAssertFalse(error.message.isEmpty, file: file, line: line)
    }

    // MARK: - Methods

    func testHelloReportsProtocolVersionBootIDBackendsAndLimits() throws {
        let agent = try startAgent(["--max-async", "7", "--sync-max-bytes", "1M", "--retention-seconds", "60"])
        let hello = try agent.client().ok("agent.hello", .object([("client", "tests")]))
        XCTAssertEqual(hello["protocol"]?.int64Value, 1)
        XCTAssertEqual(hello["boot_id"]?.stringValue?.count, 32)
        XCTAssertNotNil(hello["version"]?.stringValue)
        XCTAssertEqual(Set(hello["backends"]?.arrayValue?.compactMap(\.stringValue) ?? []), ["reflink", "copy_file_range", "xcopy", "aio"])
        let limits = try XCTUnwrap(hello["limits"])
        XCTAssertEqual(limits["max_async_jobs"]?.int64Value, 7)
        XCTAssertEqual(limits["sync_max_bytes"]?.int64Value, 1 << 20)
        XCTAssertEqual(limits["retention_seconds"]?.int64Value, 60)
        XCTAssertEqual(limits["max_frame_bytes"]?.int64Value, 1 << 20)
        XCTAssertEqual(limits["max_fds_per_frame"]?.int64Value, 4)
    }

    func testSynchronousCopyWithDescriptorsLeavesTheirFlagsAndOffsetsAlone() throws {
        let agent = try startAgent()
        let src = lab.fresh(on: fs("ext4"), "src"), dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 3 * MiB + 123)
        let s = try openFile(src, O_RDONLY), d = try openFile(dst, O_WRONLY | O_CREAT)
        defer { close(s); close(d) }
        lseek(s, 4096, SEEK_SET)
        let flagsBefore = (fcntl(s, F_GETFL), fcntl(d, F_GETFL))
        let result = try agent.client().ok(
            "copy.start", .object([("src", fdRef(0)), ("dst", fdRef(1)), ("synchronous", true), ("stable", true)]), fds: [s, d])
        XCTAssertEqual(result["bytes"]?.int64Value, 3 * MiB + 123)
        XCTAssertEqual(result["short"]?.boolValue, false)
        XCTAssertEqual(result["committed"]?.stringValue, "FILE_SYNC")
        XCTAssertEqual(result["backend"]?.stringValue, "copy_file_range")
        let hello = try agent.client().ok("agent.hello")
        XCTAssertEqual(result["verifier"], hello["boot_id"])
        assertIdentical(src, dst)
        XCTAssertEqual(fcntl(s, F_GETFL), flagsBefore.0, "the source descriptor's status flags changed")
        XCTAssertEqual(fcntl(d, F_GETFL), flagsBefore.1, "the destination descriptor's status flags changed")
        XCTAssertEqual(lseek(s, 0, SEEK_CUR), 4096, "the agent moved the shared file offset")
        XCTAssertEqual(lseek(d, 0, SEEK_CUR), 0, "the agent moved the shared file offset")
    }

    func testCopyWithPathsCreatesTheDestinationAndNeverTruncatesByDefault() throws {
        let agent = try startAgent()
        let src = lab.fresh(on: fs("xfs"), "src"), dst = lab.fresh(on: fs("xfs"), "dst")
        try Files.createRandom(src, size: 1 * MiB)
        let client = try agent.client()
        let result = try client.ok("copy.start", .object([("src", pathRef(src)), ("dst", pathRef(dst)), ("synchronous", true)]))
        XCTAssertEqual(result["bytes"]?.int64Value, 1 * MiB)
        XCTAssertEqual(result["backend"]?.stringValue, "reflink")
        assertIdentical(src, dst)
        XCTAssertEqual(try Files.stat(dst).st_mode & 0o777, 0o644 & ~0o022, "mode 0666 minus the umask")
        // A longer destination keeps its tail (truncate defaults to false).
        let longer = lab.fresh(on: fs("xfs"), "longer")
        try Files.createFilled(longer, size: 2 * MiB, byte: 0x5A)
        _ = try client.ok("copy.start", .object([("src", pathRef(src)), ("dst", pathRef(longer)), ("synchronous", true)]))
        XCTAssertEqual(Int64(try Files.stat(longer).st_size), 2 * MiB)
        XCTAssertNil(try Files.compare(src, 0, longer, 0, count: 1 * MiB))
        XCTAssertNil(try Files.check(longer, at: 1 * MiB, length: 1 * MiB, allEqual: 0x5A))
        // truncate: true cuts it to dst_offset + bytes.
        _ = try client.ok(
            "copy.start", .object([("src", pathRef(src)), ("dst", pathRef(longer)), ("synchronous", true), ("truncate", true)]))
        XCTAssertEqual(Int64(try Files.stat(longer).st_size), 1 * MiB)
    }

    func testSynchronousCopyAboveSyncMaxBytesIsShort() throws {
        let agent = try startAgent(["--sync-max-bytes", "1M"])
        let src = lab.fresh(on: fs("ext4"), "src"), dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 3 * MiB)
        let result = try agent.client().ok(
            "copy.start", .object([("src", pathRef(src)), ("dst", pathRef(dst)), ("synchronous", true), ("src_offset", 4096)]))
        XCTAssertEqual(result["bytes"]?.int64Value, 1 * MiB)
        XCTAssertEqual(result["short"]?.boolValue, true)
        XCTAssertNil(try Files.compare(src, 4096, dst, 0, count: 1 * MiB))
    }

    func testCloneAllOrNothingAndProbe() throws {
        let agent = try startAgent()
        let client = try agent.client()
        let src = lab.fresh(on: fs("xfs"), "src"), dst = lab.fresh(on: fs("xfs"), "dst")
        try Files.createRandom(src, size: 1 * MiB + 100)
        let s = try openFile(src, O_RDONLY), d = try openFile(dst, O_RDWR | O_CREAT)
        defer { close(s); close(d) }
        let cloned = try client.ok("copy.clone", .object([("src", fdRef(0)), ("dst", fdRef(1))]), fds: [s, d])
        XCTAssertEqual(cloned["bytes"]?.int64Value, 1 * MiB + 100)
        assertIdentical(src, dst)
        assertSharedExtents([src, dst], covering: 1 * MiB)
        // Misaligned: invalid, nothing cloned.
        let misaligned = try client.rejection(
            "copy.clone", .object([("src", fdRef(0)), ("dst", fdRef(1)), ("src_offset", 100), ("count", 4096)]), fds: [s, d])
        assertKind(misaligned, "invalid", "NFS4ERR_INVAL")

        let probe = try client.ok("device.probe", .object([("file", fdRef(0)), ("other", fdRef(1))]), fds: [s, d])
        XCTAssertEqual(probe["device"]?["fstype"]?.stringValue, "xfs")
        XCTAssertEqual(probe["device"]?["type"]?.stringValue, "regular")
        XCTAssertNotNil(probe["profile"]?.stringValue)
        XCTAssertEqual(probe["clone_blksize"]?.int64Value, 4096)
        let verdicts = Dictionary(
            uniqueKeysWithValues: (probe["backends"]?.arrayValue ?? []).map { ($0["name"]?.stringValue ?? "?", $0["verdict"]?.stringValue ?? "?") })
        XCTAssertEqual(verdicts["reflink"], "yes", probe.serialized)
        XCTAssertEqual(verdicts["aio"], "yes", probe.serialized)
        XCTAssertEqual(verdicts["xcopy"], "no", probe.serialized)
        let single = try client.ok("device.probe", .object([("file", pathRef(fs("ext4").mountPoint))]))
        XCTAssertEqual(single["device"]?["fstype"]?.stringValue, "ext4")
        XCTAssertTrue((single["backends"]?.arrayValue ?? []).allSatisfy { $0["verdict"]?.stringValue == "maybe" })
    }

    // MARK: - Descriptor rules

    func testDescriptorRulesRefuseWrongAccessModesOPathAndOAppend() throws {
        let agent = try startAgent()
        let client = try agent.client()
        let src = lab.fresh(on: fs("ext4"), "src"), dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 64 * KiB)
        try Files.createFilled(dst, size: 4 * KiB, byte: 7)
        let params: JSONValue = .object([("src", fdRef(0)), ("dst", fdRef(1)), ("synchronous", true)])
        func refused(_ srcFlags: Int32, _ dstFlags: Int32, _ what: String) throws {
            let s = try openFile(src, srcFlags), d = try openFile(dst, dstFlags)
            defer { close(s); close(d) }
            let flags = (fcntl(s, F_GETFL), fcntl(d, F_GETFL))
            let error = try client.rejection("copy.start", params, fds: [s, d])
            assertKind(error, "access", "NFS4ERR_ACCESS")
            XCTAssertEqual(fcntl(s, F_GETFL), flags.0, what)
            XCTAssertEqual(fcntl(d, F_GETFL), flags.1, what)
        }
        try refused(O_RDONLY, O_RDONLY, "read-only destination")
        try refused(O_WRONLY, O_WRONLY, "write-only source")
        try refused(O_PATH_VALUE, O_WRONLY, "O_PATH source")
        try refused(O_RDONLY, O_PATH_VALUE, "O_PATH destination")
        try refused(O_RDONLY, O_WRONLY | O_APPEND, "O_APPEND destination")
        XCTAssertNil(try Files.check(dst, at: 0, length: 4 * KiB, allEqual: 7), "a refused copy wrote to the destination")
        XCTAssertEqual(Int64(try Files.stat(dst).st_size), 4 * KiB)
        // An index past the frame's descriptors: invalid params.
        let s = try openFile(src, O_RDONLY)
        defer { close(s) }
        let missing = try client.rejection("copy.start", params, fds: [s])
        XCTAssertEqual(missing.code, RPCError.invalidParamsCode)
        XCTAssertEqual(missing.kind.rawValue, "invalid")
        // The descriptors of a handled frame are closed by the agent: its count of
        // open descriptors returns to where it was.
        let before = try openDescriptors(of: agent)
        for _ in 0..<20 { _ = try client.rejection("copy.start", params, fds: [s]) }
        // A pool thread may drop its last reference a moment after the reply left.
        var after = try openDescriptors(of: agent)
        for _ in 0..<100 where after != before {
            usleep(20_000)
            after = try openDescriptors(of: agent)
        }
        XCTAssertEqual(after, before, "the agent leaks received descriptors")
    }

    private var O_PATH_VALUE: Int32 { 0o10000000 }

    private func openDescriptors(of agent: RunningAgent) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(agent.process.processIdentifier)/fd").count
    }

    // MARK: - Error kinds

    func testEveryErrorKindCarriesItsNFS4Status() throws {
        let agent = try startAgent(["--max-async", "1", "--copy-threads", "1"])
        let client = try agent.client()
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 256 * KiB)

        // invalid: a range past EOF, and a relative path.
        assertKind(
            try client.rejection(
                "copy.start", .object([("src", pathRef(src)), ("dst", pathRef(src + ".x")), ("src_offset", .integer(1 << 30)), ("synchronous", true)])),
            "invalid", "NFS4ERR_INVAL")
        assertKind(try client.rejection("copy.start", .object([("src", pathRef("relative/file")), ("dst", pathRef(src + ".y"))])), "invalid", "NFS4ERR_INVAL")
        XCTAssertFalse(FileManager.default.fileExists(atPath: src + ".y"), "a refused request created its destination")

        // not_supported: clone on ext4.  xdev: clone across filesystems.
        assertKind(try client.rejection("copy.clone", .object([("src", pathRef(src)), ("dst", pathRef(src + ".clone"))])), "not_supported", "NFS4ERR_NOTSUPP")
        let xsrc = lab.fresh(on: fs("xfs"), "xsrc")
        try Files.createRandom(xsrc, size: 64 * KiB)
        assertKind(
            try client.rejection("copy.clone", .object([("src", pathRef(xsrc)), ("dst", pathRef(lab.fresh(on: fs("doomed"), "x")))])),
            "xdev", "NFS4ERR_XDEV")

        // exists: a guarded copy onto data.
        let full = lab.fresh(on: fs("ext4"), "full")
        try Files.createFilled(full, size: 4096, byte: 1)
        assertKind(try client.rejection("copy.start", .object([("src", pathRef(src)), ("dst", pathRef(full)), ("guarded", true)])), "exists", "NFS4ERR_EXIST")

        // wrong_type: a directory (ISDIR) and a FIFO.
        assertKind(try client.rejection("copy.start", .object([("src", pathRef(fs("ext4").mountPoint)), ("dst", pathRef(full))])), "wrong_type", "NFS4ERR_ISDIR")
        let fifo = lab.scratch + "/" + lab.fresh("fifo")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        assertKind(try client.rejection("copy.start", .object([("src", pathRef(fifo)), ("dst", pathRef(full))])), "wrong_type", "NFS4ERR_WRONG_TYPE")

        // no_such_job.
        assertKind(try client.rejection("copy.status", .object([("job", "no-such-job")])), "no_such_job", "NFS4ERR_BAD_STATEID")

        // denied: a forced backend the kernel refuses with EPERM (an immutable destination).
        let immutable = lab.fresh(on: fs("ext4"), "immutable")
        try Files.createEmpty(immutable)
        let d = try openFile(immutable, O_WRONLY)
        defer { close(d) }
        try Shell.checked("chattr", ["+i", immutable])
        defer { _ = try? Shell.checked("chattr", ["-i", immutable]) }
        let s = try openFile(src, O_RDONLY)
        defer { close(s) }
        assertKind(
            try client.rejection(
                "copy.start", .object([("src", fdRef(0)), ("dst", fdRef(1)), ("backend", "copy_file_range"), ("synchronous", true)]),
                fds: [s, d]), "denied", "NFS4ERR_OFFLOAD_DENIED")

        // nospace: a destination filesystem that fills up; the bytes in place are reported.
        let big = lab.fresh(on: fs("ext4"), "big")
        try Files.createRandom(big, size: 48 * MiB)
        let nospace = try client.rejection(
            "copy.start", .object([("src", pathRef(big)), ("dst", pathRef(lab.fresh(on: fs("small"), "fill"))), ("synchronous", true)]))
        assertKind(nospace, "nospace", "NFS4ERR_NOSPC")
        XCTAssertNotNil(nospace.bytes)

        // quota and stale: errfs, a FUSE filesystem whose writes fail with EDQUOT and
        // reads with ESTALE (this kernel has no disk quota support: CONFIG_XFS_QUOTA,
        // CONFIG_QFMT_V2 and CONFIG_TMPFS_QUOTA are off; and no NFS server).
        let errfs = try ErrFS(in: lab.scratch)
        defer { errfs.unmount() }
        let quota = try client.rejection(
            "copy.start", .object([("src", pathRef(src)), ("dst", pathRef(errfs.path("quota"))), ("synchronous", true)]))
        assertKind(quota, "quota", "NFS4ERR_DQUOT")
        XCTAssertEqual(quota.bytes, 0)
        assertKind(
            try client.rejection(
                "copy.start", .object([("src", pathRef(errfs.path("stale"))), ("dst", pathRef(lab.fresh(on: fs("ext4"), "fromstale"))), ("synchronous", true)])),
            "stale", "NFS4ERR_STALE")

        // fbig: past ext4's largest file offset.
        assertKind(
            try client.rejection(
                "copy.start", .object([("src", pathRef(src)), ("dst", pathRef(lab.fresh(on: fs("ext4"), "huge"))), ("dst_offset", .integer(1 << 45)), ("synchronous", true)])),
            "fbig", "NFS4ERR_FBIG")

        // rofs: a destination on a read-only filesystem.
        assertKind(
            try client.rejection("copy.start", .object([("src", pathRef(src)), ("dst", pathRef(fs("readonly").path("new")))])),
            "rofs", "NFS4ERR_ROFS")

        // busy: the cap of running asynchronous copies (1 here, one copy thread).
        let slow = lab.fresh(on: fs("ext4"), "slow")
        try Files.createRandom(slow, size: 512 * MiB)
        let first = try client.ok(
            "copy.start", .object([("src", pathRef(slow)), ("dst", pathRef(lab.fresh(on: fs("ext4"), "slowcopy"))), ("backend", "aio")]))
        let busy = try client.rejection("copy.start", .object([("src", pathRef(src)), ("dst", pathRef(src + ".busy"))]))
        assertKind(busy, "busy", "NFS4ERR_DELAY")
        let job = try XCTUnwrap(first["job"]?.stringValue)
        let cancelled = try client.ok("copy.cancel", .object([("job", .string(job))]))
        XCTAssertEqual(cancelled["state"]?.stringValue, "cancelled")
        Files.remove(slow)

        // io: the filesystem under the destination shuts down mid-flight (XFS shutdown).
        let doomedSrc = lab.fresh(on: fs("ext4"), "dsrc")
        try Files.createRandom(doomedSrc, size: 16 * MiB)
        let doomed = lab.fresh(on: fs("doomed"), "victim")
        let ds = try openFile(doomedSrc, O_RDONLY), dd = try openFile(doomed, O_WRONLY | O_CREAT)
        defer { close(ds); close(dd) }
        try Shell.checked("xfs_io", ["-x", "-c", "shutdown", fs("doomed").mountPoint])
        assertKind(
            try client.rejection("copy.start", .object([("src", fdRef(0)), ("dst", fdRef(1)), ("synchronous", true)]), fds: [ds, dd]),
            "io", "NFS4ERR_IO")
    }

    // MARK: - Frames

    func testMalformedFramesGetJSONRPCErrorsAndNeverCrashTheAgent() throws {
        let agent = try startAgent()
        // Not JSON: a parse error with id null, then the connection is closed.
        let a = try agent.client()
        try a.sendRaw(Frame.encode(Array("{not json".utf8)))
        let parse = try XCTUnwrap(try a.receive(timeout: 10))
        XCTAssertEqual(parse["error"]?["code"]?.int64Value, -32700)
        XCTAssertEqual(parse["id"], .null)
        XCTAssertThrowsError(try a.receive(timeout: 10), "the connection should be closed after a parse error")

        // A zero length and an oversized length: parse error, closed.
        for header: [UInt8] in [[0, 0, 0, 0], [0, 0x20, 0, 0]] {
            let c = try agent.client()
            try c.sendRaw(header + Array("{}".utf8))
            XCTAssertEqual(try c.receive(timeout: 10)?["error"]?["code"]?.int64Value, -32700)
            XCTAssertThrowsError(try c.receive(timeout: 10))
        }

        // Valid JSON that is not a request: invalid request, and the connection stays.
        let b = try agent.client()
        try b.sendRaw(Frame.encode(Array("[1,2]".utf8)))
        XCTAssertEqual(try b.receive(timeout: 10)?["error"]?["code"]?.int64Value, -32600)
        try b.sendRaw(Frame.encode(Array(#"{"jsonrpc":"1.0","id":5,"method":"agent.hello"}"#.utf8)))
        XCTAssertEqual(try b.receive(timeout: 10)?["error"]?["code"]?.int64Value, -32600)
        let unknown = try b.rejection("no.such.method")
        XCTAssertEqual(unknown.code, -32601)
        let badParams = try b.rejection("copy.status", .object([("job", 5)]))
        XCTAssertEqual(badParams.code, -32602)
        let typo = try b.rejection("copy.start", .object([("src", pathRef("/x")), ("dst", pathRef("/y")), ("srcOffset", 5)]))
        XCTAssertEqual(typo.code, -32602)
        XCTAssertTrue(typo.message.contains("srcOffset"), typo.message)

        // Too many descriptors with one frame: an error; all of them closed by the agent.
        let nulls = try (0..<5).map { _ in try openFile("/dev/null", O_RDONLY) }
        defer { nulls.forEach { close($0) } }
        let tooMany = try b.rejection("agent.hello", fds: nulls)
        XCTAssertEqual(tooMany.kind.rawValue, "invalid")
        XCTAssertTrue(tooMany.message.contains("descriptors"), tooMany.message)

        // Random garbage frames: the agent answers or closes, and keeps serving.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let c = try agent.client()
            let length = Int.random(in: 1...64, using: &generator)
            let body = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try? c.sendRaw(Frame.encode(body))
            _ = try? c.receive(timeout: 5)
        }
        XCTAssertEqual(try agent.client().ok("agent.hello")["protocol"]?.int64Value, 1)
        XCTAssertTrue(agent.process.isRunning)
    }

    /// Replies leave from whichever thread finished the request (the reader for
    /// agent.hello, a task, a pool thread) when the socket takes them at once, and through
    /// the writer otherwise, the rest of one the socket took in part first. A peer that
    /// reads only after sending thousands of requests (far more reply bytes than the
    /// socket buffer holds; some replies of 300 KB, which the kernel takes in pieces) gets
    /// every reply whole.
    func testRepliesToAPeerThatReadsLateArriveWholeAndEachOnce() throws {
        let agent = try startAgent()
        let client = try agent.client()
        let longJob = String(repeating: "j", count: 300_000)
        var expected: [String: String] = [:]
        for i in 0..<3000 {
            let id: JSONValue
            let kind: String
            switch i % 10 {
            case 0: (id, kind) = (try client.send("device.probe", .object([("file", pathRef("/dev/null"))])), "probe")
            case 1, 2: (id, kind) = (try client.send("copy.list"), "list")
            case 3 where i % 100 == 3: (id, kind) = (try client.send("copy.status", .object([("job", .string(longJob))])), "long")
            case 3, 4, 5: (id, kind) = (try client.send("copy.status", .object([("job", "no-such-job")])), "status")
            default: (id, kind) = (try client.send("agent.hello", .object([("client", .string("late reader \(i)"))])), "hello")
            }
            expected[id.serialized] = kind
        }
        usleep(500_000)  // the agent's replies pile up in the socket and behind it
        var seen = Set<String>()
        while seen.count < expected.count {
            let message = try XCTUnwrap(try client.receive(timeout: 60), "\(seen.count) of \(expected.count) replies arrived")
            let key = try XCTUnwrap(message["id"]).serialized
            XCTAssertTrue(seen.insert(key).inserted, "a second reply with id \(key)")
            switch expected[key] {
            case "probe": XCTAssertEqual(message["result"]?["profile"]?.stringValue?.isEmpty, false, message.serialized)
            case "list": XCTAssertNotNil(message["result"]?["jobs"]?.arrayValue, message.serialized)
            case "status": XCTAssertNotNil(message["error"], message.serialized)
            case "long": XCTAssertEqual(message["error"]?["message"]?.stringValue?.contains(longJob), true, "a long reply cut or mixed")
            case "hello": XCTAssertEqual(message["result"]?["protocol"]?.int64Value, 1, message.serialized)
            default: XCTFail("a reply with an id never sent: \(message.serialized)")
            }
        }
        XCTAssertNil(try client.receive(timeout: 0.5), "more replies than requests")
        XCTAssertTrue(agent.process.isRunning)
    }

    func testALongSynchronousCopyDoesNotStallAStatusOnTheSameConnection() throws {
        let agent = try startAgent(["--sync-max-bytes", "4G"])
        let src = lab.fresh(on: fs("ext4"), "long"), dst = lab.fresh(on: fs("ext4"), "longcopy")
        try Files.createRandom(src, size: 512 * MiB)
        defer { Files.remove(src, dst) }
        let client = try agent.client()
        let small = lab.fresh(on: fs("ext4"), "small")
        try Files.createRandom(small, size: 64 * KiB)
        let job = try XCTUnwrap(try client.ok("copy.start", .object([("src", pathRef(small)), ("dst", pathRef(small + ".copy"))]))["job"])
        let copyID = try client.send(
            "copy.start", .object([("src", pathRef(src)), ("dst", pathRef(dst)), ("synchronous", true), ("backend", "aio"), ("stable", true)]))
        let statusID = try client.send("copy.status", .object([("job", job)]))
        // The first reply to arrive must be the status: the copy is still running.
        let first = try XCTUnwrap(try client.receive(timeout: 300))
        XCTAssertEqual(first["id"], statusID, "copy.status was answered after the synchronous copy: \(first.serialized)")
        XCTAssertEqual(first["result"]?["job"], job)
        let copyReply = try client.reply(to: copyID, timeout: 600)
        XCTAssertEqual(try client.result(of: copyReply)["bytes"]?.int64Value, 512 * MiB)
    }
}

/// `serve --profiles DIR`: the agent selects with the override, refuses to start on a
/// broken set, and SIGHUP re-reads the directory keeping the previous set on error.
final class AgentProfilesTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.ext4, "ext4", size: 256 * MiB)
    }

    private let streamOnly = """
        name = "ext4"
        description = "ext4, streamed only (test override)"
        verified = false
        source = "AgentProfilesTests"
        order = ["aio"]

        [match]
        fstype = ["ext4"]
        file_type = "regular"
        """

    func testOverridesAreUsedBrokenSetsRefusedAndSIGHUPReloads() throws {
        let directory = lab.scratch + "/" + lab.fresh("profiles")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try streamOnly.write(toFile: directory + "/ext4.toml", atomically: true, encoding: .utf8)
        let agentDirectory = lab.scratch + "/" + lab.fresh("agent")
        try FileManager.default.createDirectory(atPath: agentDirectory, withIntermediateDirectories: true)
        let agent = try RunningAgent(directory: agentDirectory, arguments: ["--profiles", directory])
        let client = try agent.client()
        let src = lab.fresh(on: fs("ext4"), "src"), dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 1 * MiB)
        let copied = try client.ok("copy.start", .object([("src", pathRef(src)), ("dst", pathRef(dst)), ("synchronous", true)]))
        XCTAssertEqual(copied["backend"]?.stringValue, "aio", "the override's order was not used")
        let probe = try client.ok("device.probe", .object([("file", pathRef(src)), ("other", pathRef(dst))]))
        XCTAssertEqual(probe["profile"]?.stringValue, "ext4")
        XCTAssertEqual(probe["order"]?.arrayValue?.compactMap(\.stringValue), ["aio"])

        // A broken file: SIGHUP keeps the previous set; the agent keeps serving with it.
        try "name = [broken".write(toFile: directory + "/ext4.toml", atomically: true, encoding: .utf8)
        kill(agent.process.processIdentifier, SIGHUP)
        var logged = false
        for _ in 0..<200 where !logged {
            usleep(20_000)
            logged = agent.log.contains("profiles not reloaded")
        }
        XCTAssertTrue(logged, agent.log)
        XCTAssertTrue(agent.log.contains("ext4.toml"), "the reload error names the file: \(agent.log)")
        let again = try client.ok("copy.start", .object([("src", pathRef(src)), ("dst", pathRef(dst)), ("synchronous", true)]))
        XCTAssertEqual(again["backend"]?.stringValue, "aio")

        // Removed override: SIGHUP brings back the built-in ext4 profile.
        try FileManager.default.removeItem(atPath: directory + "/ext4.toml")
        kill(agent.process.processIdentifier, SIGHUP)
        var reloaded = false
        for _ in 0..<200 where !reloaded {
            usleep(20_000)
            reloaded = agent.log.contains("profiles reloaded")
        }
        XCTAssertTrue(reloaded, agent.log)
        let builtIn = try client.ok("copy.start", .object([("src", pathRef(src)), ("dst", pathRef(dst)), ("synchronous", true)]))
        XCTAssertEqual(builtIn["backend"]?.stringValue, "copy_file_range")
        XCTAssertEqual(agent.stop(), 0)

        // A broken set at start: the agent refuses to serve and says which file.
        try "name = [broken".write(toFile: directory + "/bad.toml", atomically: true, encoding: .utf8)
        let refused = try Agent.run(["serve", "--socket", agentDirectory + "/other.sock", "--profiles", directory], timeout: 60)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("bad.toml"), "\(refused)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: agentDirectory + "/other.sock"))
    }
}

/// Tests/Fixtures/errfs: a FUSE filesystem with a file whose reads fail with ESTALE and
/// one whose writes fail with EDQUOT. Built with the system's libfuse3, run in the
/// foreground, unmounted by `unmount()`.
final class ErrFS {
    let mountPoint: String
    private let process: Process

    init(in directory: String) throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/errfs/errfs.c").path
        let binary = directory + "/errfs"
        if access(binary, X_OK) != 0 {
            let flags = try Shell.checked("pkg-config", ["--cflags", "--libs", "fuse3"]).split(whereSeparator: \.isWhitespace).map(String.init)
            try Shell.checked("cc", ["-O2", "-Wall", "-Werror", source, "-o", binary] + flags)
        }
        mountPoint = directory + "/errfs-mnt-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [mountPoint, "-f"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<250 {
            if FileManager.default.fileExists(atPath: mountPoint + "/stale") { return }
            usleep(20_000)
        }
        unmount()
        throw HarnessError("errfs did not mount at \(mountPoint)")
    }

    func path(_ name: String) -> String { mountPoint + "/" + name }

    func unmount() {
        _ = try? Shell.run("umount", ["-l", mountPoint], timeout: 60)
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        rmdir(mountPoint)
    }
}
