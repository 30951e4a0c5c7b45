import ArgumentParser
import Backends
import Glibc
import Profiles

struct CloneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone",
        abstract: "Clone SRC's extents into DST (reflink), all or nothing.",
        discussion: """
            Offsets and count must be multiples of the destination's clone block size, except a \
            range that ends at SRC's end of file. Without a range DST becomes a clone of all of SRC.
            """
    )

    @Argument(help: "Source regular file.")
    var source: String

    @Argument(help: "Destination regular file on the same filesystem (created if missing).")
    var destination: String

    @OptionGroup var range: RangeOptions

    @Flag(help: "Print one JSON object with the result.")
    var json = false

    @OptionGroup var profiles: ProfileOptions

    /// The command line's values as the plain value that runs; SimpleCommandLine
    /// produces the same one without this parser.
    var arguments: CloneArguments {
        CloneArguments(source: source, destination: destination, range: range.byteRange, json: json, profilesDirectory: profiles.directory)
    }

    func run() throws { try arguments.run() }
}

/// What a `clone` command line asks for, however it was parsed.
struct CloneArguments: Equatable, Sendable {
    var source: String
    var destination: String
    var range: ByteRange
    var json = false
    /// `--profiles DIR` (left to ArgumentParser by the plain command line).
    var profilesDirectory: String? = nil

    func run() throws {
        let request = CopyRequest(
            srcOffset: range.srcOffset ?? 0, dstOffset: range.dstOffset ?? 0, count: range.count ?? 0,
            truncate: range.isWholeFile, backend: .reflink)
        do throws(CopyFailure) {
            let outcome = try InProcessCopy.run(
                source: source, destination: destination, request: request, profilesDirectory: profilesDirectory, showProgress: false
            ) { (engine, src, dst, _) throws(CopyFailure) -> CopyOutcome in
                // Clone is reflink whatever the profiles say (NFS CLONE semantics); the
                // profiles chosen are reported all the same.
                let plan = engine.plan(source: src, destination: dst)
                do throws(CopyError) {
                    var outcome = try engine.clone(source: src, destination: dst, request: request)
                    outcome.plan = plan
                    return outcome
                } catch {
                    throw CopyFailure(error: error, skipped: [], plan: plan)
                }
            }
            if json {
                Output.printJSON(
                    .object([
                        ("ok", true), ("bytes", .unsigned(outcome.bytes)), ("backend", "reflink"),
                        ("profiles", ProfileOutput.json(outcome.plan)),
                    ]))
            } else {
                Output.writeLine("cloned \(outcome.bytes) bytes (\(humanBytes(Double(outcome.bytes))))", to: STDOUT_FILENO)
            }
        } catch {
            if json { Output.printJSON(.object([("ok", false), ("error", Output.json(error.error))])) }
            Output.printError(error.error.message)
            throw ExitCode.failure
        }
    }
}
