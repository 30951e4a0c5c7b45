import Glibc
import Synchronization

/// A POSIX extended regular expression (regcomp(3) with REG_EXTENDED, the dialect of
/// multipath.conf's vendor and product rules) that must match a whole string, as if
/// between ^ and $. INQUIRY fields are space-padded; they are matched trimmed.
///
/// A pattern read from an override file is compiled at once (a bad one is reported as
/// the file's error); a built-in one, which the test suite compiles, on first use, so
/// a copy of two files compiles none. Patterns of the shape every built-in profile uses
/// (literal alternatives, each or all followed by `.*`) are matched without regexec at
/// all: regcomp(3) of one pattern costs more than a whole copy's other profile work.
public final class AnchoredPattern: Sendable, Equatable {
    public let source: String
    private let compiled: Mutex<CompiledPattern?>
    private let literal: LiteralAlternatives?

    /// Compiles `source` now (throwing the compiler's message when it is not a valid
    /// extended regular expression) or, with `compileNow` false, on the first match.
    public init(_ source: String, compileNow: Bool = true) throws(PatternError) {
        self.source = source
        compiled = Mutex(compileNow ? try CompiledPattern(anchoring: source) : nil)
        literal = LiteralAlternatives(source)
    }

    /// A pattern compiled on first use: the built-in profiles' (generated source), whose
    /// patterns the test suite compiles.
    public init(uncompiled source: String) {
        self.source = source
        compiled = Mutex(nil)
        literal = LiteralAlternatives(source)
    }

    /// A pattern that always goes through regcomp(3)/regexec(3), for tests that hold
    /// the literal matcher to the regex library's answers.
    init(regexOnly source: String) throws(PatternError) {
        self.source = source
        compiled = Mutex(try CompiledPattern(anchoring: source))
        literal = nil
    }

    /// Whether matching this pattern bypasses the regex library.
    var isLiteral: Bool { literal != nil }

    /// Compiles the pattern if it was not yet, throwing what the compiler says.
    public func validate() throws(PatternError) {
        _ = try compiledPattern().get()
    }

    /// Two patterns are equal when their sources are.
    public static func == (a: AnchoredPattern, b: AnchoredPattern) -> Bool { a.source == b.source }

    /// Whether `value` matches as a whole; a pattern that does not compile matches
    /// nothing.
    public func matches(_ value: String) -> Bool {
        if let literal { return literal.matches(value) }
        guard case .success(let pattern) = compiledPattern() else { return false }
        return pattern.matches(value)
    }

    private func compiledPattern() -> Result<CompiledPattern, PatternError> {
        compiled.withLock { compiled in
            if let compiled { return .success(compiled) }
            do throws(PatternError) {
                let pattern = try CompiledPattern(anchoring: source)
                compiled = pattern
                return .success(pattern)
            } catch {
                return .failure(error)
            }
        }
    }
}

/// An extended regular expression made only of literal alternatives, the shape of the
/// built-in profiles' rules ("LIO-ORG", "HITACHI|HP|HPE", "OPEN-.*", "(RAID|DISK).*"),
/// matched by comparing bytes:
///
///     pattern := branches | "(" branches ")" | "(" branches ")" ".*"
///     branches := branch ("|" branch)*
///     branch := literal | literal ".*"
///     literal := one or more printable ASCII characters other than .[]()*+?{}|^$\
///
/// Anchored as `^(pattern)$`, a literal branch matches exactly its text and a branch
/// followed by `.*` matches any string it begins. The answers are regexec(3)'s: a
/// POSIX `.` outside REG_NEWLINE matches any character, and regexec sees the string up
/// to its first NUL. Anything else (an empty branch, a bracket, a repetition) is not
/// this shape and goes to the regex library.
struct LiteralAlternatives: Sendable {
    private var branches: [(text: [UInt8], prefix: Bool)] = []

    init?(_ source: String) {
        var bytes = Array(source.utf8)
        var groupPrefix = false
        if bytes.first == UInt8(ascii: "(") {
            if bytes.count >= 4, bytes[bytes.count - 3] == UInt8(ascii: ")"), bytes[bytes.count - 2] == UInt8(ascii: "."),
                bytes[bytes.count - 1] == UInt8(ascii: "*")
            {
                groupPrefix = true
                bytes.removeLast(2)
            }
            guard bytes.count >= 2, bytes[bytes.count - 1] == UInt8(ascii: ")") else { return nil }
            bytes = Array(bytes[1..<(bytes.count - 1)])
        }
        var text: [UInt8] = []
        var index = 0
        while index <= bytes.count {
            if index == bytes.count || bytes[index] == UInt8(ascii: "|") {
                var prefix = groupPrefix
                if text.count >= 2, text[text.count - 2] == UInt8(ascii: "."), text[text.count - 1] == UInt8(ascii: "*") {
                    text.removeLast(2)
                    prefix = true
                }
                guard !text.isEmpty, text.allSatisfy(Self.isLiteral) else { return nil }
                branches.append((text, prefix))
                text = []
            } else {
                text.append(bytes[index])
            }
            index += 1
        }
    }

    /// Printable ASCII that stands for itself in an extended regular expression;
    /// `.` and `*` pass here only to be refused unless they end a branch as `.*`.
    private static func isLiteral(_ byte: UInt8) -> Bool {
        guard byte >= 0x20, byte < 0x7F else { return false }
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: "}"),
            UInt8(ascii: "|"), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "\\"):
            return false
        default:
            return true
        }
    }

    func matches(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { whole in
            // Every branch has text, so the empty string matches none.
            guard let base = whole.baseAddress else { return false }
            // regexec reads a C string: what follows a NUL is not seen.
            let length = memchr(base, 0, whole.count).map { UnsafeRawPointer(base).distance(to: $0) } ?? whole.count
            for branch in branches where branch.prefix ? length >= branch.text.count : length == branch.text.count {
                if branch.text.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, $0.count) }) == 0 { return true }
            }
            return false
        }
    }
}

/// What regcomp(3) said of a pattern it refused.
public struct PatternError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// One compiled regex_t, freed with the object. regexec(3) on a compiled pattern is
/// safe from several threads at once (glibc serialises inside), and nothing changes it
/// after compilation.
private final class CompiledPattern: @unchecked Sendable {
    private let regex: UnsafeMutablePointer<regex_t>

    /// Compiles `^(source)$`. The source is compiled alone first: a source that is not
    /// a complete expression by itself (an unmatched parenthesis) could otherwise close
    /// the anchoring group early and change what it means.
    init(anchoring source: String) throws(PatternError) {
        let compiled = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        do throws(PatternError) {
            try Self.compile(source, into: compiled)
            regfree(compiled)
            try Self.compile("^(\(source))$", into: compiled)
        } catch {
            // Thrown before `regex` is set: deinit does not run for this object.
            compiled.deallocate()
            throw error
        }
        regex = compiled
    }

    deinit {
        regfree(regex)
        regex.deallocate()
    }

    func matches(_ value: String) -> Bool {
        value.withCString { regexec(regex, $0, 0, nil, 0) == 0 }
    }

    private static func compile(_ pattern: String, into regex: UnsafeMutablePointer<regex_t>) throws(PatternError) {
        guard !pattern.utf8.contains(0) else { throw PatternError(description: "a pattern cannot contain a NUL character") }
        let status = pattern.withCString { regcomp(regex, $0, REG_EXTENDED | REG_NOSUB) }
        guard status != 0 else { return }
        var message = [CChar](repeating: 0, count: 256)
        regerror(status, regex, &message, message.count)
        throw PatternError(description: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
