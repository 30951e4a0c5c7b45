import Backends
import TOML

/// Reads one profile from TOML text and checks it against the schema of
/// hw-profiles/README.md: every key known, every value of the right type and range,
/// backends and transports by their names, regular expressions that compile.
public enum ProfileParser {
    public static func parse(_ text: String, origin: ProfileOrigin) throws(ProfileError) -> Profile {
        let file = origin.description
        let root: TOMLTable
        do {
            root = try TOMLParser.parse(text)
        } catch {
            throw ProfileError(file: file, line: error.line, column: error.column, message: "TOML syntax error: \(error.message)")
        }
        let reader = TableReader(table: root, path: "", file: file, compilePatterns: origin.kind == .file)
        try reader.onlyKeys(["name", "description", "verified", "source", "order", "match", "tunables"])
        let name = try reader.requiredString("name")
        guard Self.isValidName(name) else {
            throw reader.error("name", "'\(name)' is not a valid profile name (lower-case letters, digits, '.', '_', '-'; starting with a letter or digit)")
        }
        let description = try reader.requiredString("description")
        let verified = try reader.requiredBool("verified")
        let source = try reader.requiredString("source")
        guard !source.isEmpty else { throw reader.error("source", "must name where the profile's facts come from") }
        let order = try reader.order()
        let match = try reader.subtable("match").map { (m) throws(ProfileError) in try m.match() } ?? ProfileMatch()
        var tunables = ProfileTunables()
        if let t = try reader.subtable("tunables") {
            try t.onlyKeys(["aio", "copy_file_range", "xcopy"])
            if let aio = try t.subtable("aio") {
                try aio.onlyKeys(["block_size", "queue_depth", "direct"])
                tunables.aioBlockSize = try aio.integer("block_size", in: 4096...(256 << 20), multipleOf: 4096)
                tunables.aioQueueDepth = try aio.integer("queue_depth", in: 1...1024)
                tunables.aioDirect = try aio.bool("direct")
            }
            if let cfr = try t.subtable("copy_file_range") {
                try cfr.onlyKeys(["chunk"])
                tunables.copyFileRangeChunk = try cfr.integer("chunk", in: (1 << 20)...(1 << 40)).map(UInt64.init)
            }
            if let xcopy = try t.subtable("xcopy") {
                try xcopy.onlyKeys(["bytes_per_command", "segments_per_command", "concurrency", "timeout_seconds"])
                tunables.xcopyBytesPerCommand = try xcopy.integer("bytes_per_command", in: 0...(1 << 40)).map(UInt64.init)
                tunables.xcopySegmentsPerCommand = try xcopy.integer("segments_per_command", in: 0...65535)
                tunables.xcopyConcurrency = try xcopy.integer("concurrency", in: 1...256)
                tunables.xcopyTimeoutSeconds = try xcopy.integer("timeout_seconds", in: 1...86400)
            }
        }
        return Profile(
            name: name, description: description, verified: verified, source: source, match: match, order: order,
            tunables: tunables, origin: origin)
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isLowerAlphanumeric else { return false }
        return name.unicodeScalars.allSatisfy { $0.isLowerAlphanumeric || $0 == "." || $0 == "_" || $0 == "-" }
    }
}

extension Unicode.Scalar {
    fileprivate var isLowerAlphanumeric: Bool { ("a"..."z").contains(self) || ("0"..."9").contains(self) }
}

/// Typed, strict access to one TOML table, naming each key by its dotted path.
private struct TableReader {
    let table: TOMLTable
    let path: String
    let file: String
    /// Compile regular expressions while reading (override files) or on first use
    /// (built-in profiles, compiled by the test suite).
    let compilePatterns: Bool

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ message: String) -> ProfileError {
        ProfileError(file: file, keyPath: keyPath(key), message: message)
    }

    func onlyKeys(_ allowed: Set<String>) throws(ProfileError) {
        for key in table.keys.sorted() where !allowed.contains(key) {
            throw error(key, "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func value(_ key: String, _ kind: TOMLValue.Kind) throws(ProfileError) -> TOMLValue? {
        guard let value = table[key] else { return nil }
        guard value.kind == kind else { throw error(key, "expected \(kind.withArticle), found \(value.kind.withArticle)") }
        return value
    }

    func requiredString(_ key: String) throws(ProfileError) -> String {
        guard let value = try string(key) else { throw error(key, "missing (a string is required)") }
        return value
    }

    func string(_ key: String) throws(ProfileError) -> String? { try value(key, .string)?.string }

    func requiredBool(_ key: String) throws(ProfileError) -> Bool {
        guard let value = try bool(key) else { throw error(key, "missing (true or false is required)") }
        return value
    }

    func bool(_ key: String) throws(ProfileError) -> Bool? { try value(key, .boolean)?.boolean }

    func integer(_ key: String, in range: ClosedRange<Int>, multipleOf step: Int = 1) throws(ProfileError) -> Int? {
        guard let wide = try value(key, .integer)?.integer else { return nil }
        guard let value = Int(exactly: wide), range.contains(value) else { throw error(key, "\(wide) is out of range (\(range.lowerBound)...\(range.upperBound))") }
        guard value % step == 0 else { throw error(key, "\(value) is not a multiple of \(step)") }
        return value
    }

    func subtable(_ key: String) throws(ProfileError) -> TableReader? {
        guard let table = try value(key, .table)?.table else { return nil }
        return TableReader(table: table, path: keyPath(key), file: file, compilePatterns: compilePatterns)
    }

    /// A non-empty array of strings, each checked by `validate`.
    func strings(_ key: String, validate: (String, String) throws(ProfileError) -> Void) throws(ProfileError) -> [String]? {
        guard let array = try value(key, .array)?.array else { return nil }
        guard !array.isEmpty else { throw error(key, "must not be empty") }
        var result: [String] = []
        for index in 0..<array.count {
            let element = array[index]
            let elementPath = "\(key)[\(index)]"
            guard let text = element.string else {
                throw error(elementPath, "expected a string, found \(element.kind.withArticle)")
            }
            try validate(text, elementPath)
            guard !result.contains(text) else { throw error(elementPath, "'\(text)' is listed twice") }
            result.append(text)
        }
        return result
    }

    func order() throws(ProfileError) -> [BackendName] {
        let known = BackendName.allCases.map(\.rawValue)
        let names = try strings("order") { (name, elementPath) throws(ProfileError) in
            guard BackendName(rawValue: name) != nil else {
                throw error(elementPath, "unknown backend '\(name)' (known: \(known.joined(separator: ", ")))")
            }
        }
        guard let names else { throw error("order", "missing (an array of backend names is required)") }
        return names.compactMap(BackendName.init(rawValue:))
    }

    func pattern(_ key: String) throws(ProfileError) -> AnchoredPattern? {
        guard let text = try string(key) else { return nil }
        do {
            return try AnchoredPattern(text, compileNow: compilePatterns)
        } catch {
            throw self.error(key, "bad regular expression '\(text)': \(error)")
        }
    }

    func match() throws(ProfileError) -> ProfileMatch {
        try onlyKeys(["fstype", "file_type", "vendor", "product", "revision", "transport"])
        var match = ProfileMatch()
        match.fstypes = try strings("fstype") { (name, elementPath) throws(ProfileError) in
            guard !name.isEmpty, !name.unicodeScalars.contains(where: { $0 == " " || $0 == "\t" }) else { throw error(elementPath, "'\(name)' is not a filesystem type") }
        }
        if let type = try string("file_type") {
            guard type == "regular" || type == "block", let kind = FileKind(rawValue: type) else {
                throw error("file_type", "'\(type)' is not a file type (regular or block)")
            }
            match.fileType = kind
        }
        match.vendor = try pattern("vendor")
        match.product = try pattern("product")
        match.revision = try pattern("revision")
        match.transports = try strings("transport") { (name, elementPath) throws(ProfileError) in
            guard ProfileMatch.knownTransports.contains(name) else {
                throw error(elementPath, "unknown transport '\(name)' (known: \(ProfileMatch.knownTransports.sorted().joined(separator: ", ")))")
            }
        }
        return match
    }
}
