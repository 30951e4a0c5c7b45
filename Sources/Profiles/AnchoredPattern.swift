import Glibc
import Synchronization

/// A POSIX extended regular expression (regcomp(3) with REG_EXTENDED, the dialect of
/// multipath.conf's vendor and product rules) that must match a whole string, as if
/// between ^ and $. INQUIRY fields are space-padded; they are matched trimmed.
///
/// A pattern read from an override file is compiled at once (a bad one is reported as
/// the file's error); a built-in one, which the test suite compiles, on first use, so
/// a copy of two files compiles none.
public final class AnchoredPattern: Sendable, Equatable {
    public let source: String
    private let compiled: Mutex<CompiledPattern?>

    /// Compiles `source` now (throwing the compiler's message when it is not a valid
    /// extended regular expression) or, with `compileNow` false, on the first match.
    public init(_ source: String, compileNow: Bool = true) throws(PatternError) {
        self.source = source
        compiled = Mutex(compileNow ? try CompiledPattern(anchoring: source) : nil)
    }

    /// A pattern compiled on first use: the built-in profiles' (generated source), whose
    /// patterns the test suite compiles.
    public init(uncompiled source: String) {
        self.source = source
        compiled = Mutex(nil)
    }

    /// Compiles the pattern if it was not yet, throwing what the compiler says.
    public func validate() throws(PatternError) {
        _ = try compiledPattern().get()
    }

    /// Two patterns are equal when their sources are.
    public static func == (a: AnchoredPattern, b: AnchoredPattern) -> Bool { a.source == b.source }

    /// Whether `value` matches as a whole; a pattern that does not compile matches
    /// nothing.
    public func matches(_ value: String) -> Bool {
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
