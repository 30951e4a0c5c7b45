import ArgumentParser
import Backends
import Glibc

/// The common invocations, `copy SRC DST [OPTIONS]` and `clone SRC DST [OPTIONS]`
/// written out plainly, recognised without ArgumentParser's parser. They produce the
/// same `CopyArguments` / `CloneArguments` as `CopyCommand` / `CloneCommand`, which
/// are validated and run by the same code.
///
/// ArgumentParser finds its way through a command line by reflecting over the command
/// types: protocol conformance scans, generic metadata instantiation and `Mirror`s over
/// every property wrapper, about 12 million instructions (2 ms on the development
/// machine, 0.1 s in the device lab's emulated VM) at every start, which is longer
/// than a reflink copy takes. Even constructing a command type without parsing
/// instantiates the property wrappers' generic metadata and scans the conformance
/// tables. The parse here costs some thousands of instructions.
///
/// Anything not recognised with certainty makes `parse` return nil, and ArgumentParser
/// handles the arguments as always, with its own help, messages and exit codes: help
/// and version requests, completion scripts, `--`, unknown, short or repeated options,
/// an option without its value or with one that starts with `-`, a value that does not
/// parse, arguments that fail validation. ArgumentParser stays the definition of the
/// command line; the differential tests feed the same argument vectors to both and
/// require equal arguments wherever this parser answers.
enum SimpleCommandLine {
    enum Command: Equatable {
        case copy(CopyArguments)
        case clone(CloneArguments)
    }

    /// Runs the command when the arguments (the executable's name first) are a simple
    /// copy or clone, and exits as ArgumentParser's `main` would; returns otherwise.
    static func runIfSimple(_ arguments: [String]) {
        do {
            switch parse(arguments.dropFirst()) {
            case .copy(let copy)?: try copy.run()
            case .clone(let clone)?: try clone.run()
            case nil: return
            }
        } catch let code as ExitCode {
            // What ArgumentParser's exit(withError:) does with an ExitCode (no message,
            // that status), without building its message machinery for a refused copy.
            exit(code.rawValue)
        } catch {
            SSCAgent.exit(withError: error)
        }
        exit(EXIT_SUCCESS)
    }

    /// The arguments ArgumentParser would produce for `arguments` (those after the
    /// executable's name), or nil when they are not plainly a copy or a clone.
    static func parse(_ arguments: ArraySlice<String>) -> Command? {
        guard let subcommand = arguments.first else { return nil }
        let rest = arguments.dropFirst()
        do throws(Unrecognised) {
            switch subcommand {
            case "copy": return .copy(try copy(Tokens(rest, options: copyOptions, flags: copyFlags)))
            case "clone": return .clone(try clone(Tokens(rest, options: rangeOptions, flags: ["--json"])))
            default: return nil
            }
        } catch {
            return nil
        }
    }

    private static let rangeOptions = ["--src-offset", "--dst-offset", "--count"]
    private static let copyOptions = rangeOptions + ["--backend", "--block-size", "--queue-depth", "--scsi-timeout"]
    private static let copyFlags = ["--fsync", "--guarded", "--json", "--explain", "--no-direct"]

    private static func copy(_ tokens: Tokens) throws(Unrecognised) -> CopyArguments {
        let (source, destination) = try tokens.sourceAndDestination()
        let arguments = CopyArguments(
            source: source, destination: destination, range: try range(tokens),
            backend: try tokens.value("--backend", BackendName.init(argument:)),
            fsync: tokens.has("--fsync"), guarded: tokens.has("--guarded"), json: tokens.has("--json"),
            explain: tokens.has("--explain"),
            blockSizeArgument: try tokens.value("--block-size", ByteCount.init(argument:)),
            queueDepth: try tokens.value("--queue-depth", Int.init(argument:)),
            noDirect: tokens.has("--no-direct"),
            scsiTimeout: try tokens.value("--scsi-timeout", Int.init(argument:)))
        do { try arguments.validate() } catch { throw Unrecognised() }
        return arguments
    }

    private static func clone(_ tokens: Tokens) throws(Unrecognised) -> CloneArguments {
        let (source, destination) = try tokens.sourceAndDestination()
        return CloneArguments(source: source, destination: destination, range: try range(tokens), json: tokens.has("--json"))
    }

    private static func range(_ tokens: Tokens) throws(Unrecognised) -> ByteRange {
        ByteRange(
            srcOffset: try tokens.value("--src-offset", ByteCount.init(argument:))?.value,
            dstOffset: try tokens.value("--dst-offset", ByteCount.init(argument:))?.value,
            count: try tokens.value("--count", ByteCount.init(argument:))?.value)
    }

    private struct Unrecognised: Error {}

    /// The arguments after the subcommand, split into long options with their values
    /// (`--name value` or `--name=value`), flags and positional arguments.
    private struct Tokens {
        // Parallel arrays of Strings, not an array of (name, value) tuples: a tuple
        // array costs the runtime a tuple metadata instantiation at every start.
        private var names: [String] = []
        private var values: [String] = []
        private var flags: [String] = []
        private var positionals: [String] = []

        init(_ arguments: ArraySlice<String>, options: [String], flags flagNames: [String]) throws(Unrecognised) {
            var index = arguments.startIndex
            while index < arguments.endIndex {
                let token = arguments[index]
                index += 1
                guard token.utf8.first == UInt8(ascii: "-") else {
                    positionals.append(token)
                    continue
                }
                // ArgumentParser splits `--name=value` at the first "=" Character; in
                // ASCII that is the first "=" byte, elsewhere (a combining mark after
                // the "=") it need not be.
                guard token.utf8.allSatisfy({ $0 < 0x80 }) else { throw Unrecognised() }
                var name = token
                var inlineValue: String?
                if let equals = token.utf8.firstIndex(of: UInt8(ascii: "=")) {
                    name = String(token[..<equals])
                    inlineValue = String(token[token.index(after: equals)...])
                }
                if flagNames.contains(name) {
                    guard inlineValue == nil, !flags.contains(name) else { throw Unrecognised() }
                    flags.append(name)
                } else if options.contains(name) {
                    guard !names.contains(name) else { throw Unrecognised() }
                    let value: String
                    if let inlineValue {
                        value = inlineValue
                    } else {
                        guard index < arguments.endIndex else { throw Unrecognised() }
                        value = arguments[index]
                        index += 1
                    }
                    guard let first = value.utf8.first, first != UInt8(ascii: "-") else { throw Unrecognised() }
                    names.append(name)
                    values.append(value)
                } else {
                    throw Unrecognised()
                }
            }
        }

        func sourceAndDestination() throws(Unrecognised) -> (String, String) {
            guard positionals.count == 2 else { throw Unrecognised() }
            return (positionals[0], positionals[1])
        }

        func has(_ flag: String) -> Bool { flags.contains(flag) }

        /// The option's value through the same `init(argument:)` ArgumentParser uses;
        /// nil when absent.
        func value<T>(_ name: String, _ parse: (String) -> T?) throws(Unrecognised) -> T? {
            guard let index = names.firstIndex(of: name) else { return nil }
            let text = values[index]
            guard let value = parse(text) else { throw Unrecognised() }
            return value
        }
    }
}
