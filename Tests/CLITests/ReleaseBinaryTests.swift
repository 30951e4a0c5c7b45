import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The release binary as scripts/build-release.sh links it: one static-pie executable
/// (no interpreter, position-independent, RELRO, no executable stack) that the kernel
/// loads at a different address each run, and that copies, clones, probes and reports
/// errors like the debug build the other tests drive.
final class ReleaseBinaryTests: CLITestCase {
    override class func prepare(_ lab: Lab) throws {
        try lab.filesystem(.xfs, "xfs", size: 512 * MiB)
        try lab.filesystem(.ext4, "ext4", size: 512 * MiB)
    }

    /// `$SSC_AGENT_RELEASE_BIN`, else this package's `.build/release/ssc-agent`.
    private func releaseBinary() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["SSC_AGENT_RELEASE_BIN"], !explicit.isEmpty {
            guard access(explicit, X_OK) == 0 else { throw HarnessError("SSC_AGENT_RELEASE_BIN=\(explicit) is not an executable file") }
            return explicit
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = root.appendingPathComponent(".build/release/ssc-agent").path
        guard access(candidate, X_OK) == 0 else {
            throw HarnessError("the release binary \(candidate) is missing: build it with scripts/build-release.sh (make test does) or set SSC_AGENT_RELEASE_BIN")
        }
        return candidate
    }

    private func run(_ arguments: [String]) throws -> AgentRun {
        AgentRun(process: try Shell.run(try releaseBinary(), arguments, timeout: 300))
    }

    // MARK: how it is linked

    private struct ProgramHeader {
        var type: UInt32
        var flags: UInt32
    }

    private static let elfTypeDynamic: UInt16 = 3
    private static let programInterpreter: UInt32 = 3
    private static let gnuStack: UInt32 = 0x6474_e551
    private static let gnuRelro: UInt32 = 0x6474_e552
    private static let executableFlag: UInt32 = 1

    /// The ELF type and program headers of a 64-bit little-endian executable.
    private func elf(_ path: String) throws -> (type: UInt16, headers: [ProgramHeader]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        func integer<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
            var value: T = 0
            for i in 0..<MemoryLayout<T>.size { value |= T(data[offset + i]) << (8 * i) }
            return value
        }
        guard data.count >= 64, data.prefix(4) == Data([0x7F, 0x45, 0x4C, 0x46]), data[4] == 2, data[5] == 1 else {
            throw HarnessError("\(path) is not a 64-bit little-endian ELF file")
        }
        let phoff = Int(integer(32, UInt64.self))
        let phentsize = Int(integer(54, UInt16.self))
        let phnum = Int(integer(56, UInt16.self))
        guard phentsize >= 8, phoff + phentsize * phnum <= data.count else { throw HarnessError("\(path): program headers out of range") }
        let headers = (0..<phnum).map { i in
            ProgramHeader(type: integer(phoff + i * phentsize, UInt32.self), flags: integer(phoff + i * phentsize + 4, UInt32.self))
        }
        return (integer(16, UInt16.self), headers)
    }

    func testReleaseBinaryIsAStaticPositionIndependentExecutable() throws {
        let (type, headers) = try elf(try releaseBinary())
        XCTAssertEqual(type, Self.elfTypeDynamic, "ET_DYN: a position-independent executable, loaded at a random address")
        XCTAssertFalse(headers.contains { $0.type == Self.programInterpreter }, "PT_INTERP: linked dynamically, not static-pie")
        XCTAssertTrue(headers.contains { $0.type == Self.gnuRelro }, "no PT_GNU_RELRO: relocated data would stay writable")
        let stack = headers.first { $0.type == Self.gnuStack }
        XCTAssertNotNil(stack, "no PT_GNU_STACK")
        XCTAssertEqual((stack?.flags ?? Self.executableFlag) & Self.executableFlag, 0, "executable stack")
    }

    /// Where the process is when it calls exit_group, as `strace -i` shows: in the
    /// binary's own copy of libc's `_exit`, so it moves with the binary's load address.
    private func exitAddress(randomized: Bool) throws -> String {
        let strace = ["strace", "-i", "-e", "trace=exit_group", try releaseBinary(), "--version"]
        let command = randomized ? strace : ["setarch", "-R"] + strace
        let result = try Shell.run(command[0], Array(command.dropFirst()), timeout: 60)
        guard result.status == 0, let line = result.stderr.split(separator: "\n").first(where: { $0.contains("exit_group(") }),
            line.hasPrefix("["), let close = line.firstIndex(of: "]")
        else { throw HarnessError("no exit_group address in the strace output: \(result)") }
        return String(line[line.index(after: line.startIndex)..<close])
    }

    func testReleaseBinaryLoadsAtADifferentAddressEachRun() throws {
        let addresses = try (0..<3).map { _ in try exitAddress(randomized: true) }
        XCTAssertGreaterThan(Set(addresses).count, 1, "the same address in three runs: no ASLR for the binary (\(addresses))")
        // The control: with randomization switched off for the child, the address the
        // method sees stays put, so the difference above is the kernel's doing.
        let fixed = try (0..<2).map { _ in try exitAddress(randomized: false) }
        XCTAssertEqual(fixed[0], fixed[1], "setarch -R did not fix the address: the method does not see the load address")
    }

    func testStartUpFunctionsSitTogether() throws {
        // build-release.sh has the linker place the functions scripts/startup-order.txt
        // lists side by side, so that a one-shot process faults in few windows of code.
        // Laid out as the object files come, those 844 KB of functions are spread over
        // 100 windows of 64 KiB; placed by the list, about 58 (13 if packed perfectly:
        // some of them share a section with functions not listed).
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let listed = try String(contentsOf: root.appendingPathComponent("scripts/startup-order.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let symbols = try Shell.run("nm", ["--defined-only", "--print-size", try releaseBinary()])
        XCTAssertEqual(symbols.status, 0, symbols.stderr)
        var functions: [String: (address: UInt64, size: UInt64)] = [:]
        for line in symbols.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 4, fields[2] == "t" || fields[2] == "T",
                let address = UInt64(fields[0], radix: 16), let size = UInt64(fields[1], radix: 16)
            else { continue }
            if functions[String(fields[3])] == nil { functions[String(fields[3])] = (address, size) }
        }
        let present = listed.compactMap { functions[$0] }
        XCTAssertGreaterThan(present.count, listed.count * 9 / 10, "most listed functions exist: run scripts/startup-order.sh")
        let window: UInt64 = 64 << 10
        var windows = Set<UInt64>()
        for function in present {
            windows.formUnion((function.address / window)...((function.address + max(function.size, 1) - 1) / window))
        }
        let packed = present.reduce(0) { $0 + $1.size } / window + 1
        XCTAssertLessThanOrEqual(windows.count, Int(packed) * 5, "\(present.count) start-up functions over \(windows.count) windows of 64 KiB (\(packed) packed): not linked in order")
    }

    func testReleaseBinaryLinksNoFoundationNorICU() throws {
        // build-release.sh keeps swift-corelibs-foundation (and with it CoreFoundation and
        // ICU's data) out of the link: their symbols would be in the symbol table.
        let binary = try Data(contentsOf: URL(fileURLWithPath: try releaseBinary()))
        for marker in ["$s10Foundation", "icudt", "CFStringCreate"] {
            XCTAssertNil(binary.range(of: Data(marker.utf8)), "the release binary holds \(marker)...: Foundation was linked")
        }
        // Nor C++ iostreams, whose locale and stream set-up would run at every start.
        XCTAssertNil(binary.range(of: Data("_ZNSt8ios_base4Init".utf8)), "the release binary sets up C++ iostreams")
    }

    func testReleaseBinaryReadsOverrideProfileFiles() throws {
        // Override files are the one TOML the binary reads at run time.
        let directory = lab.scratch + "/" + lab.fresh("profiles")
        try FileManager.default.createDirectory(atPath: directory + "/good", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/bad", withIntermediateDirectories: true)
        try """
            # streaming only on XFS
            name = "xfs"
            description = "test: XFS without reflink"
            verified = false
            source = "Tests/CLITests/ReleaseBinaryTests.swift"
            order = ["aio"]

            [match]
            fstype = ["xfs"]
            file_type = "regular"
            vendor = "LIO-ORG|PURE"

            [tunables.aio]
            block_size = 1048576
            """.write(toFile: directory + "/good/xfs.toml", atomically: true, encoding: .utf8)
        try "name = \"broken\"\norder = [\n".write(toFile: directory + "/bad/broken.toml", atomically: true, encoding: .utf8)

        let src = lab.fresh(on: fs("xfs"), "src")
        try Files.createRandom(src, size: 3 * MiB + 5)
        let dst = lab.fresh(on: fs("xfs"), "dst")
        let copy = try run(["copy", src, dst, "--profiles", directory + "/good", "--json"])
        // The vendor rule cannot hold for a file on a loop device: the built-in xfs
        // profile is replaced by name, so generic decides (reflink first).
        XCTAssertEqual(copy.status, 0, "\(copy)")
        let listing = try run(["profiles", "--profiles", directory + "/good"])
        XCTAssertEqual(listing.status, 0, "\(listing)")
        XCTAssertTrue(listing.stdout.contains("\(directory)/good/xfs.toml"), "\(listing)")
        XCTAssertTrue(listing.stdout.contains("vendor=/LIO-ORG|PURE/"), "\(listing)")
        assertIdentical(src, dst)

        let broken = try run(["profiles", "--profiles", directory + "/bad"])
        XCTAssertEqual(broken.status, 1, "\(broken)")
        XCTAssertTrue(broken.stderr.hasPrefix("ssc-agent: \(directory)/bad/broken.toml:2:9: TOML syntax error: unterminated array"), "line and column of the syntax error: \(broken)")
    }

    // MARK: what it does

    func testReleaseBinaryCopiesClonesAndProbes() throws {
        let src = lab.fresh(on: fs("xfs"), "src")
        try Files.createRandom(src, size: 5 * MiB + 123)
        let reflinked = lab.fresh(on: fs("xfs"), "reflinked")
        let copy = try run(["copy", src, reflinked, "--json"])
        XCTAssertEqual(copy.status, 0, "\(copy)")
        XCTAssertEqual(copy.report?.backend, "reflink", "\(copy)")
        assertIdentical(src, reflinked)

        let streamed = lab.fresh(on: fs("ext4"), "streamed")
        let aio = try run(["copy", src, streamed, "--backend", "aio", "--fsync", "--json"])
        XCTAssertEqual(aio.status, 0, "\(aio)")
        XCTAssertEqual(aio.report?.backend, "aio", "\(aio)")
        XCTAssertEqual(aio.report?.committed, "FILE_SYNC", "\(aio)")
        assertIdentical(src, streamed)

        let cloned = lab.fresh(on: fs("xfs"), "cloned")
        let clone = try run(["clone", src, cloned, "--json"])
        XCTAssertEqual(clone.status, 0, "\(clone)")
        assertIdentical(src, cloned)

        let probe = try run(["probe", src, streamed, "--json"])
        XCTAssertEqual(probe.status, 0, "\(probe)")
        XCTAssertTrue(probe.stdout.contains("\"fstype\":\"xfs\""), "\(probe)")
    }

    func testReleaseBinaryReportsArgumentAndCopyErrors() throws {
        let help = try run(["copy", "--help"])
        XCTAssertEqual(help.status, 0, "\(help)")
        XCTAssertTrue(help.stdout.contains("--scsi-timeout"), "\(help)")

        let unknown = try run(["copy", "a", "b", "--no-such-option"])
        XCTAssertEqual(unknown.status, 64, "\(unknown)")
        XCTAssertTrue(unknown.stderr.contains("Unknown option '--no-such-option'"), "\(unknown)")

        let missing = fs("ext4").path("no-such-source")
        let dst = lab.fresh(on: fs("ext4"), "dst")
        let refused = try run(["copy", missing, dst])
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertEqual(refused.stderr, "ssc-agent: \(missing): cannot open the source: No such file or directory (ENOENT)\n")
        XCTAssertFalse(Files.exists(dst), "a refused copy left its destination behind")
    }
}
