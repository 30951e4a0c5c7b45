/// What is wrong with a profile file: the file, and for a TOML syntax error the line and
/// column, for a schema error the dotted key path.
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// "match.vendor", "order[2]", "tunables.aio.block_size"; "" for the file as a whole.
    public var keyPath: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, keyPath: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    /// One line: "FILE:LINE:COLUMN: message" or "FILE: KEY: message".
    public var description: String {
        if let line {
            return "\(file):\(line)\(column.map { ":\($0)" } ?? ""): \(message)"
        }
        if let keyPath, !keyPath.isEmpty {
            return "\(file): \(keyPath): \(message)"
        }
        return "\(file): \(message)"
    }
}

/// Every problem found while loading a set of profiles.
public struct ProfileLoadErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ProfileError]

    public init(_ errors: [ProfileError]) {
        self.errors = errors
    }

    /// The first problem, and how many more there are: one line for the CLI.
    public var description: String {
        guard let first = errors.first else { return "no profile errors" }
        return errors.count == 1 ? first.description : "\(first) (and \(errors.count - 1) more profile error(s))"
    }
}
