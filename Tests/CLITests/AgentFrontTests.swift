import Agent
import Foundation
import JSON
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The C client and its example NFS front playing the offload flows, a peer of another
/// uid, and the socket's ownership, stale-file and activation rules.
final class AgentFrontTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.xfs, "xfs", size: 512 * MiB)
        try lab.filesystem(.ext4, "ext4", size: 512 * MiB)
    }

    /// A world-readable directory outside the lab (whose root is 0700), for what a
    /// second user must reach: the front binary, the socket, its own files.
    private static let shared: Result<String, HarnessError> = {
        var template = Array("/tmp/ssc-front-tests.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            return .failure(HarnessError("mkdtemp failed"))
        }
        let root = String(cString: made)
        chmod(root, 0o755)
        return .success(root)
    }()

    override class func tearDown() {
        if case .success(let root) = shared { try? FileManager.default.removeItem(atPath: root) }
        super.tearDown()
    }

    private func sharedDirectory() throws -> String { try Self.shared.get() }

    /// Builds clients/c (library and example front) once, into the shared directory.
    private func front() throws -> String {
        let out = try sharedDirectory() + "/cbuild"
        let binary = out + "/example_front"
        if access(binary, X_OK) != 0 {
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("clients/c").path
            try Shell.checked("make", ["-s", "-C", source, "OUT=\(out)"])
            chmod(out, 0o755)
        }
        return binary
    }

    private func startAgent(_ arguments: [String] = []) throws -> RunningAgent {
        let directory = try sharedDirectory() + "/" + lab.fresh("agent")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o755)
        return try RunningAgent(directory: directory, arguments: arguments)
    }

    private func play(_ agent: RunningAgent, _ scenario: String, _ arguments: [String], asUser: [String] = []) throws -> ProcessResult {
        let command = [try front(), agent.socketPath, scenario] + arguments
        if asUser.isEmpty { return try Shell.run(command[0], Array(command.dropFirst()), timeout: 600) }
        return try Shell.run("setpriv", asUser + command, timeout: 600)
    }

    private func lines(_ result: ProcessResult, _ prefix: String) -> [String] {
        result.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    // MARK: - Flows (seed 001): what an NFS server does with CLONE and COPY

    func testCloneSucceedsOnReflinkAndFallsBackToCopyOnExt4() throws {
        let agent = try startAgent()
        let xsrc = lab.fresh(on: fs("xfs"), "src"), xdst = lab.fresh(on: fs("xfs"), "dst")
        try Files.createRandom(xsrc, size: 3 * MiB + 17)
        let onXFS = try play(agent, "clone-or-copy", [xsrc, xdst])
        XCTAssertEqual(onXFS.status, 0, "\(onXFS)")
        XCTAssertEqual(lines(onXFS, "CLONE"), ["CLONE NFS4_OK bytes=\(3 * MiB + 17)"], "\(onXFS)")
        XCTAssertTrue(lines(onXFS, "COPY").isEmpty, "\(onXFS)")
        assertIdentical(xsrc, xdst)
        assertSharedExtents([xsrc, xdst], covering: 3 * MiB)

        let esrc = lab.fresh(on: fs("ext4"), "src"), edst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(esrc, size: 3 * MiB + 17)
        let onExt4 = try play(agent, "clone-or-copy", [esrc, edst])
        XCTAssertEqual(onExt4.status, 0, "\(onExt4)")
        XCTAssertTrue(lines(onExt4, "CLONE")[0].hasPrefix("CLONE NFS4ERR_NOTSUPP kind=not_supported"), "\(onExt4)")
        XCTAssertTrue(lines(onExt4, "COPY")[0].hasPrefix("COPY NFS4_OK bytes=\(3 * MiB + 17) short=0 backend=copy_file_range"), "\(onExt4)")
        assertIdentical(esrc, edst)
    }

    func testCopyOfARangeReissuedWhileShort() throws {
        let agent = try startAgent(["--sync-max-bytes", "1M"])
        let src = lab.fresh(on: fs("ext4"), "src"), dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 8 * MiB)
        try Files.createFilled(dst, size: 8 * MiB, byte: 0xEE)
        let result = try play(agent, "copy-range", [src, dst, "\(1 * MiB + 4096)", "\(2 * MiB)", "\(3 * MiB + 100)"])
        XCTAssertEqual(result.status, 0, "\(result)")
        let copies = lines(result, "COPY NFS4_OK")
        XCTAssertEqual(copies.count, 4, "1M + 1M + 1M + 100 bytes: \(result)")
        XCTAssertTrue(copies[0].contains("short=1"), "\(result)")
        XCTAssertNil(try Files.compare(src, 1 * MiB + 4096, dst, 2 * MiB, count: 3 * MiB + 100))
        XCTAssertNil(try Files.check(dst, at: 0, length: 2 * MiB, allEqual: 0xEE), "bytes before the range changed")
        XCTAssertNil(try Files.check(dst, at: 5 * MiB + 100, length: 3 * MiB - 100, allEqual: 0xEE), "bytes after the range changed")
        XCTAssertEqual(Int64(try Files.stat(dst).st_size), 8 * MiB)
    }

    func testAFailingCopyLeavesTheFrontToReadAndWrite() throws {
        let agent = try startAgent()
        let src = lab.fresh(on: fs("ext4"), "src"), dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 2 * MiB + 5)
        // Forcing reflink on ext4 fails; the front then moves the data itself.
        let result = try play(agent, "copy-or-readwrite", [src, dst, "reflink"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(lines(result, "COPY")[0].hasPrefix("COPY NFS4ERR_NOTSUPP"), "\(result)")
        XCTAssertEqual(lines(result, "READWRITE"), ["READWRITE bytes=\(2 * MiB + 5)"], "\(result)")
        assertIdentical(src, dst)
    }

    func testOneConnectionCopiesOncePerRequest() throws {
        // An NFS server keeps its connection and its descriptors: three COPYs on one.
        let agent = try startAgent()
        let src = lab.fresh(on: fs("ext4"), "src"), dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 2 * MiB + 9)
        let script = "printf 'a\\nb\\nc\\n' | \"$0\" \"$@\""
        let result = try Shell.run("sh", ["-c", script, try front(), agent.socketPath, "copy-per-line", src, dst])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertEqual(lines(result, "HELLO").count, 1, "one connection: \(result)")
        XCTAssertEqual(lines(result, "COPY NFS4_OK bytes=\(2 * MiB + 9)").count, 3, "\(result)")
        XCTAssertEqual(lines(result, "DONE"), ["DONE copied", "DONE copied", "DONE copied"], "\(result)")
        assertIdentical(src, dst)

        let refused = try Shell.run("sh", ["-c", script, try front(), agent.socketPath, "copy-per-line", src, dst, "reflink"])
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertEqual(lines(refused, "DONE"), ["DONE failed", "DONE failed", "DONE failed"], "\(refused)")
        XCTAssertEqual(lines(refused, "COPY NFS4ERR_NOTSUPP").count, 3, "\(refused)")
    }

    func testAsynchronousCopyWithCallbackAndCancel() throws {
        let agent = try startAgent()
        let src = lab.fresh(on: fs("xfs"), "src"), dst = lab.fresh(on: fs("ext4"), "dst")
        try Files.createRandom(src, size: 32 * MiB)
        let result = try play(agent, "copy-async", [src, dst])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(lines(result, "CB_OFFLOAD")[0].contains("state=done bytes=\(32 * MiB)"), "\(result)")
        assertIdentical(src, dst)

        let big = lab.fresh(on: fs("ext4"), "big"), bigdst = lab.fresh(on: fs("xfs"), "bigdst")
        try Files.createRandom(big, size: 256 * MiB)
        defer { Files.remove(big, bigdst) }
        let cancelled = try play(agent, "offload-cancel", [big, bigdst])
        XCTAssertEqual(cancelled.status, 0, "\(cancelled)")
        let cancel = lines(cancelled, "OFFLOAD_CANCEL")
        XCTAssertEqual(cancel.count, 1, "\(cancelled)")
        XCTAssertTrue(
            cancel[0].contains("state=cancelled") || cancel[0].contains("state=done"), "\(cancelled)")
        XCTAssertEqual(lines(cancelled, "CB_OFFLOAD").count, 1, "\(cancelled)")
    }

    // MARK: - A peer of another uid

    func testAnotherUserInTheSocketGroupMustPassDescriptors() throws {
        try Shell.checked("groupadd", ["-f", "ssc-test-peers"])
        guard let group = getgrnam("ssc-test-peers") else { throw HarnessError("group ssc-test-peers missing after groupadd") }
        let gid = group.pointee.gr_gid
        let agent = try startAgent(["--socket-group", "ssc-test-peers"])
        var st = stat()
        XCTAssertEqual(lstat(agent.socketPath, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o660, "socket mode")
        XCTAssertEqual(st.st_gid, gid, "socket group")
        let nobody = ["--reuid=65534", "--regid=\(gid)", "--clear-groups"]

        // Paths are refused before anything is opened: a root-only source, a
        // destination in a root-only directory that must not appear.
        let secret = lab.fresh(on: fs("ext4"), "secret")
        try Files.createRandom(secret, size: 64 * KiB)
        chmod(secret, 0o600)
        let target = lab.fresh(on: fs("ext4"), "planted")
        let refused = try play(agent, "copy-paths", [secret, target], asUser: nobody)
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertTrue(lines(refused, "COPY")[0].hasPrefix("COPY NFS4ERR_ACCESS kind=access"), "\(refused)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: target), "the agent opened a path for another user")

        // With descriptors it opened itself, the same user copies what it may read.
        let mine = try sharedDirectory() + "/" + lab.fresh("peer")
        try FileManager.default.createDirectory(atPath: mine, withIntermediateDirectories: true)
        chmod(mine, 0o777)
        let src = mine + "/src"
        try Files.createRandom(src, size: 1 * MiB)
        chmod(src, 0o644)
        let copied = try play(agent, "copy-async", [src, mine + "/dst"], asUser: nobody)
        XCTAssertEqual(copied.status, 0, "\(copied)")
        assertIdentical(src, mine + "/dst")
        XCTAssertEqual(try Files.stat(mine + "/dst").st_uid, 65534, "the destination belongs to the peer that created it")
        // The secret it cannot open itself stays out of reach.
        let denied = try play(agent, "copy-async", [secret, mine + "/stolen"], asUser: nobody)
        XCTAssertNotEqual(denied.status, 0, "\(denied)")

        // Outside the socket group it cannot even connect.
        let outsider = try play(agent, "copy-async", [src, mine + "/x"], asUser: ["--reuid=65534", "--regid=65534", "--clear-groups"])
        XCTAssertEqual(outsider.status, 2, "\(outsider)")
        XCTAssertTrue(outsider.stderr.contains("Permission denied"), "\(outsider)")
    }

    // MARK: - The socket file

    func testStaleSocketIsReplacedALiveOneAndAPlainFileAreRefused() throws {
        let directory = try sharedDirectory() + "/" + lab.fresh("stale")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/agent.sock"
        // A socket file nobody listens on (its agent died).
        let dead = try UnixSocket.stream()
        try dead.bind(path: path)
        dead.close()
        let agent = try RunningAgent(directory: directory)
        XCTAssertEqual(try agent.client().ok("agent.hello")["protocol"]?.int64Value, 1)

        let second = try Shell.run(try Agent.binary(), ["serve", "--socket", path], timeout: 60)
        XCTAssertNotEqual(second.status, 0)
        XCTAssertTrue(second.stderr.contains("already listening"), "\(second)")
        XCTAssertEqual(agent.stop(), 0)

        let plain = directory + "/plain"
        try Files.createFilled(plain, size: 10, byte: 1)
        let refused = try Shell.run(try Agent.binary(), ["serve", "--socket", plain], timeout: 60)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("not a socket"), "\(refused)")
        XCTAssertEqual(Int64(try Files.stat(plain).st_size), 10)
    }

    func testSocketActivationUsesTheInheritedSocketAndNeverUnlinksIt() throws {
        let directory = try sharedDirectory() + "/" + lab.fresh("activated")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/activated.sock"
        // What systemd does: bind and listen, pass it as descriptor 3 with LISTEN_FDS=1
        // and LISTEN_PID set to the service's own pid.
        let script = """
            import os, socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(sys.argv[1]); s.listen(16)
            os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
            os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())
            os.execv(sys.argv[2], [sys.argv[2], "serve"])
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.which("python3") ?? "/usr/bin/python3")
        process.arguments = ["-c", script, path, try Agent.binary()]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var hello: JSONValue? = nil
        for _ in 0..<300 where hello == nil {
            usleep(20_000)
            hello = try? AgentClient(path: path).call("agent.hello", timeout: 10)
        }
        XCTAssertEqual(hello?["protocol"]?.int64Value, 1, "the activated agent did not answer on the inherited socket")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "the agent unlinked a socket it inherited")
    }
}

/// The command line as a client: `copy --agent`, `jobs`, `status`, `cancel`.
final class AgentCommandLineTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.btrfs, "btrfs", size: 512 * MiB)
        try lab.filesystem(.ext4, "ext4", size: 1536 * MiB)
    }

    func testCopyThroughTheAgentAndTheJobCommands() throws {
        let directory = lab.scratch + "/" + lab.fresh("agent")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let agent = try RunningAgent(directory: directory)
        let src = lab.fresh(on: fs("btrfs"), "src"), dst = lab.fresh(on: fs("btrfs"), "dst")
        try Files.createRandom(src, size: 5 * MiB + 1)
        // An existing longer destination: a whole-file CLI copy truncates it.
        try Files.createFilled(dst, size: 9 * MiB, byte: 3)
        let run = try Agent.run(["copy", src, dst, "--agent", agent.socketPath, "--json", "--fsync"])
        XCTAssertEqual(run.status, 0, "\(run)")
        guard case .success(let object) = run.json else { return XCTFail("\(run)") }
        XCTAssertEqual(object["ok"] as? Bool, true)
        XCTAssertEqual(object["backend"] as? String, "reflink")
        XCTAssertEqual(object["committed"] as? String, "FILE_SYNC")
        XCTAssertEqual(JSONNumber.int(object["bytes"]), 5 * MiB + 1)
        assertIdentical(src, dst)

        // A range onto ext4 from btrfs: across filesystems, streamed.
        let edst = lab.fresh(on: fs("ext4"), "dst")
        let ranged = try Agent.run(["copy", src, edst, "--agent", agent.socketPath, "--src-offset", "1M", "--count", "2M"])
        XCTAssertEqual(ranged.status, 0, "\(ranged)")
        XCTAssertNil(try Files.compare(src, 1 * MiB, edst, 0, count: 2 * MiB))

        // In-process tunables are refused with --agent.
        let tuned = try Agent.run(["copy", src, edst, "--agent", agent.socketPath, "--block-size", "1M"])
        XCTAssertNotEqual(tuned.status, 0)
        XCTAssertTrue(tuned.stderr.contains("--block-size"), "\(tuned)")

        // The CLI released its jobs: the list is empty.
        let jobs = try Agent.run(["jobs", "--agent", agent.socketPath, "--json"])
        XCTAssertEqual(jobs.status, 0, "\(jobs)")
        guard case .success(let list) = jobs.json else { return XCTFail("\(jobs)") }
        XCTAssertEqual((list["jobs"] as? [Any])?.count, 0)

        // A job started by another client shows in jobs and status; cancel stops it.
        let client = try agent.client()
        let big = lab.fresh(on: fs("ext4"), "big")
        try Files.createRandom(big, size: 256 * MiB)
        let job = try XCTUnwrap(
            try client.ok("copy.start", .object([("src", pathRef(big)), ("dst", pathRef(big + ".copy")), ("backend", "aio")]))["job"]?
                .stringValue)
        let status = try Agent.run(["status", job, "--agent", agent.socketPath])
        XCTAssertEqual(status.status, 0, "\(status)")
        XCTAssertTrue(status.stdout.hasPrefix(job), "\(status)")
        let listed = try Agent.run(["jobs", "--agent", agent.socketPath])
        XCTAssertTrue(listed.stdout.contains(job), "\(listed)")
        let cancel = try Agent.run(["cancel", job, "--agent", agent.socketPath, "--json"])
        XCTAssertEqual(cancel.status, 0, "\(cancel)")
        guard case .success(let cancelled) = cancel.json else { return XCTFail("\(cancel)") }
        XCTAssertTrue(["cancelled", "done"].contains(cancelled["state"] as? String ?? ""), "\(cancel)")
        Files.remove(big, big + ".copy")

        let missing = try Agent.run(["status", "nope", "--agent", agent.socketPath])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, "one-line error: \(missing)")
        XCTAssertTrue(missing.stderr.contains("no job"), "\(missing)")
        let nowhere = try Agent.run(["jobs", "--agent", directory + "/no-agent.sock"])
        XCTAssertEqual(nowhere.status, 1)
        XCTAssertTrue(nowhere.stderr.contains("cannot connect"), "\(nowhere)")
    }
}
