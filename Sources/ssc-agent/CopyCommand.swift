import JSON
import ArgumentParser
import Backends
import Glibc

struct CopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy SRC to DST through the best backend that can serve the pair.",
        discussion: """
            Without a range the whole file is copied and DST is truncated to SRC's size. With \
            --src-offset/--dst-offset/--count only that range is copied and DST never shrinks. \
            Holes in SRC read back as zeros in DST and stay holes where DST had no data.
            """
    )

    @Argument(help: "Source: a regular file or a block device.")
    var source: String

    @Argument(help: "Destination: a regular file (created if missing) or a block device.")
    var destination: String

    @OptionGroup var range: RangeOptions

    @Option(help: "Use only this backend (reflink, copy_file_range, xcopy, aio); fail if it cannot serve.")
    var backend: BackendName?

    @Flag(help: "fdatasync the destination before reporting (committed FILE_SYNC).")
    var fsync = false

    @Flag(help: "Fail if the destination already has data.")
    var guarded = false

    @Flag(help: "Print one JSON object with the result.")
    var json = false

    @Flag(help: "Print on stderr which backends were tried and why each was passed over.")
    var explain = false

    @Option(name: .customLong("block-size"), help: "aio: bytes per read/write, e.g. 1M (default 4 MiB).")
    var blockSizeArgument: ByteCount?

    @Option(name: .customLong("queue-depth"), help: "aio: buffers in flight (default 16).")
    var queueDepth: Int?

    @Flag(name: .customLong("no-direct"), help: "aio: never use O_DIRECT.")
    var noDirect = false

    @Option(name: .customLong("scsi-timeout"), help: "xcopy: seconds each SCSI command may take (default 60).")
    var scsiTimeout: Int?

    /// The command line's values as the plain value that runs; SimpleCommandLine
    /// produces the same one without this parser.
    var arguments: CopyArguments {
        CopyArguments(
            source: source, destination: destination, range: range.byteRange, backend: backend, fsync: fsync,
            guarded: guarded, json: json, explain: explain, blockSizeArgument: blockSizeArgument, queueDepth: queueDepth,
            noDirect: noDirect, scsiTimeout: scsiTimeout)
    }

    func validate() throws { try arguments.validate() }

    func run() throws { try arguments.run() }
}

/// What a `copy` command line asks for, however it was parsed: checked by `validate`
/// and carried out by `run`.
struct CopyArguments: Equatable, Sendable {
    var source: String
    var destination: String
    var range: ByteRange
    var backend: BackendName?
    var fsync = false
    var guarded = false
    var json = false
    var explain = false
    var blockSizeArgument: ByteCount?
    var queueDepth: Int?
    var noDirect = false
    var scsiTimeout: Int?

    var blockSize: Int? { blockSizeArgument.map { Int(clamping: $0.value) } }

    func validate() throws(ValidationError) {
        if let blockSize, blockSize < 4096 || blockSize > 256 << 20 {
            throw ValidationError("--block-size must be between 4096 and 268435456 bytes")
        }
        if let queueDepth, queueDepth < 1 || queueDepth > 1024 {
            throw ValidationError("--queue-depth must be between 1 and 1024")
        }
        if let scsiTimeout, scsiTimeout < 1 || scsiTimeout > 86400 {
            throw ValidationError("--scsi-timeout must be between 1 and 86400 seconds")
        }
    }

    func run() throws {
        var tunables = Tunables()
        if let blockSize { tunables.aio.blockSize = blockSize }
        if let queueDepth { tunables.aio.queueDepth = queueDepth }
        tunables.aio.direct = !noDirect
        if let scsiTimeout { tunables.xcopy.timeout = .seconds(scsiTimeout) }
        let request = CopyRequest(
            srcOffset: range.srcOffset ?? 0, dstOffset: range.dstOffset ?? 0, count: range.count ?? 0,
            truncate: range.isWholeFile, guarded: guarded, stable: fsync, backend: backend)
        let started = ContinuousClock.now
        let outcome: CopyOutcome
        do throws(CopyFailure) {
            outcome = try InProcessCopy.run(
                source: source, destination: destination, request: request, tunables: tunables,
                showProgress: !json && Output.isTerminal(STDOUT_FILENO)
            ) { (engine, src, dst, context) throws(CopyFailure) -> CopyOutcome in
                try engine.copy(source: src, destination: dst, request: request, tunables: tunables, context: context)
            }
        } catch {
            if explain { Explain.print(error.skipped, chosen: nil) }
            if json { Output.printJSON(.object([("ok", false), ("error", Output.json(error.error)), ("skipped", Output.json(error.skipped))])) }
            Output.printError(error.error.message + (error.error.bytes > 0 ? " (\(error.error.bytes) bytes in place)" : ""))
            throw ExitCode.failure
        }
        let elapsed = ContinuousClock.now - started
        if explain { Explain.print(outcome.skipped, chosen: outcome.backend) }
        report(outcome, elapsed: elapsed, json: json)
    }

    func report(_ outcome: CopyOutcome, elapsed: Duration, json: Bool) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if json {
            var members: [(String, JSONValue)] = [
                ("ok", true), ("bytes", .unsigned(outcome.bytes)), ("count", .unsigned(outcome.count)),
                ("short", .bool(outcome.short)), ("committed", .string(outcome.committed.rawValue)),
                ("backend", .string(outcome.backend.rawValue)), ("skipped", Output.json(outcome.skipped)),
            ]
            if let direct = outcome.direct {
                members.append(("direct", .object([("source", .bool(direct.source)), ("destination", .bool(direct.destination))])))
            }
            members.append(("buffered_bytes", .unsigned(outcome.bufferedBytes)))
            members.append(("seconds", .number(seconds)))
            Output.printJSON(.object(members))
            return
        }
        let rate = seconds > 0 ? "\(humanBytes(Double(outcome.bytes) / seconds))/s" : "-"
        var line = "copied \(outcome.bytes) bytes (\(humanBytes(Double(outcome.bytes)))) with \(outcome.backend) in \(Int(seconds * 1000)) ms, \(rate), \(outcome.committed.rawValue)"
        if let direct = outcome.direct {
            line += ", O_DIRECT source \(direct.source ? "yes" : "no") destination \(direct.destination ? "yes" : "no")"
        }
        if outcome.short { line += " (short: cancelled)" }
        Output.writeLine(line, to: STDOUT_FILENO)
    }
}

extension BackendName: ExpressibleByArgument {}

/// Opens both paths as the CLI does and runs an engine operation on them with a
/// progress bar. A destination this run created is removed again if the operation
/// failed before any byte was in place, so a refused copy leaves nothing behind.
enum InProcessCopy {
    static func run(
        source: String, destination: String, request: CopyRequest, tunables: Tunables, showProgress: Bool,
        operation: (CopyEngine, CopyFile, CopyFile, CopyContext) throws(CopyFailure) -> CopyOutcome
    ) throws(CopyFailure) -> CopyOutcome {
        let engine = CopyEngine()
        let sourceFile: CopyFile
        let destinationFile: CopyFile
        do {
            sourceFile = try CopyFile.openSource(path: source)
        } catch {
            throw CopyFailure(error: error, skipped: [])
        }
        let existed = access(destination, F_OK) == 0
        do {
            destinationFile = try CopyFile.openDestination(path: destination)
        } catch {
            throw CopyFailure(error: error, skipped: [])
        }
        // The total is only needed for a bar; asking the size costs a READ CAPACITY
        // on a SCSI generic node, so it is not asked otherwise.
        let total: UInt64 =
            !showProgress ? 0
            : request.count > 0 ? request.count
            : (try? sourceFile.size()).map { $0 - min($0, request.srcOffset) } ?? 0
        // No bar object at all when none is drawn (its first use costs runtime work).
        let bar = showProgress ? ProgressBar(total: total, enabled: true) : nil
        let context = bar.map { bar in CopyContext { bar.update($0) } } ?? CopyContext()
        defer { bar?.finish() }
        do {
            return try operation(engine, sourceFile, destinationFile, context)
        } catch {
            if !existed, error.error.bytes == 0, destinationFile.kind == .regular, (try? destinationFile.size()) == 0 {
                unlink(destination)
            }
            throw error
        }
    }
}

enum Explain {
    static func print(_ skipped: [BackendSkip], chosen: BackendName?) {
        for skip in skipped {
            Output.writeLine("explain: \(skip.backend): passed over (\(skip.reason.rawValue)): \(skip.message)", to: STDERR_FILENO)
        }
        if let chosen {
            Output.writeLine("explain: \(chosen): chosen", to: STDERR_FILENO)
        }
    }
}
