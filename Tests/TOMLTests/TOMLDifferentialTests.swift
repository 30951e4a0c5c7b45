import Foundation
import TOML
import TestSupport
import XCTest

/// This project's reader against Python's tomllib (TOML 1.0, in the standard library since
/// 3.11) on the same documents: both accept with the same values, or both refuse. The
/// documents: the repository's profiles, edge cases of each construct, and seeded random
/// damage to documents that use every construct.
final class TOMLDifferentialTests: XCTestCase {
    static let edgeCases = [
        "a = 1\n[b]\nc = 2\n[b.d]\n[e.f.g]\n[e]\nh = 3\n",
        "[a.b.c]\nz = 9\n[a]\nb.d = 1\n",
        "[fruit]\napple.color = 'red'\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true\n",
        "a.b = 1\n[a.c]\nd = 2\n",
        "[[a]]\nb.c = 1\n[a.b.d]\ne = 2\n",
        "[[a.b]]\n[a]\nc = 1\n",
        "a = [[1, 2], ['x'], [{ b = 1 }], []]\n",
        "t = { a.b.c = 1, a.d = 2 }\n",
        "\"a.b\" = 1\na.b = 2\n'a'.c = 3\n",
        "s = \"\"\"\\\n  \\\n  x\\\n   \"\"\"\n",
        "s = '''\n\n'''\nt = \"\"\"\n\n\"\"\"\n",
        "d = 1979-05-27T07:32:00.123456789Z\nl = 07:32:00.1\nx = 1979-05-27 07:32:00+14:00\n",
        "f = [0.0, -0.0, +0.0, 1e0, 1E-0, 1.5e+3, 1_0.0_1, 9_007_199_254_740_993.0, 1e308, 4.9e-324]\n",
        "i = [0x0, 0o0, 0b0, 0xdead_BEEF, 0o7_7, 0b1_0, -0, +0, 1_2_3]\n",
        "[ a . 'b' . \"c\" ]\n",
        "a=1#c\nb='#'#c\n",
        "\u{FEFF}a = 1\n",
        "a = \"\\u00e9\\U0001F600\\t\"\n",
        "a = [\n  1,\n  # c\n  2 # c\n  ,\n]\n",
        "x = 1\n[x]\n", "[x]\n[x.y]\n[x]\n", "a = {}\na.b = 1\n", "a = []\n[[a]]\n",
        "a = 1979-02-29\n", "a = 2000-02-29\n", "a = 24:00:00\n", "a = 1979-05-27T07:32\n",
        "a = 00_1\n", "a = 1__1\n", "a = 0x\n", "a = -0x1\n", "a = 1.\n", "a = .1\n", "a = 1e\n",
        "a = 9223372036854775808\n", "a = -9223372036854775808\n",
        "a = \"\\x41\"\n", "a = \"\\e\"\n", "a = { b = 1, }\n", "a = { b = 1\n}\n", "a = true b = 1\n",
    ]

    func testAgreesWithPythonTomllib() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("toml-differential-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        var documents = Self.edgeCases
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let profiles = root.appendingPathComponent("hw-profiles")
        for name in try FileManager.default.contentsOfDirectory(atPath: profiles.path).sorted() where name.hasSuffix(".toml") {
            documents.append(try String(contentsOf: profiles.appendingPathComponent(name), encoding: .utf8))
        }
        var generator = SplitMix64(seed: 0x70_4D_4C_44)
        let alphabet = Array(#" \t\n"'[]{}=,.#\_-+:019aefxobinTZ"#.utf8)
        for seed in [TOMLRobustnessTests.document] + Self.edgeCases.prefix(12) {
            let original = Array(seed.utf8)
            for _ in 0..<(seed == TOMLRobustnessTests.document ? 1500 : 60) {
                var bytes = original
                for _ in 0..<Int(generator.next() % 3 + 1) where !bytes.isEmpty {
                    let position = Int(generator.next() % UInt64(bytes.count))
                    let byte = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                    switch generator.next() % 3 {
                    case 0: bytes[position] = byte
                    case 1: bytes.insert(byte, at: position)
                    default: bytes.remove(at: position)
                    }
                }
                documents.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        var paths: [String] = []
        for (index, document) in documents.enumerated() {
            let path = directory.appendingPathComponent("\(index)").path
            try Data(document.utf8).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }

        let script = root.appendingPathComponent("Tests/TOMLTests/Support/toml_canonical.py").path
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", script] + paths
        let output = Pipe()
        python.standardOutput = output
        try python.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        python.waitUntilExit()
        XCTAssertEqual(python.terminationStatus, 0, "python3 with tomllib (3.11 or later) must run")
        var theirs: [Int: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1)
            if fields.count == 2, let index = Int(fields[0]) { theirs[index] = String(fields[1]) }
        }
        XCTAssertEqual(theirs.count, documents.count, "tomllib answered for every document")

        var agreed = (accepted: 0, refused: 0)
        for (index, document) in documents.enumerated() {
            guard let their = theirs[index] else { continue }
            let ours: String
            do {
                ours = Self.canonical(.table(try TOMLParser.parse(document)))
            } catch {
                ours = "ERROR"
            }
            // RFC 3339 allows a leap second (:60), which Python's datetime cannot hold.
            if their == "ERROR", ours.contains(":60.") { continue }
            // TOML 1.0 requires an error for an integer that is not 64-bit; tomllib
            // returns Python's unbounded integer.
            if ours == "ERROR", Self.hasIntegerBeyond64Bits(their) { continue }
            XCTAssertEqual(ours, their, "document \(index): \(document.debugDescription)")
            if ours == their { ours == "ERROR" ? (agreed.refused += 1) : (agreed.accepted += 1) }
        }
        XCTAssertGreaterThan(agreed.accepted, 300, "enough documents read by both")
        XCTAssertGreaterThan(agreed.refused, 300, "enough documents refused by both")
    }

    /// The form toml_canonical.py prints.
    static func canonical(_ value: TOMLValue) -> String {
        switch value {
        case .table(let table):
            return "{" + table.keys.sorted().map { text($0) + ":" + canonical(table[$0]!) }.joined(separator: ",") + "}"
        case .array(let elements):
            return "[" + elements.map(canonical).joined(separator: ",") + "]"
        case .string(let string):
            return "s" + text(string)
        case .boolean(let flag):
            return flag ? "b1" : "b0"
        case .integer(let integer):
            return "i\(integer)"
        case .float(let float):
            guard !float.isNaN else { return "fnan" }
            let hex = String(float.bitPattern, radix: 16)
            return "f" + String(repeating: "0", count: 16 - hex.count) + hex
        case .dateTime(let dateTime):
            var date = ""
            if let d = dateTime.date { date = pad(d.year, 4) + "-" + pad(d.month, 2) + "-" + pad(d.day, 2) }
            var time = ""
            if let t = dateTime.time {
                time = pad(t.hour, 2) + ":" + pad(t.minute, 2) + ":" + pad(t.second, 2) + "." + pad(t.nanosecond / 1000, 6)
            }
            switch dateTime.kind {
            case .offsetDateTime:
                let minutes = dateTime.offsetMinutes ?? 0
                return "odt" + date + "T" + time + (minutes >= 0 ? "+" : "-") + pad(abs(minutes) / 60, 2) + ":" + pad(abs(minutes) % 60, 2)
            case .localDateTime: return "ldt" + date + "T" + time
            case .localDate: return "ld" + date
            default: return "lt" + time
            }
        }
    }

    static func text(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                result.unicodeScalars.append(scalar)
            } else {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
        }
        return result + "\""
    }

    /// Whether a canonical form holds an integer ("i" and digits) outside Int64.
    static func hasIntegerBeyond64Bits(_ canonical: String) -> Bool {
        let bytes = Array(canonical.utf8)
        var index = 0
        while index < bytes.count {
            defer { index += 1 }
            guard bytes[index] == UInt8(ascii: "i"), index == 0 || ",[:".utf8.contains(bytes[index - 1]) else { continue }
            var end = index + 1
            while end < bytes.count, bytes[end] == UInt8(ascii: "-") || (bytes[end] >= 0x30 && bytes[end] <= 0x39) { end += 1 }
            if end > index + 1, Int64(String(decoding: bytes[(index + 1)..<end], as: UTF8.self)) == nil { return true }
        }
        return false
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
