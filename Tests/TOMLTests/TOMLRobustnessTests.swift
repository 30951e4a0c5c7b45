import TOML
import TestSupport
import XCTest

/// Malformed input never crashes the reader: every prefix of a document using each
/// construct, and seeded random damage to it, is either read or refused with a position
/// inside the text.
final class TOMLRobustnessTests: XCTestCase {
    static let document = #"""
        # A document with every construct of TOML 1.0.
        title = "TOML \"Example\" \u00E9 \U0001F600"
        'literal key' = 'C:\path'
        ml = """
        one \
          two ""\""""
        mll = '''
        raw ''line'' '''
        [owner]
        name.first = "Tom"
        dob = 1979-05-27T07:32:00-08:00
        [database]
        enabled = true
        ports = [ 8000, 8001, 0x1F42, 0o17, 0b101, +1_000 ]
        data = [ ["delta", "phi"], [3.14, -2e-3, inf, nan] ]
        temp_targets = { cpu = 79.5, case = 72.0, nested.deeper = { x = 1 } }
        [servers.alpha]
        ip = "10.0.0.1"
        at = 07:32:00.999
        on = 1979-05-27
        local = 1979-05-27 07:32:00
        [[products]]
        name = "Hammer"
        [[products.variants]]
        size = 1
        [[products]]
        """#

    func testTheDocumentReads() throws {
        let table = try TOMLParser.parse(Self.document)
        XCTAssertEqual(table.keys, ["title", "literal key", "ml", "mll", "owner", "database", "servers", "products"])
        XCTAssertEqual(table["ml"], .string("one two \"\"\""))
        XCTAssertEqual(table["mll"], .string("raw ''line'' "))
        XCTAssertEqual(table["products"]?.array?.count, 2)
    }

    func testEveryPrefixIsReadOrRefusedInside() {
        let bytes = Array(Self.document.utf8)
        var refused = 0
        for length in 0...bytes.count {
            let text = String(decoding: bytes[..<length], as: UTF8.self)
            do {
                _ = try TOMLParser.parse(text)
            } catch {
                refused += 1
                assertInside(error, text)
            }
        }
        XCTAssertGreaterThan(refused, bytes.count / 4, "cut strings, arrays and headers are refused")
    }

    func testRandomDamageIsReadOrRefusedInside() {
        var generator = SplitMix64(seed: 0x70_4D_4C)
        let original = Array(Self.document.utf8)
        let alphabet = Array(#" \t\n\r"'[]{}=,.#\_-+:0123456789abcdefxobinTZeE"#.utf8) + [0, 0x7F, 0xC3, 0xA9]
        var refused = 0
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let position = Int(generator.next() % UInt64(bytes.count))
                let byte = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                switch generator.next() % 3 {
                case 0: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                default: bytes.remove(at: position)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                _ = try TOMLParser.parse(text)
            } catch {
                refused += 1
                assertInside(error, text)
            }
        }
        XCTAssertGreaterThan(refused, 1000)
    }

    func assertInside(_ error: TOMLParseError, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue((1...lines.count).contains(error.line), "\(error) for \(text.debugDescription)", file: file, line: line)
        if (1...lines.count).contains(error.line) {
            XCTAssertTrue((1...lines[error.line - 1].unicodeScalars.count + 1).contains(error.column), "\(error)", file: file, line: line)
        }
        XCTAssertFalse(error.message.isEmpty || error.message.contains("\n"), "\(error)", file: file, line: line)
    }
}
