import ArgumentParser
import Backends
import Glibc

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

    func run() throws {
        let request = CopyRequest(
            srcOffset: range.srcOffset ?? 0, dstOffset: range.dstOffset ?? 0, count: range.count ?? 0,
            truncate: range.isWholeFile, backend: .reflink)
        do throws(CopyFailure) {
            let outcome = try InProcessCopy.run(
                source: source, destination: destination, request: request, profiles: profiles, showProgress: false
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
