import SystemPackage
import Backends
import JSON

/// The `--json` document. Its schema is docs/bench.schema.json; every member is always
/// present (null where it does not apply), so readers need no guessing.
extension BenchReport {
    public static let jsonVersion: Int64 = 1

    public var json: JSONValue {
        .object([
            ("version", .integer(Self.jsonVersion)),
            ("ok", .bool(ok)),
            ("source", Self.json(facts.source)),
            ("destination", Self.json(facts.destination)),
            ("bytes", .unsigned(facts.size)),
            ("runs", .integer(Int64(runs))),
            ("warm_up_runs", .integer(1)),
            ("cold", .bool(cold)),
            ("host", .object([
                ("kernel", .string(host.kernel)),
                ("cpus", .integer(Int64(host.cpus))),
                ("clock_ticks_per_second", .integer(Int64(host.ticksPerSecond))),
                ("load_average", .array(host.loadAverage.map(JSONValue.number))),
            ])),
            ("cases", .array(cases.map(Self.json))),
        ])
    }

    static func json(_ endpoint: PairFacts.Endpoint) -> JSONValue {
        .object([
            ("path", .string(endpoint.path)),
            ("type", .string(endpoint.kind.rawValue)),
            ("fstype", endpoint.fstype.map(JSONValue.string) ?? .null),
            ("device", .string(endpoint.device)),
            ("o_direct", .bool(endpoint.directIO != nil)),
            ("scsi", .bool(endpoint.scsi != nil)),
        ])
    }

    static func json(_ benchCase: BenchCase) -> JSONValue {
        let reason = benchCase.status == .skipped ? benchCase.skipReason : benchCase.failure?.message
        return .object([
            ("name", .string(benchCase.name)),
            ("kind", .string(benchCase.kind.rawValue)),
            ("label", .string(benchCase.label)),
            ("command", .array(benchCase.command.map(JSONValue.string))),
            ("status", .string(benchCase.status.rawValue)),
            ("reason", reason.map(JSONValue.string) ?? .null),
            ("note", benchCase.note.map(JSONValue.string) ?? .null),
            ("error", benchCase.failure.map(json) ?? .null),
            ("direct", benchCase.direct.map { .object([("source", .bool($0.source)), ("destination", .bool($0.destination))]) } ?? .null),
            ("runs", .array(benchCase.runs.map(json))),
            ("summary", benchCase.summary.map(json) ?? .null),
        ])
    }

    static func json(_ failure: CaseFailure) -> JSONValue {
        .object([
            ("message", .string(failure.message)),
            ("run", .integer(Int64(failure.run))),
            ("kind", failure.error.map { .string($0.kind.rawValue) } ?? .null),
            ("nfs4", failure.error.map { .string($0.nfs4) } ?? .null),
            ("errno", failure.error?.errno.map { .integer(Int64($0.rawValue)) } ?? .null),
            ("bytes", failure.error.map { .unsigned($0.bytes) } ?? .null),
            ("exit_status", failure.exitStatus.map { .integer(Int64($0)) } ?? .null),
        ])
    }

    static func json(_ run: RunMeasurement) -> JSONValue {
        .object([
            ("seconds", .number(run.seconds)),
            ("bytes", .unsigned(run.bytes)),
            ("bytes_per_second", .number(run.bytesPerSecond)),
            ("cpu_user_seconds", .number(run.cpu.user)),
            ("cpu_system_seconds", .number(run.cpu.system)),
            ("cpu_seconds", .number(run.cpu.total)),
            ("system_cpu_seconds", .number(run.systemCPUSeconds)),
            ("read_bytes", .unsigned(run.io.readBytes)),
            ("write_bytes", .unsigned(run.io.writeBytes)),
            ("buffered_bytes", run.bufferedBytes.map(JSONValue.unsigned) ?? .null),
        ])
    }

    static func json(_ summary: RunSummary) -> JSONValue {
        .object([
            ("seconds", json(summary.seconds)),
            ("bytes_per_second", json(summary.bytesPerSecond)),
            ("cpu_seconds", json(summary.cpuSeconds)),
            ("cpu_seconds_per_gib", json(summary.cpuSecondsPerGiB)),
            ("system_cpu_seconds", json(summary.systemCPUSeconds)),
            ("system_cpu_seconds_per_gib", json(summary.systemCPUSecondsPerGiB)),
            ("read_bytes", json(summary.readBytes)),
            ("write_bytes", json(summary.writeBytes)),
            ("buffered_bytes", summary.bufferedBytes.map(json) ?? .null),
        ])
    }

    static func json(_ spread: Spread) -> JSONValue {
        .object([("median", .number(spread.median)), ("min", .number(spread.min)), ("max", .number(spread.max))])
    }
}
