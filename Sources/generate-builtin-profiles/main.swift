// Writes Sources/BuiltInProfiles/BuiltInProfiles.swift from hw-profiles/*.toml: each
// profile read by the loader an override file goes through (ProfileParser, every check
// of hw-profiles/README.md), then written out as Swift values. The binary carries the
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

/// The `*.toml` names of `directory`, sorted bytewise (one order on every machine).
func profileFiles(in directory: String) -> [String] {
    guard let dir = opendir(directory) else { fail("cannot read \(directory): \(String(cString: strerror(errno)))") }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name.hasSuffix(".toml") && !name.hasPrefix(".") { names.append(name) }
    }
    return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
}

func readText(_ path: String) -> String {
    guard let file = fopen(path, "r") else { fail("cannot read \(path): \(String(cString: strerror(errno)))") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n == 0 { break }
        bytes += buffer[0..<n]
    }
    guard let text = String(validating: bytes, as: UTF8.self) else { fail("\(path) is not UTF-8") }
    return text
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
func arguments(_ pairs: [(String, String?)]) -> String {
    pairs.compactMap { label, value in value.map { "\(label): \($0)" } }.joined(separator: ", ")
}

func swiftSource(_ match: ProfileMatch) -> String {
    let args = arguments([
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
    let args = arguments([
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

// Read and check every file; report every error, not only the first.
var profiles: [Profile] = []
var errors: [String] = []
let trimmed = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
let prefix = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
let names = profileFiles(in: directory)
if names.isEmpty { fail("no *.toml profiles in \(directory)") }
for name in names {
    let origin = ProfileOrigin(kind: .builtIn, path: "\(prefix)/\(name)")
    do throws(ProfileError) {
        let profile = try ProfileParser.parse(readText("\(trimmed)/\(name)"), origin: origin)
        if let first = profiles.first(where: { $0.name == profile.name }) {
            errors.append("\(origin.path): duplicate profile name '\(profile.name)' (also in \(first.origin.path))")
        }
        profiles.append(profile)
    } catch {
        errors.append("\(error)")
    }
}
if errors.isEmpty {
    do throws(ProfileLoadErrors) {
        let set = try ProfileSet.load(builtIn: profiles, directories: [])
        try set.validatePatterns()
    } catch {
        errors.append("\(error)")
    }
}
guard errors.isEmpty else { fail(errors.joined(separator: "\n")) }

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
