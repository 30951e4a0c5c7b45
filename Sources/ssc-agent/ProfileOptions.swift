import ArgumentParser
import Backends
import BuiltInProfiles
import JSON
import Profiles

/// `--profiles DIR`: profiles that override the built-in ones (and those of
/// /etc/ssc-agent/profiles.d) by name.
struct ProfileOptions: ParsableArguments {
    @Option(name: .customLong("profiles"), help: "A directory of *.toml device profiles overriding the built-in ones by name.")
    var directory: String?

    /// The store the engine selects with; loaded when first needed.
    func store() -> ProfileStore {
        Self.store(directory: directory)
    }

    static func store(directory: String?) -> ProfileStore {
        ProfileStore(overrideDirectory: directory)
    }

    /// The profile set, or a one-line error (the first problem and how many more).
    func load(_ store: ProfileStore) throws(CopyError) -> ProfileSet {
        try Self.load(store)
    }

    static func load(_ store: ProfileStore) throws(CopyError) -> ProfileSet {
        do throws(ProfileLoadErrors) {
            return try store.current()
        } catch {
            throw CopyError(.invalid, "invalid device profiles: \(error)")
        }
    }
}

/// JSON and text renderings of profile-related values, shared by probe, copy and
/// profiles.
enum ProfileOutput {
    static func json(_ t: Tunables) -> JSONValue {
        .object([
            (
                "aio",
                .object([
                    ("block_size", .integer(Int64(t.aio.blockSize))), ("queue_depth", .integer(Int64(t.aio.queueDepth))),
                    ("direct", .bool(t.aio.direct)),
                ])
            ),
            ("copy_file_range", .object([("chunk", .unsigned(t.copyFileRangeChunk))])),
            (
                "xcopy",
                .object([
                    ("bytes_per_command", .unsigned(t.xcopy.bytesPerCommand)),
                    ("segments_per_command", .integer(Int64(t.xcopy.segmentsPerCommand))),
                    ("concurrency", .integer(Int64(t.xcopy.concurrency))),
                    ("timeout_seconds", .integer(t.xcopy.timeout.components.seconds)),
                ])
            ),
        ])
    }

    static func text(_ t: Tunables) -> [String] {
        [
            "aio: block size \(t.aio.blockSize), queue depth \(t.aio.queueDepth), O_DIRECT \(t.aio.direct ? "allowed" : "off")",
            "copy_file_range: chunk \(t.copyFileRangeChunk)",
            "xcopy: bytes per command \(t.xcopy.bytesPerCommand == 0 ? "device limit" : String(t.xcopy.bytesPerCommand)), segments per command \(t.xcopy.segmentsPerCommand == 0 ? "device limit" : String(t.xcopy.segmentsPerCommand)), concurrency \(t.xcopy.concurrency), timeout \(t.xcopy.timeout.components.seconds) s",
        ]
    }

    static func json(_ choice: ProfileChoice) -> JSONValue {
        .object([
            ("name", .string(choice.profile.name)), ("reason", .string(choice.reason)),
            ("verified", .bool(choice.profile.verified)), ("origin", .string(choice.profile.origin.description)),
            ("order", .array(choice.profile.order.map { .string($0.rawValue) })),
            ("rejected", .array(choice.rejected.map { .object([("profile", .string($0.profile)), ("why", .string($0.why))]) })),
        ])
    }

    static func json(_ error: ProfileError) -> JSONValue {
        var members: [(String, JSONValue)] = [("file", .string(error.file))]
        if let line = error.line { members.append(("line", .integer(Int64(line)))) }
        if let column = error.column { members.append(("column", .integer(Int64(column)))) }
        if let keyPath = error.keyPath, !keyPath.isEmpty { members.append(("key_path", .string(keyPath))) }
        members.append(("message", .string(error.message)))
        members.append(("text", .string(error.description)))
        return .object(members)
    }

    /// The selection part of a copy's or clone's --json result.
    static func json(_ plan: BackendPlan?) -> JSONValue {
        guard let plan else { return .null }
        return .object([
            ("source", plan.sourceProfile.map(JSONValue.string) ?? .null),
            ("destination", plan.destinationProfile.map(JSONValue.string) ?? .null),
        ])
    }
}
