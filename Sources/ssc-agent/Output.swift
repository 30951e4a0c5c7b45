import JSON
import Backends
import Glibc

/// How results and errors reach the user: one line on stderr per error, one JSON
/// object on stdout with --json.
enum Output {
    static func printError(_ message: String) {
        writeLine("ssc-agent: \(message)", to: STDERR_FILENO)
    }

    static func writeLine(_ line: String, to fd: CInt) {
        write(line + "\n", to: fd)
    }

    /// write(2) straight to the descriptor: no stdio buffer shared between threads.
    static func write(_ text: String, to fd: CInt) {
        var text = text
        text.withUTF8 { bytes in
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                done += n
            }
        }
    }

    static func printJSON(_ value: JSONValue) {
        writeLine(value.serialized, to: STDOUT_FILENO)
    }

    static func json(_ error: CopyError) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("kind", .string(error.kind.rawValue)),
            ("message", .string(error.message)),
        ]
        if let errno = error.errno { members.append(("errno", .integer(Int64(errno.rawValue)))) }
        members.append(("nfs4", .string(error.nfs4)))
        members.append(("bytes", .unsigned(error.bytes)))
        return .object(members)
    }

    static func json(_ skipped: [BackendSkip]) -> JSONValue {
        .array(
            skipped.map {
                .object([
                    ("backend", .string($0.backend.rawValue)), ("reason", .string($0.message)),
                    ("class", .string($0.reason.rawValue)),
                ])
            })
    }

    static func isTerminal(_ fd: CInt) -> Bool { isatty(fd) == 1 }
}

/// Sizes as people read them: 1.5 GiB, 512 MiB/s.
func humanBytes(_ value: Double) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    var v = value
    var unit = 0
    while v >= 1024 && unit < units.count - 1 {
        v /= 1024
        unit += 1
    }
    if unit == 0 { return "\(Int(v)) B" }
    let tenths = Int((v * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) \(units[unit])"
}
