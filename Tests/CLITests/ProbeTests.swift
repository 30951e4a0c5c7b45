import CShims
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `probe --json`: what the agent reports about files and devices, checked against the
/// kernel's own answers (stat, statx, mountinfo, ioctls), and the backend verdicts.
final class ProbeTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.btrfs, "btrfs", size: 512 * MiB)
        try lab.filesystem(.ext4, "ext4", size: 512 * MiB)
        try lab.filesystem(.xfs, "xfs", size: 512 * MiB)
        try lab.loopDevice("dev", size: 128 * MiB)
    }

    private func probe(_ paths: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any]? {
        let run = try Agent.run(["probe"] + paths + ["--json"], timeout: 120)
        XCTAssertEqual(run.status, 0, "\(run)", file: file, line: line)
        switch run.json {
        case .success(let object): return object
        case .failure(let problem):
            XCTFail("\(problem): \(run)", file: file, line: line)
            return nil
        }
    }

    private func entries(_ object: [String: Any]?, count: Int, file: StaticString = #filePath, line: UInt = #line) -> [[String: Any]] {
        guard let list = object?["paths"] as? [[String: Any]] else {
            XCTFail("probe must have a paths list: \(String(describing: object))", file: file, line: line)
            return []
        }
        XCTAssertEqual(list.count, count, "paths: \(list)", file: file, line: line)
        return list
    }

    /// Fields of a regular file's entry against stat/statx/mountinfo.
    private func checkRegularFile(_ entry: [String: Any], path: String, fs: MountedFS, file: StaticString = #filePath, line: UInt = #line) throws {
        let st = try Files.stat(path)
        let context = "\(entry)"
        XCTAssertEqual(entry["path"] as? String, path, context, file: file, line: line)
        XCTAssertEqual(entry["type"] as? String, "regular", context, file: file, line: line)
        XCTAssertEqual(entry["fstype"] as? String, fs.type, context, file: file, line: line)
        XCTAssertEqual(entry["mount_point"] as? String, fs.mountPoint, context, file: file, line: line)
        XCTAssertEqual(entry["mount_source"] as? String, fs.source, context, file: file, line: line)
        XCTAssertEqual(entry["device"] as? String, try Files.deviceNumber(path), context, file: file, line: line)
        XCTAssertEqual(JSONNumber.int(entry["size"]), Int64(st.st_size), context, file: file, line: line)
        XCTAssertEqual(JSONNumber.int(entry["st_blksize"]), Int64(st.st_blksize), context, file: file, line: line)
        XCTAssertEqual(JSONNumber.int(entry["fs_block_size"]), 4096, context, file: file, line: line)
        let fd = try Files.open(path, O_RDONLY)
        defer { close(fd) }
        var align = ssc_dio_align()
        XCTAssertEqual(ssc_statx_dioalign(fd, &align), 0, file: file, line: line)
        XCTAssertEqual(JSONNumber.int(entry["dio_mem_align"]), Int64(align.mem_align), context, file: file, line: line)
        XCTAssertEqual(JSONNumber.int(entry["dio_offset_align"]), Int64(align.offset_align), context, file: file, line: line)
    }

    private func verdicts(_ object: [String: Any]?, file: StaticString = #filePath, line: UInt = #line) -> [String: (verdict: String, reason: String)] {
        guard let list = object?["backends"] as? [[String: Any]] else {
            XCTFail("probe with two paths must list backends: \(String(describing: object))", file: file, line: line)
            return [:]
        }
        var result: [String: (String, String)] = [:]
        for entry in list {
            guard let name = entry["name"] as? String, let verdict = entry["verdict"] as? String else {
                XCTFail("backend entry needs name and verdict: \(entry)", file: file, line: line)
                continue
            }
            XCTAssertTrue(["yes", "no", "maybe"].contains(verdict), "verdict: \(entry)", file: file, line: line)
            XCTAssertNotNil(entry["reason"] as? String, "reason: \(entry)", file: file, line: line)
            result[name] = (verdict, entry["reason"] as? String ?? "")
        }
        return result
    }

    func testProbeBtrfsFile() throws {
        let path = lab.fresh(on: fs("btrfs"), "file")
        try Files.createRandom(path, size: 1 * MiB + 5)
        let list = entries(try probe([path]), count: 1)
        guard let entry = list.first else { return }
        try checkRegularFile(entry, path: path, fs: fs("btrfs"))
    }

    func testProbeExt4File() throws {
        let path = lab.fresh(on: fs("ext4"), "file")
        try Files.createRandom(path, size: 3 * MiB)
        let list = entries(try probe([path]), count: 1)
        guard let entry = list.first else { return }
        try checkRegularFile(entry, path: path, fs: fs("ext4"))
    }

    func testProbeXFSFile() throws {
        let path = lab.fresh(on: fs("xfs"), "file")
        try Files.createRandom(path, size: 8192)
        let list = entries(try probe([path]), count: 1)
        guard let entry = list.first else { return }
        try checkRegularFile(entry, path: path, fs: fs("xfs"))
    }

    func testProbeBlockDevice() throws {
        let dev = device("dev")
        let list = entries(try probe([dev]), count: 1)
        guard let entry = list.first else { return }
        let fd = try Files.open(dev, O_RDONLY)
        defer { close(fd) }
        var logical: Int32 = 0
        var physical: UInt32 = 0
        XCTAssertEqual(ssc_blksszget(fd, &logical), 0)
        XCTAssertEqual(ssc_blkpbszget(fd, &physical), 0)
        XCTAssertEqual(entry["path"] as? String, dev, "\(entry)")
        XCTAssertEqual(entry["type"] as? String, "block", "\(entry)")
        XCTAssertEqual(JSONNumber.int(entry["size"]), 128 * MiB, "\(entry)")
        XCTAssertEqual(JSONNumber.int(entry["logical_block_size"]), Int64(logical), "\(entry)")
        XCTAssertEqual(JSONNumber.int(entry["physical_block_size"]), Int64(physical), "\(entry)")
        XCTAssertNotNil(JSONNumber.int(entry["dio_offset_align"]), "\(entry)")
    }

    func testTwoPathsOnBtrfsReflinkYes() throws {
        let a = lab.fresh(on: fs("btrfs"), "a")
        let b = lab.fresh(on: fs("btrfs"), "b")
        try Files.createRandom(a, size: 1 * MiB)
        try Files.createRandom(b, size: 1 * MiB)
        let object = try probe([a, b])
        let list = entries(object, count: 2)
        if list.count == 2 {
            try checkRegularFile(list[0], path: a, fs: fs("btrfs"))
            try checkRegularFile(list[1], path: b, fs: fs("btrfs"))
        }
        let v = verdicts(object)
        XCTAssertEqual(v["reflink"]?.verdict, "yes", "\(v)")
        XCTAssertEqual(v["aio"]?.verdict, "yes", "\(v)")
    }

    /// PATH2 not yet existing: verdicts on its directory's filesystem.
    func testSecondPathNotYetExistingOnBtrfs() throws {
        let a = lab.fresh(on: fs("btrfs"), "a")
        try Files.createRandom(a, size: 1 * MiB)
        let b = lab.fresh(on: fs("btrfs"), "not-yet")
        let v = verdicts(try probe([a, b]))
        XCTAssertEqual(v["reflink"]?.verdict, "yes", "\(v)")
        XCTAssertFalse(Files.exists(b), "probe must not create \(b)")
    }

    func testExt4ToXFSOnlyAio() throws {
        let a = lab.fresh(on: fs("ext4"), "a")
        try Files.createRandom(a, size: 1 * MiB)
        let b = lab.fresh(on: fs("xfs"), "b")
        try Files.createRandom(b, size: 1 * MiB)
        let v = verdicts(try probe([a, b]))
        XCTAssertEqual(v["reflink"]?.verdict, "no", "\(v)")
        XCTAssertEqual(v["copy_file_range"]?.verdict, "no", "\(v)")
        XCTAssertEqual(v["aio"]?.verdict, "yes", "\(v)")
        XCTAssertFalse(v["reflink"]?.reason.isEmpty ?? true, "a 'no' needs a reason: \(v)")
        XCTAssertFalse(v["copy_file_range"]?.reason.isEmpty ?? true, "a 'no' needs a reason: \(v)")
    }

    func testExt4ToNewFileOnXFSOnlyAio() throws {
        let a = lab.fresh(on: fs("ext4"), "a")
        try Files.createRandom(a, size: 1 * MiB)
        let b = lab.fresh(on: fs("xfs"), "not-yet")
        let v = verdicts(try probe([a, b]))
        XCTAssertEqual(v["reflink"]?.verdict, "no", "\(v)")
        XCTAssertEqual(v["copy_file_range"]?.verdict, "no", "\(v)")
        XCTAssertEqual(v["aio"]?.verdict, "yes", "\(v)")
    }

    func testWithinExt4NoReflinkButCopyFileRange() throws {
        let a = lab.fresh(on: fs("ext4"), "a")
        let b = lab.fresh(on: fs("ext4"), "b")
        try Files.createRandom(a, size: 1 * MiB)
        try Files.createRandom(b, size: 1 * MiB)
        let v = verdicts(try probe([a, b]))
        XCTAssertEqual(v["reflink"]?.verdict, "no", "\(v)")
        XCTAssertEqual(v["copy_file_range"]?.verdict, "yes", "\(v)")
        XCTAssertEqual(v["aio"]?.verdict, "yes", "\(v)")
    }

    func testDeviceToDeviceOnlyAio() throws {
        let v = verdicts(try probe([device("dev"), device("dev")]))
        XCTAssertEqual(v["reflink"]?.verdict, "no", "\(v)")
        XCTAssertEqual(v["copy_file_range"]?.verdict, "no", "\(v)")
        XCTAssertEqual(v["aio"]?.verdict, "yes", "\(v)")
    }

    func testProbeWithoutJSONIsHumanReadable() throws {
        let path = lab.fresh(on: fs("btrfs"), "file")
        try Files.createRandom(path, size: 4096)
        let run = try Agent.run(["probe", path], timeout: 120)
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertTrue(run.stdout.contains("btrfs"), "probe output should name the filesystem: \(run)")
    }

    func testProbeMissingPathFails() throws {
        let missing = fs("ext4").path("no-such-file")
        let run = try Agent.run(["probe", missing], timeout: 120)
        assertOneLineError(run, naming: missing)
    }
}
