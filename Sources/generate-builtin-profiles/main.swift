// Writes Sources/BuiltInProfiles/BuiltInProfiles.swift from hw-profiles/*.toml: the
// directory loaded as an override directory is (ProfileSet.load: every check of
// hw-profiles/README.md, patterns compiled), then written out as Swift values. The binary carries the
// profiles as data and parses no TOML for them at run time (start-up cost), yet works
// with no files installed.
//
//   generate-builtin-profiles HW_PROFILES_DIR OUTPUT_FILE
//
// `make profiles` runs it; ProfilesTests fails while the generated values differ from
// what the files say.
import Backends
import Glibc
import Profiles

func fail(_ message: String) -> Never {
    let line = Array("generate-builtin-profiles: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(1)
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 2, let directory = arguments.first, let output = arguments.last else {
    fail("usage: generate-builtin-profiles HW_PROFILES_DIR OUTPUT_FILE")
}

/// A Swift string literal for any text: quotes, backslashes and control characters
/// escaped, everything else as is.
func literal(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

func literal(_ strings: [String]) -> String { "[" + strings.map(literal).joined(separator: ", ") + "]" }

/// The case name, not the raw value: a backend added to BackendName fails to compile here
/// until the generator knows it.
func caseName(_ backend: BackendName) -> String {
    switch backend {
    case .reflink: ".reflink"
    case .copyFileRange: ".copyFileRange"
    case .xcopy: ".xcopy"
    case .aio: ".aio"
    }
}

func caseName(_ kind: FileKind) -> String {
    switch kind {
    case .regular: ".regular"
    case .block: ".block"
    default: fail("file_type \(kind.rawValue) is not one a profile may name")
    }
}

/// `label: value` for each argument that is set, in the initializer's order.
func labelled(_ pairs: [(String, String?)]) -> String {
    pairs.compactMap { label, value in value.map { "\(label): \($0)" } }.joined(separator: ", ")
}

func swiftSource(_ match: ProfileMatch) -> String {
    let args = labelled([
        ("fstypes", match.fstypes.map(literal)),
        ("fileType", match.fileType.map(caseName)),
        ("vendor", match.vendor.map { "AnchoredPattern(uncompiled: \(literal($0.source)))" }),
        ("product", match.product.map { "AnchoredPattern(uncompiled: \(literal($0.source)))" }),
        ("revision", match.revision.map { "AnchoredPattern(uncompiled: \(literal($0.source)))" }),
        ("transports", match.transports.map(literal)),
    ])
    return "ProfileMatch(\(args))"
}

func swiftSource(_ t: ProfileTunables) -> String {
    let args = labelled([
        ("aioBlockSize", t.aioBlockSize.map { String($0) }),
        ("aioQueueDepth", t.aioQueueDepth.map { String($0) }),
        ("aioDirect", t.aioDirect.map { String($0) }),
        ("copyFileRangeChunk", t.copyFileRangeChunk.map { String($0) }),
        ("xcopyBytesPerCommand", t.xcopyBytesPerCommand.map { String($0) }),
        ("xcopySegmentsPerCommand", t.xcopySegmentsPerCommand.map { String($0) }),
        ("xcopyConcurrency", t.xcopyConcurrency.map { String($0) }),
        ("xcopyTimeoutSeconds", t.xcopyTimeoutSeconds.map { String($0) }),
    ])
    return "ProfileTunables(\(args))"
}

func swiftSource(_ p: Profile) -> String {
    """
            Profile(
                name: \(literal(p.name)),
                description: \(literal(p.description)),
                verified: \(p.verified),
                source: \(literal(p.source)),
                match: \(swiftSource(p.match)),
                order: [\(p.order.map(caseName).joined(separator: ", "))],
                tunables: \(swiftSource(p.tunables)),
                origin: ProfileOrigin(kind: .builtIn, path: \(literal(p.origin.path)))
            ),
    """
}

// Every file read and checked as an override directory is (all errors reported, not
// only the first; patterns compiled), then marked as built in.
let profiles: [Profile]
do throws(ProfileLoadErrors) {
    let set = try ProfileSet.load(builtIn: [], directories: [(directory, true)])
    let prefix = (directory.hasSuffix("/") ? String(directory.dropLast()) : directory).split(separator: "/").last.map(String.init)
    profiles = set.profiles.map { profile in
        var builtIn = profile
        let file = profile.origin.path.split(separator: "/").last.map(String.init) ?? profile.origin.path
        builtIn.origin = ProfileOrigin(kind: .builtIn, path: prefix.map { "\($0)/\(file)" } ?? file)
        return builtIn
    }
    .sorted { $0.origin.path.utf8.lexicographicallyPrecedes($1.origin.path.utf8) }
} catch {
    fail(error.errors.map(\.description).joined(separator: "\ngenerate-builtin-profiles: "))
}

var source = """
    // Generated by `make profiles` (scripts/generate-builtin-profiles.sh) from
    // hw-profiles/*.toml: do not edit. ProfilesTests fails when it is out of date.
    import Backends
    import Profiles

    /// Every profile of hw-profiles/, compiled into the binary as values: a copy loads no
    /// TOML unless an override directory has files.
    public enum BuiltInProfiles {
        public static let all: [Profile] = [

    """
for profile in profiles { source += swiftSource(profile) + "\n" }
source += """
        ]
    }

    """

let temporary = output + ".tmp"
guard let file = fopen(temporary, "w") else { fail("cannot write \(temporary): \(String(cString: strerror(errno)))") }
let written = fputs(source, file)
guard written >= 0, fclose(file) == 0, rename(temporary, output) == 0 else {
    unlink(temporary)
    fail("cannot write \(output): \(String(cString: strerror(errno)))")
}
print("generate-builtin-profiles: wrote \(output) (\(profiles.count) profiles)")
