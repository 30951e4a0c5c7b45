import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A filesystem kind the harness can build on a loop device.
enum FSKind: String, Sendable {
    case btrfs, xfs, ext4

    var mkfs: (tool: String, arguments: [String]) {
        switch self {
        case .btrfs: ("mkfs.btrfs", ["-f", "-q"])
        case .xfs: ("mkfs.xfs", ["-f", "-q", "-m", "reflink=1"])
        case .ext4: ("mkfs.ext4", ["-F", "-q"])
        }
    }
}

/// One mounted filesystem of a lab.
struct MountedFS: Sendable, CustomStringConvertible {
    let name: String
    /// "btrfs", "xfs", "ext4" or "tmpfs".
    let type: String
    let mountPoint: String
    /// The loop device it lives on ("tmpfs" for tmpfs).
    let source: String
    let size: Int64

    /// A path on this filesystem.
    func path(_ name: String) -> String { mountPoint + "/" + name }

    var description: String { "\(type) \(name) at \(mountPoint)" }
}

/// The per-class set of loop images, loop devices and mounts, all under one temporary
/// directory `/tmp/ssc-cli-tests.XXXXXX`. Everything it creates is recorded the moment it
/// exists, so `tearDown()` cleans up after a test (or a setup step) that failed halfway.
/// A run that crashed before its teardown is cleaned by the next run (see `reapStale`).
final class Lab: @unchecked Sendable {
    static let prefix = "ssc-cli-tests."
    static let tools = [
        ("mkfs.btrfs", "btrfs-progs"), ("mkfs.xfs", "xfsprogs"), ("mkfs.ext4", "e2fsprogs"),
        ("losetup", "mount"), ("mount", "mount"), ("umount", "mount"), ("sha256sum", "coreutils"),
        ("truncate", "coreutils"), ("mkfifo", "coreutils"), ("fincore", "util-linux"),
    ]

    let root: String
    private(set) var filesystems: [String: MountedFS] = [:]
    private(set) var devices: [String: String] = [:]
    private var mountPoints: [String] = []
    private var loops: [String] = []
    private var counter = 0
    private var tornDown = false

    /// Checks root and the tools, reaps stale labs, creates the temporary directory.
    init(label: String) throws {
        guard geteuid() == 0 else {
            throw HarnessError("the CLI integration tests must run as root (loop devices, mount, drop_caches); euid is \(geteuid())")
        }
        let missing = Lab.tools.filter { Shell.which($0.0) == nil }
        guard missing.isEmpty else {
            throw HarnessError("missing tools: " + missing.map { "\($0.0) (apt-get install \($0.1))" }.joined(separator: ", "))
        }
        Lab.reapStale()
        var template = Array("/tmp/\(Lab.prefix)\(label).XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw HarnessError("mkdtemp failed: errno \(errno)")
        }
        root = String(cString: made)
        try Lab.ownerStamp().write(toFile: root + "/owner", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: root + "/images", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/mnt", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/scratch", withIntermediateDirectories: true)
    }

    /// A directory on the root filesystem for FIFOs, directories and other odd sources.
    var scratch: String { root + "/scratch" }

    /// A fresh, unused name (for files created by one test on a shared filesystem).
    func fresh(_ base: String) -> String {
        counter += 1
        return "\(base)-\(counter)"
    }

    /// A fresh path on a filesystem of this lab.
    func fresh(on fs: MountedFS, _ base: String) -> String { fs.path(fresh(base)) }

    // MARK: building

    /// A sparse image of `size` bytes attached to a new loop device (not mounted).
    @discardableResult
    func loopDevice(_ name: String, size: Int64) throws -> String {
        let image = "\(root)/images/\(name).img"
        try Shell.checked("truncate", ["-s", String(size), image])
        let device = try Shell.checked("losetup", ["--find", "--show", image])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard device.hasPrefix("/dev/loop") else {
            throw HarnessError("losetup --find --show \(image) printed \(device)")
        }
        loops.append(device)
        devices[name] = device
        return device
    }

    /// A loop device formatted with `kind` and mounted at `root/mnt/name`.
    @discardableResult
    func filesystem(_ kind: FSKind, _ name: String, size: Int64, mountOptions: [String] = []) throws -> MountedFS {
        let device = try loopDevice("fs-" + name, size: size)
        let (tool, arguments) = kind.mkfs
        try Shell.checked(tool, arguments + [device])
        let mountPoint = "\(root)/mnt/\(name)"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        var args = ["-t", kind.rawValue]
        if !mountOptions.isEmpty { args += ["-o", mountOptions.joined(separator: ",")] }
        try Shell.checked("mount", args + [device, mountPoint])
        mountPoints.append(mountPoint)
        let fs = MountedFS(name: name, type: kind.rawValue, mountPoint: mountPoint, source: device, size: size)
        filesystems[name] = fs
        return fs
    }

    /// A tmpfs of `size` bytes mounted at `root/mnt/name`.
    @discardableResult
    func tmpfs(_ name: String, size: Int64) throws -> MountedFS {
        let mountPoint = "\(root)/mnt/\(name)"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try Shell.checked("mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", mountPoint])
        mountPoints.append(mountPoint)
        let fs = MountedFS(name: name, type: "tmpfs", mountPoint: mountPoint, source: "tmpfs", size: size)
        filesystems[name] = fs
        return fs
    }

    func remount(_ fs: MountedFS, options: String) throws {
        try Shell.checked("mount", ["-o", "remount,\(options)", fs.mountPoint])
    }

    // MARK: teardown

    /// Unmounts (lazily if busy), detaches the loop devices and removes the directory.
    /// Safe to call twice; problems are printed, never thrown (class teardown cannot fail).
    func tearDown() {
        guard !tornDown else { return }
        tornDown = true
        Lab.dismantle(root: root, mountPoints: mountPoints, loops: loops)
    }

    deinit { tearDown() }

    private static func dismantle(root: String, mountPoints: [String], loops: [String]) {
        sync()
        // Also whatever a test mounted by itself below root, deepest first.
        let all = Set(mountPoints + mountedBelow(root))
        for mountPoint in all.sorted(by: { $0.count > $1.count }) {
            if (try? Shell.run("umount", [mountPoint], timeout: 120))?.status != 0 {
                let lazy = try? Shell.run("umount", ["-l", mountPoint], timeout: 120)
                if lazy?.status != 0 {
                    warn("cannot unmount \(mountPoint): \(lazy.map { $0.description } ?? "umount did not run")")
                }
            }
        }
        var attached = loops
        attached += loopsBacked(byImagesIn: root + "/images")
        for device in Set(attached).sorted() {
            if let result = try? Shell.run("losetup", ["-d", device], timeout: 120), result.status != 0,
                !result.stderr.contains("No such device")
            {
                warn("cannot detach \(device): \(result)")
            }
        }
        let stillMounted = mountedBelow(root)
        guard stillMounted.isEmpty else {
            warn("not removing \(root): still mounted: \(stillMounted)")
            return
        }
        do {
            try FileManager.default.removeItem(atPath: root)
        } catch {
            warn("cannot remove \(root): \(error)")
        }
    }

    private static func warn(_ text: String) {
        FileHandle.standardError.write(Data("CLITests harness: \(text)\n".utf8))
    }

    /// Mount points at or below `root`, from /proc/self/mountinfo.
    static func mountedBelow(_ root: String) -> [String] {
        guard let info = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        return info.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let mountPoint = unescapeMountinfo(String(fields[4]))
            return mountPoint == root || mountPoint.hasPrefix(root + "/") ? mountPoint : nil
        }
    }

    static func unescapeMountinfo(_ text: String) -> String {
        text.replacingOccurrences(of: "\\040", with: " ").replacingOccurrences(of: "\\011", with: "\t")
            .replacingOccurrences(of: "\\012", with: "\n").replacingOccurrences(of: "\\134", with: "\\")
    }

    /// Loop devices whose backing file is an image in `directory` (`losetup -j`).
    private static func loopsBacked(byImagesIn directory: String) -> [String] {
        guard let images = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var result: [String] = []
        for image in images where image.hasSuffix(".img") {
            guard let out = try? Shell.run("losetup", ["-j", directory + "/" + image], timeout: 60), out.status == 0 else {
                continue
            }
            for line in out.stdout.split(separator: "\n") {
                if let colon = line.firstIndex(of: ":") { result.append(String(line[..<colon])) }
            }
        }
        return result
    }

    // MARK: stale labs

    /// "pid starttime" of this process: identifies the owner even if the pid is reused.
    static func ownerStamp(pid: pid_t = getpid()) -> String {
        "\(pid) \(processStartTime(pid) ?? "?")"
    }

    static func processStartTime(_ pid: pid_t) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after "(comm)": state is field 3; starttime is field 22.
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        return rest.count > 19 ? String(rest[19]) : nil
    }

    /// Cleans labs of earlier runs whose owning process is gone (a crashed test run).
    static func reapStale() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/tmp") else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let root = "/tmp/" + entry
            guard let owner = try? String(contentsOfFile: root + "/owner", encoding: .utf8) else { continue }
            let parts = owner.split(separator: " ")
            guard parts.count == 2, let pid = pid_t(parts[0]) else { continue }
            if ownerStamp(pid: pid) == owner.trimmingCharacters(in: .whitespacesAndNewlines) { continue }
            warn("reaping stale lab \(root) of dead process \(pid)")
            dismantle(root: root, mountPoints: [], loops: [])
        }
    }
}
