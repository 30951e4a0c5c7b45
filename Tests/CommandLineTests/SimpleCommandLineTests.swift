import ArgumentParser
import Backends
import TestSupport
import XCTest

@testable import ssc_agent

/// The plain copy/clone parser against ArgumentParser, on the same argument vectors:
/// wherever `SimpleCommandLine` answers, ArgumentParser must produce exactly the same
/// arguments (and accept them: validation included); everything else it must leave to
/// ArgumentParser. The plain invocations scripts and benchmarks use must take the
/// fast path.
final class SimpleCommandLineTests: XCTestCase {
    /// What ArgumentParser makes of `arguments`: the copy or clone arguments, or nil
    /// when it parses another command or reports anything (help, version, an error).
    private func argumentParser(_ arguments: [String]) -> SimpleCommandLine.Command? {
        guard let command = try? SSCAgent.parseAsRoot(arguments) else { return nil }
        if let copy = command as? CopyCommand { return .copy(copy.arguments) }
        if let clone = command as? CloneCommand { return .clone(clone.arguments) }
        return nil
    }

    private func simple(_ arguments: [String]) -> SimpleCommandLine.Command? {
        SimpleCommandLine.parse(ArraySlice(arguments))
    }

    /// Soundness for one vector: if the plain parser answers, ArgumentParser agrees.
    /// Returns whether the plain parser answered.
    @discardableResult
    private func assertAgree(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) -> Bool {
        guard let fast = simple(arguments) else { return false }
        let reference = argumentParser(arguments)
        XCTAssertEqual(
            fast, reference, "the plain parser and ArgumentParser disagree on \(arguments)", file: file, line: line)
        return true
    }

    private func copy(
        _ source: String, _ destination: String, _ range: ByteRange = ByteRange(), backend: BackendName? = nil,
        fsync: Bool = false, guarded: Bool = false, json: Bool = false, explain: Bool = false, blockSize: UInt64? = nil,
        queueDepth: Int? = nil, noDirect: Bool = false, scsiTimeout: Int? = nil
    ) -> SimpleCommandLine.Command {
        .copy(
            CopyArguments(
                source: source, destination: destination, range: range, backend: backend, fsync: fsync, guarded: guarded,
                json: json, explain: explain, blockSizeArgument: blockSize.map(ByteCount.init), queueDepth: queueDepth,
                noDirect: noDirect, scsiTimeout: scsiTimeout))
    }

    // MARK: the plain invocations

    /// Every option and flag, in both spellings, in several orders: the plain parser
    /// answers, with what the test expects, and ArgumentParser answers the same.
    func testPlainInvocationsTakeTheFastPathWithArgumentParsersResult() {
        let cases: [([String], SimpleCommandLine.Command)] = [
            (["copy", "a", "b"], copy("a", "b")),
            (["copy", "/mnt/x/src", "/mnt/x/dst", "--json"], copy("/mnt/x/src", "/mnt/x/dst", json: true)),
            (["copy", "--json", "a", "b"], copy("a", "b", json: true)),
            (["copy", "a", "--explain", "b"], copy("a", "b", explain: true)),
            (
                ["copy", "a", "b", "--backend", "aio", "--fsync"],
                copy("a", "b", backend: .aio, fsync: true)
            ),
            (["copy", "a", "b", "--backend=xcopy", "--json"], copy("a", "b", backend: .xcopy, json: true)),
            (["copy", "a", "b", "--backend", "copy_file_range"], copy("a", "b", backend: .copyFileRange)),
            (["copy", "a", "b", "--backend", "reflink", "--guarded"], copy("a", "b", backend: .reflink, guarded: true)),
            (
                ["copy", "a", "b", "--src-offset", "64M", "--count", "16M", "--dst-offset", "1M"],
                copy("a", "b", ByteRange(srcOffset: 64 << 20, dstOffset: 1 << 20, count: 16 << 20))
            ),
            (
                ["copy", "a", "b", "--src-offset=4K", "--dst-offset=0", "--count=0"],
                copy("a", "b", ByteRange(srcOffset: 4096, dstOffset: 0, count: 0))
            ),
            (["copy", "a", "b", "--count", "4 K"], copy("a", "b", ByteRange(count: 4096))),
            (["copy", "a", "b", "--count", "3gib"], copy("a", "b", ByteRange(count: 3 << 30))),
            (
                ["copy", "a", "b", "--block-size", "1M", "--queue-depth", "32", "--no-direct"],
                copy("a", "b", blockSize: 1 << 20, queueDepth: 32, noDirect: true)
            ),
            (["copy", "a", "b", "--block-size=4096", "--queue-depth=1"], copy("a", "b", blockSize: 4096, queueDepth: 1)),
            (["copy", "a", "b", "--block-size", "256M", "--queue-depth", "1024"], copy("a", "b", blockSize: 256 << 20, queueDepth: 1024)),
            (["copy", "a", "b", "--scsi-timeout", "5"], copy("a", "b", scsiTimeout: 5)),
            (["copy", "a", "b", "--scsi-timeout=86400"], copy("a", "b", scsiTimeout: 86400)),
            (["copy", "a", "b", "--queue-depth", "+7"], copy("a", "b", queueDepth: 7)),
            (["copy", "a b", "c=d", "--json"], copy("a b", "c=d", json: true)),
            (["copy", "", "b"], copy("", "b")),
            (["copy", "help", "b"], copy("help", "b")),
            (["copy", "copy", "clone"], copy("copy", "clone")),
            (["clone", "a", "b"], .clone(CloneArguments(source: "a", destination: "b", range: ByteRange()))),
            (
                ["clone", "a", "b", "--src-offset", "4K", "--count", "5000", "--json"],
                .clone(CloneArguments(source: "a", destination: "b", range: ByteRange(srcOffset: 4096, count: 5000), json: true))
            ),
            (
                ["clone", "--dst-offset=8K", "a", "b"],
                .clone(CloneArguments(source: "a", destination: "b", range: ByteRange(dstOffset: 8192)))
            ),
        ]
        for (arguments, expected) in cases {
            XCTAssertEqual(simple(arguments), expected, "plain parser on \(arguments)")
            XCTAssertEqual(argumentParser(arguments), expected, "ArgumentParser on \(arguments)")
        }
    }

    /// The invocations of the benchmarks, the device lab and the README: all plain.
    func testDocumentedAndBenchmarkedInvocationsTakeTheFastPath() {
        let invocations: [[String]] = [
            ["copy", "/b/ext4/src", "/b/ext4/dst", "--backend", "aio", "--fsync"],
            ["copy", "/b/ext4/src", "/b/ext4/dst", "--backend", "copy_file_range", "--fsync"],
            ["copy", "/b/xfs/src", "/b/xfs/dst"],
            ["copy", "/dev/sda", "/dev/sdb", "--backend", "xcopy", "--json"],
            ["copy", "/dev/sda", "/dev/sdb", "--backend", "xcopy"],
            ["copy", "/dev/sg0", "/dev/sg1", "--backend", "xcopy", "--scsi-timeout", "30"],
            ["copy", "/mnt/ext4/vm.img", "/mnt/xfs/vm.img", "--explain"],
            ["copy", "/mnt/ext4/vm.img", "/mnt/xfs/part.img", "--src-offset", "64M", "--count", "16M", "--dst-offset", "1M"],
            ["clone", "/mnt/xfs/vm.img", "/mnt/xfs/c2", "--src-offset", "4K", "--count", "5000"],
        ]
        for arguments in invocations {
            XCTAssertTrue(assertAgree(arguments), "\(arguments) should take the fast path")
        }
    }

    // MARK: what is left to ArgumentParser

    /// Help, version, completion, `--`, unknown, short, repeated or valueless options,
    /// values that do not parse or validate, wrong positional counts, other commands:
    /// the plain parser does not answer, whatever ArgumentParser makes of them.
    func testAnythingNotPlainIsLeftToArgumentParser() {
        let declined: [[String]] = [
            [], ["--help"], ["-h"], ["help"], ["help", "copy"], ["--version"], ["probe", "a"], ["probe", "a", "b"],
            ["Copy", "a", "b"], ["copy"], ["copy", "a"], ["copy", "a", "b", "c"], ["clone", "a"],
            ["copy", "a", "b", "--help"], ["copy", "a", "b", "-h"], ["copy", "--help", "a", "b"],
            ["copy", "a", "b", "--version"], ["copy", "a", "b", "--generate-completion-script", "bash"],
            ["copy", "a", "b", "--experimental-dump-help"], ["--generate-completion-script", "bash"],
            ["copy", "--", "a", "b"], ["copy", "a", "--", "b"], ["copy", "a", "b", "--"], ["copy", "-", "b"],
            ["copy", "a", "b", "--json", "--json"], ["copy", "a", "b", "--count", "1", "--count", "2"],
            ["copy", "a", "b", "--count"], ["copy", "a", "b", "--count", "--json"], ["copy", "a", "b", "--count="],
            ["copy", "a", "b", "--count", "-1"], ["copy", "a", "b", "--count", "1x"], ["copy", "a", "b", "--count", "abc"],
            ["copy", "a", "b", "--count", "17179869184T"], ["copy", "a", "b", "--src-offset", ""],
            ["copy", "a", "b", "--backend", "bogus"], ["copy", "a", "b", "--backend", "AIO"], ["copy", "a", "b", "--backend"],
            ["copy", "a", "b", "--block-size", "4095"], ["copy", "a", "b", "--block-size", "268435457"],
            ["copy", "a", "b", "--queue-depth", "0"], ["copy", "a", "b", "--queue-depth", "1025"],
            ["copy", "a", "b", "--queue-depth", "4K"], ["copy", "a", "b", "--scsi-timeout", "0"],
            ["copy", "a", "b", "--scsi-timeout", "86401"], ["copy", "a", "b", "--json=yes"], ["copy", "a", "b", "--JSON"],
            ["copy", "a", "b", "--no-such-option"], ["copy", "a", "b", "-j"], ["copy", "a", "b", "--src_offset", "1"],
            ["clone", "a", "b", "--backend", "reflink"], ["clone", "a", "b", "--fsync"], ["clone", "a", "b", "--json", "--json"],
            ["--json", "copy", "a", "b"], ["copy", "a", "b", "-1"],
            ["copy", "a", "b", "--count=\u{301}4K"], ["copy", "a", "b", "--count=4kıb"], ["copy", "a", "b", "--jsoné"],
        ]
        for arguments in declined {
            XCTAssertNil(simple(arguments), "the plain parser must leave \(arguments) to ArgumentParser")
        }
    }

    // MARK: random vectors

    /// Argument vectors drawn from the tokens both parsers care about, plain ones and
    /// broken ones mixed: every one the plain parser answers, ArgumentParser answers
    /// the same. Deterministic (a fixed seed), so a failure repeats.
    func testRandomArgumentVectorsNeverDisagree() {
        var random = SplitMix64(seed: 0x5eed_c0de_2024_0003)
        var answered = 0
        var answeredPerSubcommand: [String: Int] = [:]
        let vectors = 8000
        for _ in 0..<vectors {
            let arguments = Self.randomVector(&random)
            if assertAgree(arguments) {
                answered += 1
                answeredPerSubcommand[arguments[0], default: 0] += 1
            }
        }
        // The draw must exercise both outcomes, or it proves nothing.
        XCTAssertGreaterThan(answered, vectors / 10, "too few vectors took the fast path: the generator is off")
        XCTAssertLessThan(answered, vectors - vectors / 10, "too few vectors were left to ArgumentParser: the generator is off")
        XCTAssertGreaterThan(answeredPerSubcommand["copy", default: 0], 100)
        XCTAssertGreaterThan(answeredPerSubcommand["clone", default: 0], 50)
    }

    private static let subcommands = ["copy", "copy", "copy", "clone", "clone", "probe", "help", "--help", "-h", "--version", "Copy", ""]
    private static let positionals = [
        "src", "dst", "/tmp/a b", "", "help", "-", "--", "-h", "--help", "--version", "x=y", "--=", "é", "copy", "-1", "4K",
    ]
    private static let optionNames = [
        "--src-offset", "--dst-offset", "--count", "--backend", "--block-size", "--queue-depth", "--scsi-timeout",
        "--nope", "--Count", "--src_offset", "-c", "--generate-completion-script", "--agent",
    ]
    private static let flagNames = ["--fsync", "--guarded", "--json", "--explain", "--no-direct", "--JSON", "--json=1", "-j"]
    private static let values = [
        "\u{301}4K", "4kıb", "0", "1", "4K", "4k", "4 K", " 4K", "4KiB", "4KB", "4kib", "4Kb", "1M", "1G", "1T", "16T", "17179869184T", "16777216T",
        "18446744073709551615", "18446744073709551616", "-1", "+5", "abc", "", "0x10", "4096", "4095", "268435456",
        "268435457", "256M", "1024", "1025", "86400", "86401", "aio", "xcopy", "reflink", "copy_file_range", "AIO", "bogus",
        "1x", "--json", "=", "5000",
    ]

    private static let plainValues = ["0", "1", "4K", "4 K", "1M", "1G", "4096", "256M", "1024", "5000", "aio", "xcopy", "+5"]

    private static func randomVector(_ random: inout SplitMix64) -> [String] {
        // A third of the vectors are meant to be plain (two harmless positionals, known
        // options, mostly sensible values), a third mix in broken pieces, a third are
        // anything at all.
        let kind = Int.random(in: 0..<3, using: &random)
        var arguments = [kind == 0 ? ["copy", "clone"].randomElement(using: &random)! : subcommands.randomElement(using: &random)!]
        var tokens: [[String]] = []
        if kind < 2 {
            tokens.append([positionals[Int.random(in: 0..<3, using: &random)]])
            tokens.append([positionals[Int.random(in: 0..<3, using: &random)]])
        }
        for _ in 0..<Int.random(in: 0...(kind < 2 ? 4 : 6), using: &random) {
            switch Int.random(in: 0..<(kind == 0 ? 7 : 10), using: &random) {
            case 0...3:
                let name = optionNames[Int.random(in: 0..<(kind < 2 ? 7 : optionNames.count), using: &random)]
                let value = (kind == 0 ? plainValues : values).randomElement(using: &random)!
                tokens.append(Bool.random(using: &random) ? [name, value] : ["\(name)=\(value)"])
            case 4...6:
                tokens.append([flagNames[Int.random(in: 0..<(kind < 2 ? 5 : flagNames.count), using: &random)]])
            case 7:
                tokens.append([optionNames.randomElement(using: &random)!])
            default:
                tokens.append([positionals.randomElement(using: &random)!])
            }
        }
        tokens.shuffle(using: &random)
        for token in tokens { arguments += token }
        return arguments
    }
}
