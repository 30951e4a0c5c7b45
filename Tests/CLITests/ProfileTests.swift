import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Device profiles on real loop-mounted filesystems and loop devices: which profile each
/// gets and why, what copy reports, overrides by name with --profiles, the `profiles`
/// command's validation, and the negative cache as probe shows it.
final class ProfileTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.btrfs, "btrfs", size: 512 * MiB)
        try lab.filesystem(.xfs, "xfs", size: 512 * MiB)
        try lab.filesystem(.ext4, "ext4", size: 256 * MiB)
        try lab.tmpfs("tmpfs", size: 64 * MiB)
        try lab.loopDevice("A", size: 32 * MiB)
        try lab.loopDevice("B", size: 32 * MiB)
    }

    /// A fresh directory of profile files under the lab's scratch directory.
    private func profileDirectory(_ files: [String: String]) throws -> String {
        let directory = lab.scratch + "/" + lab.fresh("profiles")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        return directory
    }

    private func profile(_ name: String, order: [String], match: String, tunables: String = "") -> String {
        """
        name = "\(name)"
        description = "test profile \(name)"
        verified = false
        source = "Tests/CLITests/ProfileTests.swift"
        order = [\(order.map { "\"\($0)\"" }.joined(separator: ", "))]

        [match]
        \(match)
        \(tunables)
        """
    }

    private func json(_ run: AgentRun, file: StaticString = #filePath, line: UInt = #line) -> [String: Any] {
        XCTAssertEqual(run.status, 0, "\(run)", file: file, line: line)
        switch run.json {
        case .success(let object): return object
        case .failure(let problem):
            XCTFail("\(problem): \(run)", file: file, line: line)
            return [:]
        }
    }

    private func firstPath(_ object: [String: Any]) -> [String: Any] {
        (object["paths"] as? [[String: Any]])?.first ?? [:]
    }

    private func verdict(_ object: [String: Any], _ backend: String) -> [String: Any] {
        (object["backends"] as? [[String: Any]])?.first { $0["name"] as? String == backend } ?? [:]
    }

    // MARK: matching on real filesystems and devices

    func testFilesOnEachFilesystemGetTheirProfileAndTheirBackingDevice() throws {
        for name in ["btrfs", "xfs", "ext4", "tmpfs"] {
            let filesystem = fs(name)
            let path = lab.fresh(on: filesystem, "file")
            try Files.createRandom(path, size: 64 * KiB)
            let entry = firstPath(json(try Agent.run(["probe", path, "--json"])))
            let chosen = entry["profile"] as? [String: Any]
            XCTAssertEqual(chosen?["name"] as? String, name, "\(entry)")
            XCTAssertEqual(chosen?["verified"] as? Bool, true, "\(entry)")
            XCTAssertTrue((chosen?["reason"] as? String)?.contains("fstype \(name)") == true, "\(entry)")
            let block = entry["block_device"] as? [String: Any]
            if name == "tmpfs" {
                XCTAssertTrue(entry["block_device"] is NSNull, "tmpfs has no block device: \(entry)")
                continue
            }
            // btrfs reports an anonymous st_dev: the device comes from the mount source.
            XCTAssertEqual(block?["name"] as? String, (filesystem.source as NSString).lastPathComponent, "\(name): \(entry)")
            XCTAssertEqual(block?["role"] as? String, "loop", "\(entry)")
            XCTAssertEqual(block?["transport"] as? String, "loop", "\(entry)")
            XCTAssertEqual(block?["backing_file"] as? String, lab.root + "/images/fs-\(name).img", "\(entry)")
            XCTAssertEqual(JSONNumber.int(block?["logical_block_size"]), 512, "\(entry)")
        }
    }

    func testALoopDeviceIsGenericAndShowsItsBackingFile() throws {
        let object = json(try Agent.run(["probe", device("A"), "--json"]))
        XCTAssertEqual(object["profile"] as? String, "generic", "\(object)")
        let block = firstPath(object)["block_device"] as? [String: Any]
        XCTAssertEqual(block?["device"] as? String, firstPath(object)["device"] as? String, "\(object)")
        XCTAssertEqual(block?["name"] as? String, (device("A") as NSString).lastPathComponent, "\(object)")
        XCTAssertEqual(block?["backing_file"] as? String, lab.root + "/images/A.img", "\(object)")
        let rejected = (firstPath(object)["profile"] as? [String: Any])?["rejected"] as? [[String: Any]] ?? []
        let lio = rejected.first { $0["profile"] as? String == "lio" }
        XCTAssertTrue((lio?["why"] as? String)?.contains("transport") == true, "lio is rejected for its transport rule: \(rejected)")
    }

    func testCopyReportsTheProfilesAndExplainsThem() throws {
        let src = lab.fresh(on: fs("xfs"), "src")
        try Files.createRandom(src, size: 1 * MiB)
        let same = assertCopied(try copy(src, lab.fresh(on: fs("xfs"), "dst")), bytes: 1 * MiB, backend: "reflink")
        XCTAssertEqual(same?.raw["profiles"] as? [String: String], ["source": "xfs", "destination": "xfs"])

        let ext4 = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(ext4, size: 1 * MiB)
        let run = try copy(ext4, lab.fresh(on: fs("xfs"), "dst"), ["--explain"])
        let cross = assertCopied(run, bytes: 1 * MiB, backend: "aio")
        XCTAssertEqual(cross?.raw["profiles"] as? [String: String], ["source": "ext4", "destination": "xfs"])
        let skipped = cross?.raw["skipped"] as? [[String: Any]] ?? []
        XCTAssertEqual(skipped.first { $0["backend"] as? String == "reflink" }?["class"] as? String, "excluded", "\(skipped)")
        XCTAssertEqual(skipped.first { $0["backend"] as? String == "copy_file_range" }?["class"] as? String, "not_supported", "\(skipped)")
        XCTAssertTrue(run.stderr.contains("explain: source \(ext4): profile ext4"), run.stderr)
        XCTAssertTrue(run.stderr.contains("profiles differ"), run.stderr)
        XCTAssertTrue(run.stderr.contains("explain: reflink: passed over (excluded)"), run.stderr)
    }

    // MARK: --profiles DIR

    func testAProfileOfTheSameNameOverridesTheBuiltInOne() throws {
        let directory = try profileDirectory([
            "my-xfs.toml": profile("xfs", order: ["copy_file_range", "aio"], match: "fstype = [\"xfs\"]\nfile_type = \"regular\"")
        ])
        let src = lab.fresh(on: fs("xfs"), "src")
        try Files.createRandom(src, size: 2 * MiB + 1)
        let dst = lab.fresh(on: fs("xfs"), "dst")
        let report = assertCopied(try copy(src, dst, ["--profiles", directory]), bytes: 2 * MiB + 1, backend: "copy_file_range")
        XCTAssertEqual((report?.raw["skipped"] as? [[String: Any]])?.first?["class"] as? String, "excluded", report?.text ?? "")
        assertIdentical(src, dst)
        // Without the directory the built-in xfs profile clones.
        assertCopied(try copy(src, lab.fresh(on: fs("xfs"), "dst")), bytes: 2 * MiB + 1, backend: "reflink")

        let probe = json(try Agent.run(["probe", src, "--profiles", directory, "--json"]))
        let chosen = firstPath(probe)["profile"] as? [String: Any]
        XCTAssertEqual(chosen?["origin"] as? String, directory + "/my-xfs.toml", "\(probe)")
        XCTAssertEqual(chosen?["verified"] as? Bool, false)
    }

    func testAProfileForLoopDevicesSetsOrderAndTunables() throws {
        let directory = try profileDirectory([
            "loops.toml": profile(
                "loops", order: ["aio"], match: "file_type = \"block\"\ntransport = [\"loop\"]",
                tunables: "[tunables.aio]\nblock_size = 1048576\nqueue_depth = 2")
        ])
        let object = json(try Agent.run(["probe", device("A"), device("B"), "--profiles", directory, "--json"]))
        let selection = object["selection"] as? [String: Any]
        XCTAssertEqual(selection?["source_profile"] as? String, "loops", "\(object)")
        XCTAssertEqual(selection?["order"] as? [String], ["aio"], "\(object)")
        let aio = (object["tunables"] as? [String: Any])?["aio"] as? [String: Any]
        XCTAssertEqual(JSONNumber.int(aio?["block_size"]), 1 * MiB, "\(object)")
        XCTAssertEqual(JSONNumber.int(aio?["queue_depth"]), 2, "\(object)")
        XCTAssertEqual(verdict(object, "xcopy")["class"] as? String, "excluded", "\(object)")
        XCTAssertEqual(verdict(object, "aio")["verdict"] as? String, "yes", "\(object)")

        try Files.writeRandom(device("A"), length: 32 * MiB)
        let report = assertCopied(try copy(device("A"), device("B"), ["--profiles", directory]), bytes: 32 * MiB, backend: "aio")
        XCTAssertEqual(report?.raw["profiles"] as? [String: String], ["source": "loops", "destination": "loops"])
        assertSameBytes(device("A"), 0, device("B"), 0, count: 32 * MiB)
    }

    // MARK: validation

    func testProfilesCommandListsTheBuiltInSet() throws {
        let object = json(try Agent.run(["profiles", "--json"]))
        let list = object["profiles"] as? [[String: Any]] ?? []
        XCTAssertGreaterThanOrEqual(list.count, 16, "\(object)")
        XCTAssertTrue(list.allSatisfy { $0["built_in"] as? Bool == true })
        let names = Set(list.compactMap { $0["name"] as? String })
        XCTAssertTrue(names.isSuperset(of: ["generic", "btrfs", "xfs", "ext4", "tmpfs", "nfs4", "cifs", "lio"]), "\(names)")
        let text = try Agent.run(["profiles"])
        XCTAssertEqual(text.status, 0, "\(text)")
        XCTAssertTrue(text.stdout.contains("all valid"), text.stdout)
    }

    func testEveryMalformedProfileIsReportedWithItsFileAndPosition() throws {
        let directory = try profileDirectory([
            "1-syntax.toml": "name = \"x\"\norder = [\"aio\"]\nverified = tru\n",
            "2-unknown-key.toml": profile("two", order: ["aio"], match: "vendr = \"X\""),
            "3-unknown-backend.toml": profile("three", order: ["aio", "teleport"], match: ""),
            "4-regex.toml": profile("four", order: ["aio"], match: "product = \"Flash(\""),
            "5-dup-a.toml": profile("same", order: ["aio"], match: ""),
            "6-dup-b.toml": profile("same", order: ["aio"], match: ""),
        ])
        let run = try Agent.run(["profiles", "--profiles", directory])
        XCTAssertEqual(run.status, 1, "\(run)")
        let lines = run.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5, "one line per problem: \(run)")
        let expected = [
            "ssc-agent: \(directory)/1-syntax.toml:3:",
            "ssc-agent: \(directory)/2-unknown-key.toml: match.vendr: unknown key",
            "ssc-agent: \(directory)/3-unknown-backend.toml: order[1]: unknown backend 'teleport'",
            "ssc-agent: \(directory)/4-regex.toml: match.product: bad regular expression",
            "ssc-agent: \(directory)/6-dup-b.toml: name: duplicate profile name 'same' (also in \(directory)/5-dup-a.toml)",
        ]
        for prefix in expected {
            XCTAssertTrue(lines.contains { $0.hasPrefix(prefix) }, "missing \(prefix): \(run.stderr)")
        }
        let object = try Agent.run(["profiles", "--profiles", directory, "--json"])
        XCTAssertEqual(object.status, 1)
        if case .success(let value) = object.json {
            let errors = value["errors"] as? [[String: Any]] ?? []
            XCTAssertEqual(errors.count, 5, "\(value)")
            XCTAssertEqual(JSONNumber.int(errors.first?["line"]), 3, "\(value)")
            XCTAssertEqual(errors.last?["key_path"] as? String, "name", "\(value)")
        } else {
            XCTFail("profiles --json must print one object: \(object)")
        }
    }

    func testACopyWithBrokenProfilesFailsBeforeTouchingAnything() throws {
        let directory = try profileDirectory(["bad.toml": profile("bad", order: ["aio"], match: "vendor = \"(\"")])
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 4096)
        let dst = lab.fresh(on: fs("ext4"), "never")
        let run = try copy(src, dst, ["--profiles", directory], json: false)
        assertOneLineError(run, naming: directory + "/bad.toml")
        XCTAssertTrue(run.stderr.contains("match.vendor"), run.stderr)
        XCTAssertFalse(Files.exists(dst), "a copy refused for its profiles must not create \(dst)")
        assertFailed(try copy(src, dst, ["--profiles", directory]), kind: "invalid")
        assertOneLineError(try copy(src, dst, ["--profiles", lab.scratch + "/no-such-dir"], json: false), naming: "no-such-dir")
    }

    // MARK: negative cache

    /// An ext4 profile that lists reflink: probing ext4 -> xfs makes FICLONERANGE and
    /// copy_file_range fail EXDEV, which the engine remembers for the device pair.
    func testProbeShowsWhatTheNegativeCacheRemembers() throws {
        let directory = try profileDirectory([
            "ext4.toml": profile("ext4", order: ["reflink", "copy_file_range", "aio"], match: "fstype = [\"ext4\"]")
        ])
        let src = lab.fresh(on: fs("ext4"), "src")
        try Files.createRandom(src, size: 64 * KiB)
        let object = json(try Agent.run(["probe", src, fs("xfs").path("new"), "--profiles", directory, "--json"]))
        for backend in ["reflink", "copy_file_range"] {
            let v = verdict(object, backend)
            XCTAssertEqual(v["verdict"] as? String, "no", "\(backend): \(object)")
            XCTAssertEqual(v["class"] as? String, "not_supported", "\(backend): \(object)")
            XCTAssertEqual(v["remembered"] as? Bool, true, "\(backend): \(object)")
        }
        let cache = object["negative_cache"] as? [[String: Any]] ?? []
        XCTAssertEqual(Set(cache.compactMap { $0["backend"] as? String }), ["reflink", "copy_file_range"], "\(object)")
        for entry in cache {
            XCTAssertEqual(entry["source_device"] as? String, try Files.deviceNumber(src), "\(entry)")
            XCTAssertTrue((entry["reason"] as? String)?.contains("EXDEV") == true, "\(entry)")
            let seconds = JSONNumber.int(entry["expires_in_seconds"]) ?? -1
            XCTAssertTrue((1...180).contains(seconds), "a TTL of 3 minutes: \(entry)")
        }
        XCTAssertEqual(verdict(object, "xcopy")["class"] as? String, "excluded", "\(object)")
        let human = try Agent.run(["probe", src, fs("xfs").path("new"), "--profiles", directory])
        XCTAssertTrue(human.stdout.contains("negative cache (not supported, remembered"), human.stdout)
        XCTAssertTrue(human.stdout.contains("[not_supported, remembered]"), human.stdout)
    }
}
