import JSON
import ArgumentParser
import Agent
import Backends
import Glibc
import Profiles
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

    @OptionGroup var profiles: ProfileOptions

    func run() throws {
        let store = profiles.store()
        let engine = CopyEngine(selector: ProfileSelector(store: store))
        do {
            let set = try profiles.load(store)
            let mounts = MountTable.current()
            var probes = [try DeviceProbe.probe(path: path, mounts: mounts)]
            var identities = [try DeviceIdentity.of(path: path, mounts: mounts)]
            if let path2, access(path2, F_OK) == 0 {
                probes.append(try DeviceProbe.probe(path: path2, mounts: mounts))
                identities.append(try DeviceIdentity.of(path: path2, mounts: mounts))
            }
            let choices = identities.map { set.choose(for: $0) }
            let pair = try path2.map { (p) throws(CopyError) in try DeviceProbe.verdicts(source: path, destination: p, engine: engine) }
            // One path: its own profile's tunables; a pair: what a copy would use.
            let tunables = pair?.plan.tunables ?? choices[0].profile.tunables.applied()
            let cache = engine.negativeCache.snapshot.sorted { $0.key.backend.rawValue < $1.key.backend.rawValue }
            if json {
                var members: [(String, JSONValue)] = [
                    ("paths", .array(zip(zip(probes, identities), choices).map { Self.json($0.0, identity: $0.1, profile: $1) })),
                    ("profile", .string(choices[0].profile.name)),
                ]
                if let pair {
                    members.append(("selection", Self.json(pair.plan)))
                    members.append(("backends", .array(pair.verdicts.map(ProbeReport.json))))
                }
                members.append(("tunables", ProfileOutput.json(tunables)))
                members.append(("negative_cache", .array(cache.map(Self.json))))
                Output.printJSON(.object(members))
            } else {
                for ((probe, identity), choice) in zip(zip(probes, identities), choices) {
                    printHuman(probe)
                    printHuman(identity, choice)
                }
                if let pair, let path2 {
                    for line in pair.plan.explanation { Output.writeLine("selection    \(line)", to: STDOUT_FILENO) }
                    printHuman(pair.verdicts, from: path, to: path2)
                }
                Output.writeLine("tunables", to: STDOUT_FILENO)
                for line in ProfileOutput.text(tunables) { Output.writeLine("  \(line)", to: STDOUT_FILENO) }
                Output.writeLine(
                    cache.isEmpty ? "negative cache: empty" : "negative cache (not supported, remembered per backend and device pair):",
                    to: STDOUT_FILENO)
                for (key, entry) in cache {
                    Output.writeLine(
                        "  \(key.backend.rawValue.padding(toLength: 16)) \(Self.deviceText(key.sourceDevice)) -> \(Self.deviceText(key.destinationDevice)) for \(Self.secondsLeft(entry)) s: \(entry.reason)",
                        to: STDOUT_FILENO)
                }
            }
        } catch {
            if json { Output.printJSON(.object([("ok", false), ("error", Output.json(error))])) }
            Output.printError(error.message)
            throw ExitCode.failure
        }
    }

    static func json(_ p: FileProbe, identity: DeviceIdentity, profile: ProfileChoice) -> JSONValue {
        guard case .object(var members) = ProbeReport.json(p) else { return ProbeReport.json(p) }
        members.append(("filesystem_magic", identity.filesystemMagic.map { .string("0x" + String($0, radix: 16)) } ?? .null))
        members.append(("block_device", identity.blockDevice.map(json) ?? .null))
        members.append(("profile", ProfileOutput.json(profile)))
        return .object(members)
    }

    static func json(_ node: BlockDeviceNode) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(node.name)), ("device", .string(node.device)), ("role", .string(node.role.rawValue)),
            ("transport", .string(node.transport)),
        ]
        func optional(_ key: String, _ value: String?) { if let value { members.append((key, .string(value))) } }
        optional("vendor", node.vendor)
        optional("model", node.model)
        optional("revision", node.revision)
        if let l = node.logicalBlockSize { members.append(("logical_block_size", .integer(Int64(l)))) }
        if let b = node.physicalBlockSize { members.append(("physical_block_size", .integer(Int64(b)))) }
        if let r = node.rotational { members.append(("rotational", .bool(r))) }
        optional("backing_file", node.backingFile)
        optional("mapper_name", node.mapperName)
        optional("mapper_uuid", node.mapperUUID)
        if let scsi = node.scsi {
            members.append((
                "scsi_inquiry",
                .object([
                    ("vendor", .string(scsi.vendor)), ("product", .string(scsi.product)), ("revision", .string(scsi.revision)),
                    ("three_pc", .bool(scsi.threePC)), ("designators", .array(scsi.designators.map { .string($0.description) })),
                ])
            ))
        }
        members.append(("lower", .array(node.lower.map(json))))
        return .object(members)
    }

    static func json(_ plan: BackendPlan) -> JSONValue {
        .object([
            ("source_profile", plan.sourceProfile.map(JSONValue.string) ?? .null),
            ("destination_profile", plan.destinationProfile.map(JSONValue.string) ?? .null),
            ("order", .array(plan.order.map { .string($0.rawValue) })),
            ("excluded", Output.json(plan.excluded)),
            ("explanation", .array(plan.explanation.map { .string($0) })),
        ])
    }

    static func json(_ entry: (key: NegativeCache.Key, value: NegativeCache.Entry)) -> JSONValue {
        .object([
            ("backend", .string(entry.key.backend.rawValue)), ("source_device", .string(deviceText(entry.key.sourceDevice))),
            ("destination_device", .string(deviceText(entry.key.destinationDevice))), ("reason", .string(entry.value.reason)),
            ("expires_in_seconds", .integer(secondsLeft(entry.value))),
        ])
    }

    static func deviceText(_ dev: UInt64) -> String { DeviceProbe.deviceString(dev) }

    static func secondsLeft(_ entry: NegativeCache.Entry) -> Int64 {
        max(0, (entry.expires - ContinuousClock.now).components.seconds)
    }

    func printHuman(_ identity: DeviceIdentity, _ choice: ProfileChoice) {
        var lines: [String] = []
        func tree(_ node: BlockDeviceNode, depth: Int) {
            var text = "\(String(repeating: "  ", count: depth))\(node.name) (\(node.device), \(node.role.rawValue), \(node.transport))"
            let id = [node.scsi?.vendor ?? node.vendor, node.scsi?.product ?? node.model, node.scsi?.revision ?? node.revision]
                .compactMap { $0 }.joined(separator: " ")
            if !id.isEmpty { text += " \(id)" }
            if let b = node.backingFile { text += " backed by \(b)" }
            if let m = node.mapperName { text += " \(m)" }
            if let l = node.logicalBlockSize { text += ", blocks \(l)/\(node.physicalBlockSize ?? 0)" }
            if let r = node.rotational { text += r ? ", rotational" : ", non-rotational" }
            if let scsi = node.scsi { text += ", 3PC=\(scsi.threePC ? 1 : 0)" }
            lines.append("  backing      " + text)
            for lower in node.lower { tree(lower, depth: depth + 1) }
        }
        if let node = identity.blockDevice { tree(node, depth: 0) }
        lines.append("  profile      \(choice.profile.name) (\(choice.reason)) from \(choice.profile.origin)\(choice.profile.verified ? "" : ", not verified")")
        lines.append("  order        \(choice.profile.order.map(\.rawValue).joined(separator: ", "))")
        for line in lines { Output.writeLine(line, to: STDOUT_FILENO) }
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
            let detail = v.declineClass.map { " [\($0.rawValue)\(v.remembered ? ", remembered" : "")]" } ?? ""
            Output.writeLine("  \(name) \(verdict) \(v.reason)\(detail)", to: STDOUT_FILENO)
        }
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
