import ArgumentParser
import Backends
import BuiltInProfiles
import Glibc
import JSON
import Profiles

struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List and validate the device profiles in force.",
        discussion: """
            The built-in profiles (hw-profiles/ compiled into the binary), overridden by name by \
            /etc/ssc-agent/profiles.d/*.toml and then by --profiles DIR. Any error in any file is \
            printed with the file and its line and column (TOML syntax) or key path (schema), one \
            per line, and the exit status is 1.
            """
    )

    @OptionGroup var profiles: ProfileOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let set: ProfileSet
        do throws(ProfileLoadErrors) {
            set = try profiles.store().current()
        } catch {
            if json {
                Output.printJSON(.object([("ok", false), ("errors", .array(error.errors.map(ProfileOutput.json)))]))
            }
            for problem in error.errors { Output.printError(problem.description) }
            throw ExitCode.failure
        }
        if json {
            Output.printJSON(
                .object([
                    ("ok", true), ("profiles", .array(set.profiles.map(Self.json))),
                    (
                        "overridden",
                        .array(
                            set.overridden.map {
                                .object([
                                    ("name", .string($0.profile.name)), ("origin", .string($0.profile.origin.description)),
                                    ("by", .string($0.by.description)),
                                ])
                            })
                    ),
                ]))
            return
        }
        for profile in set.profiles {
            Output.writeLine(
                "\(profile.name.padding(toLength: 18)) \(profile.verified ? "verified  " : "unverified") \(profile.order.map(\.rawValue).joined(separator: ",").padding(toLength: 38)) \(profile.match.summary)",
                to: STDOUT_FILENO)
            Output.writeLine("  \(profile.description); from \(profile.origin)", to: STDOUT_FILENO)
        }
        for (old, by) in set.overridden {
            Output.writeLine("overridden: \(old.name) of \(old.origin) by \(by)", to: STDOUT_FILENO)
        }
        Output.writeLine("\(set.profiles.count) profiles, all valid", to: STDOUT_FILENO)
    }

    static func json(_ p: Profile) -> JSONValue {
        var match: [(String, JSONValue)] = []
        if let f = p.match.fstypes { match.append(("fstype", .array(f.map { .string($0) }))) }
        if let t = p.match.fileType { match.append(("file_type", .string(t.rawValue))) }
        if let v = p.match.vendor { match.append(("vendor", .string(v.source))) }
        if let v = p.match.product { match.append(("product", .string(v.source))) }
        if let v = p.match.revision { match.append(("revision", .string(v.source))) }
        if let t = p.match.transports { match.append(("transport", .array(t.map { .string($0) }))) }
        return .object([
            ("name", .string(p.name)), ("description", .string(p.description)), ("verified", .bool(p.verified)),
            ("source", .string(p.source)), ("origin", .string(p.origin.description)),
            ("built_in", .bool(p.origin.kind == .builtIn)), ("match", .object(match)),
            ("specificity", .integer(Int64(p.match.specificity))), ("order", .array(p.order.map { .string($0.rawValue) })),
            ("tunables", ProfileOutput.json(p.tunables.applied())),
        ])
    }
}
