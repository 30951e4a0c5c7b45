import Agent
import Foundation
import JSON
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Asynchronous copies: the cap, events exactly once, replay after a disconnect,
/// release, retention, cancellation, idempotency keys, restart and shutdown.
final class AgentJobsTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.ext4, "ext4", size: 3 * GiB)
        try lab.tmpfs("tmp", size: 512 * MiB)
    }

    private func startAgent(_ arguments: [String] = [], in directory: String? = nil) throws -> RunningAgent {
        let directory = directory ?? (lab.scratch + "/" + lab.fresh("agent"))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try RunningAgent(directory: directory, arguments: arguments)
    }

    private func startParams(_ src: String, _ dst: String, _ extra: [(String, JSONValue)] = []) -> JSONValue {
        .object([("src", pathRef(src)), ("dst", pathRef(dst))] + extra)
    }

    func testAThousandJobsWithTheCapEveryCompletionOnceAndReplayAfterADisconnect() throws {
        let agent = try startAgent(["--max-async", "4", "--copy-threads", "2"])
        let src = fs("tmp").path("src")
        try Files.createRandom(src, size: 256 * KiB)
        let big = fs("ext4").path("big")
        try Files.createRandom(big, size: 256 * MiB)
        let directory = fs("tmp").path("out")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        let driver = try agent.client()
        let subscribed = try driver.ok("events.subscribe")
        let firstSeq = try XCTUnwrap(subscribed["seq"]?.uint64Value)
        // A second subscriber that leaves early and catches up with events.since.
        var leaver: AgentClient? = try agent.client()
        let leaverSeq = try XCTUnwrap(try leaver!.ok("events.subscribe")["seq"]?.uint64Value)

        // Four long copies fill the cap: the next start is refused with busy.
        var started: [String] = []
        for i in 0..<4 {
            let r = try driver.ok("copy.start", startParams(big, fs("ext4").path("bigcopy-\(i)"), [("backend", "aio")]))
            started.append(try XCTUnwrap(r["job"]?.stringValue))
        }
        let busy = try driver.rejection("copy.start", startParams(src, "\(directory)/refused"))
        XCTAssertEqual(busy.kind.rawValue, "busy")
        XCTAssertEqual(busy.nfs4, "NFS4ERR_DELAY")
        var busyAnswers = 1

        var done: [String: JSONValue] = [:]
        var seqs: [UInt64] = []
        func collect(_ notification: JSONValue) {
            guard notification["method"]?.stringValue == "copy.done", let params = notification["params"],
                let job = params["job"]?.stringValue
            else { return }
            XCTAssertNil(done[job], "copy.done twice for \(job)")
            done[job] = params
            seqs.append(params["seq"]?.uint64Value ?? 0)
        }
        var leaverReceived: [UInt64] = []
        // Start 1000 more over time: on busy, wait for a completion and retry.
        var index = 0
        while index < 1000 {
            do {
                let r = try driver.call("copy.start", startParams(src, "\(directory)/dst-\(index)"), timeout: 300)
                started.append(try XCTUnwrap(r["job"]?.stringValue))
                index += 1
            } catch let error as AgentClientError {
                guard case .rejected(let rpc) = error, rpc.kind.rawValue == "busy" else { throw HarnessError("\(error)") }
                busyAnswers += 1
                if let note = try driver.nextNotification(timeout: 30) { collect(note) }
            }
            while let note = try driver.nextNotification(timeout: 0) { collect(note) }
            if index == 300, let reader = leaver {
                // The leaver reads what it has, then disconnects mid-stream.
                while let note = try reader.nextNotification(timeout: 0) {
                    leaverReceived.append(note["params"]?["seq"]?.uint64Value ?? 0)
                }
                leaver = nil
            }
        }
        let leaverLast = leaverReceived.last ?? leaverSeq
        XCTAssertNil(leaver, "the leaver should have disconnected at job 300")
        while done.count < started.count, let note = try driver.nextNotification(timeout: 300) { collect(note) }

        XCTAssertGreaterThan(busyAnswers, 0)
        XCTAssertEqual(Set(started).count, 1004)
        XCTAssertEqual(done.count, 1004, "every job reports copy.done exactly once")
        XCTAssertEqual(Set(done.keys), Set(started))
        XCTAssertTrue(done.values.allSatisfy { $0["state"]?.stringValue == "done" }, "a job failed")
        XCTAssertEqual(seqs.sorted(), Array((firstSeq + 1)...(firstSeq + 1004)), "sequence numbers grow by one per event")
        XCTAssertEqual(seqs, seqs.sorted(), "events arrive in sequence order")
        for i in [0, 499, 999] { XCTAssertNil(try Files.compare(src, 0, "\(directory)/dst-\(i)", 0, count: 256 * KiB)) }

        // The leaver replays everything after the last event it saw: nothing missed.
        let replayer = try agent.client()
        var replayed: [UInt64] = []
        var cursor = leaverLast
        while true {
            let page = try replayer.ok("events.since", .object([("seq", .unsigned(cursor)), ("max", 100)]))
            XCTAssertEqual(page["truncated"]?.boolValue, false)
            let events = page["events"]?.arrayValue ?? []
            if events.isEmpty { break }
            replayed += events.compactMap { $0["seq"]?.uint64Value }
            cursor = try XCTUnwrap(page["next_seq"]?.uint64Value)
        }
        XCTAssertEqual(leaverReceived + replayed, Array((leaverSeq + 1)...(firstSeq + 1004)), "the replay missed or repeated events")

        // Released jobs answer no_such_job; the list shrinks accordingly.
        let victim = started[10]
        XCTAssertEqual(try driver.ok("copy.status", .object([("job", .string(victim))]))["state"]?.stringValue, "done")
        _ = try driver.ok("copy.release", .object([("job", .string(victim))]))
        XCTAssertEqual(try driver.rejection("copy.status", .object([("job", .string(victim))])).kind.rawValue, "no_such_job")
        XCTAssertEqual(try driver.rejection("copy.release", .object([("job", .string(victim))])).kind.rawValue, "no_such_job")
        XCTAssertEqual(try driver.ok("copy.list")["jobs"]?.arrayValue?.count, 1003)
        Files.remove(big)
        for i in 0..<4 { Files.remove(fs("ext4").path("bigcopy-\(i)")) }
    }

    func testCancelStopsAJobBetweenChunksAndReportsItOnce() throws {
        let agent = try startAgent()
        let src = fs("ext4").path(lab.fresh("cancel-src")), dst = fs("ext4").path(lab.fresh("cancel-dst"))
        try Files.createRandom(src, size: 512 * MiB)
        defer { Files.remove(src, dst) }
        let client = try agent.client()
        _ = try client.ok("events.subscribe")
        let job = try XCTUnwrap(try client.ok("copy.start", startParams(src, dst, [("backend", "aio")]))["job"]?.stringValue)
        let running = try client.ok("copy.status", .object([("job", .string(job))]))
        XCTAssertEqual(running["count"]?.int64Value, 512 * MiB)
        let cancelled = try client.ok("copy.cancel", .object([("job", .string(job))]))
        XCTAssertEqual(cancelled["state"]?.stringValue, "cancelled")
        let bytes = try XCTUnwrap(cancelled["bytes"]?.int64Value)
        XCTAssertLessThan(bytes, 512 * MiB)
        XCTAssertNil(try Files.compare(src, 0, dst, 0, count: bytes), "the bytes reported in place are not the source's")
        let event = try XCTUnwrap(try client.nextNotification(timeout: 60))
        XCTAssertEqual(event["params"]?["job"]?.stringValue, job)
        XCTAssertEqual(event["params"]?["state"]?.stringValue, "cancelled")
        XCTAssertEqual(event["params"]?["bytes"]?.int64Value, bytes)
        // Cancelling a finished job answers its final state again; no second event.
        XCTAssertEqual(try client.ok("copy.cancel", .object([("job", .string(job))]))["state"]?.stringValue, "cancelled")
        XCTAssertNil(try client.nextNotification(timeout: 0.5))
    }

    func testTheSameKeyAnswersTheSameJobBeforeTheCap() throws {
        let agent = try startAgent(["--max-async", "1", "--copy-threads", "1"])
        let src = fs("ext4").path(lab.fresh("key-src"))
        try Files.createRandom(src, size: 256 * MiB)
        defer { Files.remove(src) }
        let client = try agent.client()
        let dst = fs("ext4").path(lab.fresh("key-dst"))
        defer { Files.remove(dst) }
        let params = startParams(src, dst, [("key", "stateid-1"), ("backend", "aio")])
        let first = try XCTUnwrap(try client.ok("copy.start", params)["job"]?.stringValue)
        // At the cap, the same key still answers the same job; another key is busy.
        XCTAssertEqual(try client.ok("copy.start", params)["job"]?.stringValue, first)
        XCTAssertEqual(
            try client.rejection("copy.start", startParams(src, fs("ext4").path(lab.fresh("other")), [("key", "stateid-2")])).kind.rawValue,
            "busy")
        _ = try client.ok("copy.release", .object([("job", .string(first))]))
        // Released: the key is free again and names a new job.
        let again = try XCTUnwrap(try client.ok("copy.start", params)["job"]?.stringValue)
        XCTAssertNotEqual(again, first)
        _ = try client.ok("copy.cancel", .object([("job", .string(again))]))
    }

    func testFinishedJobsAndEventsExpireAfterTheRetention() throws {
        let agent = try startAgent(["--retention-seconds", "1"])
        let src = fs("tmp").path(lab.fresh("ret"))
        try Files.createRandom(src, size: 64 * KiB)
        let client = try agent.client()
        _ = try client.ok("events.subscribe")
        let job = try XCTUnwrap(try client.ok("copy.start", startParams(src, src + ".copy"))["job"]?.stringValue)
        _ = try XCTUnwrap(try client.nextNotification(timeout: 60))
        XCTAssertEqual(try client.ok("copy.status", .object([("job", .string(job))]))["state"]?.stringValue, "done")
        let early = try client.ok("events.since", .object([("seq", 0)]))
        XCTAssertEqual(early["events"]?.arrayValue?.count, 1)
        XCTAssertEqual(early["truncated"]?.boolValue, false)
        let beyond = try client.ok("events.since", .object([("seq", .unsigned(UInt64.max))]))
        XCTAssertEqual(beyond["events"]?.arrayValue?.count, 0, "no event lies past the largest sequence number")
        // After the retention (plus a sweep), the job and its event are gone.
        var expired = false
        for _ in 0..<100 where !expired {
            usleep(100_000)
            expired = (try? client.rejection("copy.status", .object([("job", .string(job))]))) != nil
        }
        XCTAssertTrue(expired, "the finished job outlived its retention")
        let late = try client.ok("events.since", .object([("seq", 0)]))
        XCTAssertEqual(late["events"]?.arrayValue?.count, 0)
        XCTAssertEqual(late["truncated"]?.boolValue, true)
    }

    func testRestartForgetsJobsAndChangesTheBootID() throws {
        let directory = lab.scratch + "/" + lab.fresh("restart")
        let first = try startAgent([], in: directory)
        let src = fs("tmp").path(lab.fresh("restart"))
        try Files.createRandom(src, size: 64 * KiB)
        let client = try first.client()
        let boot1 = try XCTUnwrap(try client.ok("agent.hello")["boot_id"]?.stringValue)
        let result = try client.ok("copy.start", startParams(src, src + ".copy", [("synchronous", true)]))
        XCTAssertEqual(result["verifier"]?.stringValue, boot1)
        _ = try client.ok("events.subscribe")
        let job = try XCTUnwrap(try client.ok("copy.start", startParams(src, src + ".async"))["job"]?.stringValue)
        _ = try client.nextNotification(timeout: 60)
        XCTAssertEqual(first.stop(), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: first.socketPath), "the socket file outlived the agent")

        let second = try startAgent([], in: directory)
        let again = try second.client()
        let boot2 = try XCTUnwrap(try again.ok("agent.hello")["boot_id"]?.stringValue)
        XCTAssertNotEqual(boot1, boot2)
        let gone = try again.rejection("copy.status", .object([("job", .string(job))]))
        XCTAssertEqual(gone.kind.rawValue, "no_such_job")
        XCTAssertEqual(gone.nfs4, "NFS4ERR_BAD_STATEID")
        let job2 = try XCTUnwrap(try again.ok("copy.start", startParams(src, src + ".async2"))["job"]?.stringValue)
        XCTAssertNotEqual(job, job2, "job ids must be unique across restarts")
    }

    func testSIGTERMCancelsRunningJobsReportsThemAndExitsZero() throws {
        let agent = try startAgent()
        let src = fs("ext4").path(lab.fresh("term-src"))
        try Files.createRandom(src, size: 512 * MiB)
        defer { Files.remove(src) }
        let client = try agent.client()
        _ = try client.ok("events.subscribe")
        let dst = fs("ext4").path(lab.fresh("term-dst"))
        defer { Files.remove(dst) }
        let job = try XCTUnwrap(try client.ok("copy.start", startParams(src, dst, [("backend", "aio")]))["job"]?.stringValue)
        XCTAssertEqual(agent.stop(signal: SIGTERM), 0, agent.log)
        let event = try XCTUnwrap(try client.nextNotification(timeout: 10), "no copy.done before the agent exited")
        XCTAssertEqual(event["params"]?["job"]?.stringValue, job)
        XCTAssertEqual(event["params"]?["state"]?.stringValue, "cancelled")
        XCTAssertFalse(FileManager.default.fileExists(atPath: agent.socketPath))
    }
}
