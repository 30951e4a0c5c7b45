import JSON
import ArgumentParser
import Agent
import Backends
import Glibc
import XCopy

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Show a path's filesystem, device and block sizes, and which backends can copy PATH to PATH2.",
        discussion: """
            With PATH2 each backend is tried without changing anything: clone and copy_file_range \
            are called on an unnamed temporary file in PATH2's directory. PATH2 need not exist.
            """
    )

    @Argument(help: "A file or block device.")
    var path: String

    @Argument(help: "A copy destination to judge the backends for.")
    var path2: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let engine = CopyEngine()
        do {
            var probes = [try DeviceProbe.probe(path: path)]
            if let path2, access(path2, F_OK) == 0 {
                probes.append(try DeviceProbe.probe(path: path2))
            }
            let verdicts = try path2.map { (p) throws(CopyError) in try DeviceProbe.verdicts(source: path, destination: p, engine: engine) }
            if json {
                var members: [(String, JSONValue)] = [("paths", .array(probes.map(ProbeReport.json)))]
                if let verdicts { members.append(("backends", .array(verdicts.map(ProbeReport.json)))) }
                Output.printJSON(.object(members))
            } else {
                for probe in probes { printHuman(probe) }
                if let verdicts, let path2 { printHuman(verdicts, from: path, to: path2) }
            }
        } catch {
            if json { Output.printJSON(.object([("ok", false), ("error", Output.json(error))])) }
            Output.printError(error.message)
            throw ExitCode.failure
        }
    }

    func printHuman(_ p: FileProbe) {
        var lines = ["\(p.path): \(p.type.rawValue), \(p.size) bytes (\(humanBytes(Double(p.size))))"]
        if p.type == .block {
            lines.append("  device       \(p.device), logical block \(p.logicalBlockSize ?? 0), physical block \(p.physicalBlockSize ?? 0)")
            if let fstype = p.fstype {
                lines.append("  mounted      \(fstype) at \(p.mountPoint ?? "?")")
            }
            if let t = p.topology, t.isPartition {
                lines.append("  partition    of \(t.disk), starting at byte \(t.partitionOffset)")
            }
            if let scsi = p.scsi { lines += scsiLines(scsi) }
        } else {
            lines.append("  filesystem   \(p.fstype ?? "?") on \(p.mountSource ?? "?"), mounted at \(p.mountPoint ?? "?") (device \(p.device))")
            lines.append("  block sizes  st_blksize \(p.stBlksize), filesystem \(p.fsBlockSize)")
        }
        lines.append(
            p.dioOffsetAlign > 0
                ? "  O_DIRECT     yes: memory alignment \(p.dioMemAlign), offset alignment \(p.dioOffsetAlign)"
                : "  O_DIRECT     no (buffered I/O)")
        for line in lines { Output.writeLine(line, to: STDOUT_FILENO) }
    }

    func scsiLines(_ s: SCSIProbe) -> [String] {
        var lines: [String] = []
        if let i = s.inquiry {
            lines.append("  scsi         \(i.vendor) \(i.product) \(i.revision) via \(s.passThroughNode), 3PC=\(i.threePC ? 1 : 0)")
        }
        for d in s.designators {
            lines.append("  designator   \(d)\(d == s.preferredDesignator ? "  (used for XCOPY)" : "")")
        }
        if let c = s.capacity { lines.append("  capacity     \(c.blocks) blocks of \(c.blockSize) bytes (READ CAPACITY(16))") }
        if let p = s.copyParameters {
            let types = p.implementedDescriptorTypes.map { "0x" + String($0, radix: 16) }.joined(separator: " ")
            lines.append("  copy params  \(p.maxSegmentDescriptors) segment(s) and \(p.maxTargetDescriptors) target descriptors per command, descriptor list \(p.maxDescriptorListLength) B, segment up to \(p.maxSegmentLength) B, \(p.maxConcurrentCopies) concurrent, descriptors \(types)")
        }
        for problem in s.problems { lines.append("  scsi problem \(problem)") }
        return lines
    }

    func printHuman(_ verdicts: [BackendVerdict], from: String, to: String) {
        Output.writeLine("backends for \(from) -> \(to):", to: STDOUT_FILENO)
        for v in verdicts {
            let name = v.name.rawValue.padding(toLength: 16)
            let verdict = v.verdict.padding(toLength: 6)
            Output.writeLine("  \(name) \(verdict) \(v.reason)", to: STDOUT_FILENO)
        }
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
