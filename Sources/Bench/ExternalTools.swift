import Backends

/// Builds the command of each compared tool for a pair, or says why it does not apply.
/// Every tool copies the whole source; the bench fdatasyncs the destination after each
/// tool exits, inside the timing, as the backends do (dd and fio already sync and pay
/// almost nothing for it).
enum ExternalTools {
    /// fio's and dd's request size, as in bench/compare.sh.
    static let blockSize: UInt64 = 1 << 20
    /// fio's requests in flight.
    static let fioQueueDepth = 16

    /// The cases for `tools`, in that order; `cp` adds a second case for cp's default
    /// (--reflink=auto) when reflink can serve the pair.
    static func cases(for tools: [ToolName], facts: PairFacts, reflinkApplies: Bool, search: ToolSearch) -> [BenchCase] {
        var cases: [BenchCase] = []
        for tool in tools {
            guard let path = search.find(tool.executable) else {
                var skipped = BenchCase(name: tool.rawValue, kind: .tool, label: tool.rawValue, tool: tool)
                skipped.skip("\(tool.executable) is not installed (apt-get install \(tool.package))")
                cases.append(skipped)
                continue
            }
            switch tool {
            case .cp: cases += cp(path, facts: facts, reflinkApplies: reflinkApplies)
            case .dd: cases.append(dd(path, facts: facts))
            case .fio: cases.append(fio(path, facts: facts))
            case .sgXcopy: cases.append(sgXcopy(path, facts: facts))
            }
        }
        return cases
    }

    private static func cp(_ path: String, facts: PairFacts, reflinkApplies: Bool) -> [BenchCase] {
        let src = facts.source.path, dst = facts.destination.path
        var never = BenchCase(
            name: "cp", kind: .tool, label: "cp --reflink=never", tool: .cp, command: [path, "--reflink=never", src, dst])
        guard reflinkApplies else { return [never] }
        never.note = "forbids cloning; cp's default clones on this pair (see cp-reflink-auto)"
        let auto = BenchCase(
            name: "cp-reflink-auto", kind: .tool, label: "cp (default --reflink=auto)", tool: .cp, command: [path, src, dst],
            note: "cp clones by default (coreutils 9.0 and later) where the filesystem can, as reflink does")
        return [never, auto]
    }

    private static func dd(_ path: String, facts: PairFacts) -> BenchCase {
        var command = [path, "if=\(facts.source.path)", "of=\(facts.destination.path)", "bs=1M"]
        let direct = facts.bothDirect
        if direct { command += ["iflag=direct", "oflag=direct"] }
        command.append(facts.destination.kind == .block ? "conv=fdatasync,notrunc" : "conv=fdatasync")
        return BenchCase(
            name: "dd", kind: .tool, label: direct ? "dd bs=1M O_DIRECT" : "dd bs=1M buffered", tool: .dd, command: command,
            note: direct ? nil : "buffered: \(noDirectReason(facts))")
    }

    /// fio as the ceiling of a copy: a read job on the source and a write job on the
    /// destination running at once, each with libaio, 1 MiB requests, 16 in flight.
    private static func fio(_ path: String, facts: PairFacts) -> BenchCase {
        guard facts.size % blockSize == 0 else {
            var skipped = BenchCase(name: "fio", kind: .tool, label: "fio read+write", tool: .fio)
            skipped.skip("the source's \(facts.size) bytes are not a multiple of fio's 1 MiB requests")
            return skipped
        }
        let direct = facts.bothDirect
        let command = [
            path, "--output-format=json", "--ioengine=libaio", "--direct=\(direct ? 1 : 0)", "--bs=1M",
            // The bench decides what is cached (--cold); fio would otherwise drop the
            // source's pages and change what the next case reads.
            "--iodepth=\(fioQueueDepth)", "--end_fsync=1", "--invalidate=0",
            "--name=read", "--rw=read", "--filename=\(fioEscaped(facts.source.path))", "--size=\(facts.size)",
            "--name=write", "--rw=write", "--filename=\(fioEscaped(facts.destination.path))", "--size=\(facts.size)",
        ]
        return BenchCase(
            name: "fio", kind: .tool, label: direct ? "fio read+write O_DIRECT" : "fio read+write buffered", tool: .fio, command: command,
            note: "a paired read job and write job: the most the two devices move at once, not a copy; "
                + "time and process CPU are fio's own figures for the jobs (its start-up excluded); "
                + "whole-machine CPU and bytes cover the whole process"
                + (direct ? "" : "; buffered: \(noDirectReason(facts))"))
    }

    /// sg_xcopy --on_src, the reference EXTENDED COPY initiator, between the two logical
    /// units' pass-through nodes (partition starts as skip/seek).
    private static func sgXcopy(_ path: String, facts: PairFacts) -> BenchCase {
        var skipped = BenchCase(name: "sg_xcopy", kind: .tool, label: "sg_xcopy --on_src", tool: .sgXcopy)
        guard let source = facts.source.scsi, let destination = facts.destination.scsi else {
            skipped.skip("both ends must be SCSI logical units (sg_xcopy sends EXTENDED COPY)")
            return skipped
        }
        guard let blockSize = facts.source.logicalBlockSize, blockSize > 0,
            facts.destination.logicalBlockSize == blockSize
        else {
            skipped.skip("the two logical units' block sizes differ or are unknown")
            return skipped
        }
        let block = UInt64(blockSize)
        guard facts.size % block == 0, source.partitionOffset % block == 0, destination.partitionOffset % block == 0 else {
            skipped.skip("the source size or a partition start is not a multiple of the \(blockSize)-byte logical block")
            return skipped
        }
        // At most 65535 blocks per segment, and at most 32 MiB per command.
        let blocksPerTransfer = min(65535, (32 << 20) / block)
        let command = [
            path, "if=\(source.passThroughNode)", "of=\(destination.passThroughNode)", "bs=\(blockSize)",
            "count=\(facts.size / block)", "skip=\(source.partitionOffset / block)",
            "seek=\(destination.partitionOffset / block)", "bpt=\(blocksPerTransfer)", "--on_src",
        ]
        return BenchCase(name: "sg_xcopy", kind: .tool, label: "sg_xcopy --on_src", tool: .sgXcopy, command: command)
    }

    private static func noDirectReason(_ facts: PairFacts) -> String {
        let sides = [(facts.source, "source"), (facts.destination, "destination")].filter { $0.0.directIO == nil }.map { $0.1 }
        return "no O_DIRECT on the \(sides.joined(separator: " and "))"
    }

    /// fio splits --filename at ':'; a literal colon is written '\:'.
    static func fioEscaped(_ path: String) -> String {
        var out = ""
        for character in path {
            if character == ":" { out += "\\:" } else { out.append(character) }
        }
        return out
    }
}
