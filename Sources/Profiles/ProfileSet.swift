import Backends
import Glibc

/// A complete, valid set of profiles: the built-in ones, overridden by name by the files
/// of the override directories, in order. Immutable; an agent swaps a whole new set in
/// on reload (`ProfileStore`), or keeps the old one when the new one has errors.
public struct ProfileSet: Sendable {
    /// By name, sorted.
    public let profiles: [Profile]
    /// Profiles a later source replaced by name: (replaced, replacement origin).
    public let overridden: [(profile: Profile, by: ProfileOrigin)]

    /// The system-wide override directory, read when it exists.
    public static let systemDirectory = "/etc/ssc-agent/profiles.d"

    init(profiles: [Profile], overridden: [(profile: Profile, by: ProfileOrigin)]) {
        self.profiles = profiles.sorted { $0.name < $1.name }
        self.overridden = overridden
    }

    public func profile(named name: String) -> Profile? {
        profiles.first { $0.name == name }
    }

    /// `builtIn` (the compiled-in profiles, module BuiltInProfiles), then each
    /// directory's `*.toml` files in turn, a later profile replacing an earlier one of
    /// the same name. A directory that does not exist is skipped only when `required` is
    /// false for it. Every error of every file is collected; any error makes the whole
    /// load fail, so a caller never runs with half a directory.
    public static func load(builtIn: [Profile], directories: [(path: String, required: Bool)]) throws(ProfileLoadErrors) -> ProfileSet {
        var errors: [ProfileError] = []
        // A few dozen profiles: an array searched by name costs less at start-up than
        // a dictionary's runtime type set-up.
        var profiles: [Profile] = []
        var overridden: [(Profile, ProfileOrigin)] = []

        func add(_ layer: [Profile]) {
            for profile in layer {
                if let index = profiles.firstIndex(where: { $0.name == profile.name }) {
                    overridden.append((profiles[index], profile.origin))
                    profiles[index] = profile
                } else {
                    profiles.append(profile)
                }
            }
        }

        add(builtIn)
        for (directory, required) in directories {
            switch readDirectory(directory) {
            case .success(let files):
                add(parseLayer(files.map { (ProfileOrigin(kind: .file, path: $0.path), $0.text) }, errors: &errors))
            case .failure(let problem):
                if required || problem.keyPath != nil { errors.append(problem) }
            }
        }
        if profiles.allSatisfy({ !$0.isCatchAll }) {
            errors.append(ProfileError(file: "hw-profiles", message: "no profile matches every device: a profile with an empty [match] (generic) is required"))
        }
        guard errors.isEmpty else { throw ProfileLoadErrors(errors) }
        return ProfileSet(profiles: profiles, overridden: overridden)
    }

    /// The standard sources: `builtIn`, /etc/ssc-agent/profiles.d if present, then
    /// `directory` (which must exist) if given.
    public static func standard(builtIn: [Profile], overrideDirectory directory: String?) throws(ProfileLoadErrors) -> ProfileSet {
        var directories: [(String, Bool)] = [(systemDirectory, false)]
        if let directory { directories.append((directory, true)) }
        return try load(builtIn: builtIn, directories: directories)
    }

    /// One layer's files: each parsed, and two files of the layer naming the same
    /// profile is an error (which one would win is not for file names to decide).
    private static func parseLayer(_ files: [(ProfileOrigin, String)], errors: inout [ProfileError]) -> [Profile] {
        var layer: [Profile] = []
        for (origin, text) in files {
            do throws(ProfileError) {
                let profile = try ProfileParser.parse(text, origin: origin)
                if let first = layer.first(where: { $0.name == profile.name }) {
                    errors.append(
                        ProfileError(
                            file: origin.description, keyPath: "name",
                            message: "duplicate profile name '\(profile.name)' (also in \(first.origin))"))
                    continue
                }
                layer.append(profile)
            } catch {
                errors.append(error)
            }
        }
        return layer
    }

    /// The `*.toml` files of a directory, by name. A missing directory is a failure
    /// without a key path; an unreadable file is one with.
    private static func readDirectory(_ directory: String) -> Result<[(path: String, text: String)], ProfileError> {
        guard let dir = opendir(directory) else {
            let reason = String(cString: strerror(errno))
            return .failure(ProfileError(file: directory, message: "cannot read the profile directory: \(reason)"))
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.hasSuffix(".toml") && !name.hasPrefix(".") { names.append(name) }
        }
        closedir(dir)
        var files: [(String, String)] = []
        for name in names.sorted() {
            let path = directory.hasSuffix("/") ? directory + name : "\(directory)/\(name)"
            guard let text = readText(path) else {
                let reason = String(cString: strerror(errno))
                return .failure(ProfileError(file: path, keyPath: "", message: "cannot read the profile: \(reason)"))
            }
            files.append((path, text))
        }
        return .success(files)
    }

    /// A profile file's text; nil when it cannot be read or is not UTF-8.
    private static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            // Profiles are a few KiB; anything this large is not one.
            if bytes.count > 1 << 20 { errno = EFBIG; return nil }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { errno = EILSEQ; return nil }
        return text
    }

    /// Compiles every regular expression not compiled yet (the built-in profiles'),
    /// reporting the first that does not compile with its profile and key.
    public func validatePatterns() throws(ProfileLoadErrors) {
        var errors: [ProfileError] = []
        for profile in profiles {
            for (key, pattern) in [("vendor", profile.match.vendor), ("product", profile.match.product), ("revision", profile.match.revision)] {
                guard let pattern else { continue }
                do { try pattern.validate() } catch {
                    errors.append(
                        ProfileError(
                            file: profile.origin.description, keyPath: "match.\(key)",
                            message: "bad regular expression '\(pattern.source)': \(error)"))
                }
            }
        }
        if !errors.isEmpty { throw ProfileLoadErrors(errors) }
    }

    // MARK: matching

    /// The profile for one endpoint: the matching profile with the most rules; among
    /// equally specific ones, the first by name. Never nil (a catch-all is required).
    public func choose(for identity: DeviceIdentity) -> ProfileChoice {
        let leaves = identity.leaves
        var matching: [Profile] = []
        var rejected: [Profile] = []
        for profile in profiles {
            if profile.match.matches(identity, leaves: leaves) { matching.append(profile) } else { rejected.append(profile) }
        }
        // Profiles are sorted by name: a later one wins only by being more specific.
        var best = matching[0]
        for profile in matching.dropFirst() where profile.match.specificity > best.match.specificity { best = profile }
        let specificity = best.match.specificity
        let ties = matching.filter { $0.match.specificity == specificity && $0.name != best.name }.map(\.name)
        return ProfileChoice(
            profile: best, identity: identity,
            alsoMatching: matching.map(\.name).filter { $0 != best.name && !ties.contains($0) }, tiedWith: ties,
            rejectedProfiles: rejected)
    }
}

/// Which profile one endpoint got, and why. The reasons are worded when asked for:
/// a copy that logs and reports nothing of them never needs them.
public struct ProfileChoice: Sendable {
    public var profile: Profile
    /// The endpoint the profile was chosen for.
    public var identity: DeviceIdentity
    /// Other matching profiles, less specific (or tied and later by name).
    public var alsoMatching: [String]
    /// Matching profiles exactly as specific, which lost on name order.
    public var tiedWith: [String]
    /// The profiles that did not match.
    var rejectedProfiles: [Profile]

    /// What each of its rules matched (empty for the catch-all).
    public var matched: [String] { profile.match.evaluate(identity).reasons }

    /// Profiles that did not match, with the first rule that failed.
    public var rejected: [(profile: String, why: String)] {
        rejectedProfiles.map { ($0.name, $0.match.evaluate(identity).mismatch ?? "") }
    }

    /// One sentence: "xfs (fstype xfs)", "generic (matches every device)".
    public var reason: String {
        let matched = matched
        var text = matched.isEmpty ? "matches every device" : matched.list(separator: ", ")
        text += "; \(profile.match.specificity) rule(s)"
        if !tiedWith.isEmpty { text += "; tied with \(tiedWith.list(separator: ", ")), first by name wins" }
        if !alsoMatching.isEmpty { text += "; less specific matches: \(alsoMatching.list(separator: ", "))" }
        return text
    }
}
