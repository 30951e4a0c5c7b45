import TOML
import XCTest

/// Documents TOML 1.0 refuses: each error names the line and column where reading
/// stopped and what is wrong, in one line.
final class TOMLInvalidDocumentTests: XCTestCase {
    /// The error for `text`, checked to be one line and to sit at `line`:`column`.
    func refuse(
        _ text: String, line: Int, column: Int? = nil, _ fragment: String,
        file: StaticString = #filePath, sourceLine: UInt = #line
    ) {
        do {
            let table = try TOMLParser.parse(text)
            XCTFail("accepted \(text.debugDescription) as \(table)", file: file, line: sourceLine)
        } catch {
            XCTAssertEqual(error.line, line, "line of \(error) for \(text.debugDescription)", file: file, line: sourceLine)
            if let column {
                XCTAssertEqual(error.column, column, "column of \(error) for \(text.debugDescription)", file: file, line: sourceLine)
            }
            XCTAssertTrue(error.message.contains(fragment), "\(error) should say '\(fragment)'", file: file, line: sourceLine)
            XCTAssertFalse(error.message.contains("\n") || error.message.contains("\r"), "one line: \(error)", file: file, line: sourceLine)
        }
    }

    func testKeysAndKeyValuePairs() {
        refuse("key = # no value\n", line: 1, column: 7, "expected a value")
        refuse("key\n", line: 1, column: 4, "expected '=' after the key, found a newline")
        refuse("= \"no key\"\n", line: 1, column: 1, "expected a key")
        refuse("first = \"Tom\" last = \"Preston-Werner\"\n", line: 1, column: 15, "expected the end of the line, found 'last'")
        refuse("a.b.c = 1\na.b = 2\n", line: 2, column: 3, "duplicate key 'a.b'")
        refuse("name = \"Tom\"\nname = \"Pradyun\"\n", line: 2, column: 1, "duplicate key 'name'")
        refuse("spelling = \"favorite\"\n\"spelling\" = \"favourite\"\n", line: 2, column: 1, "duplicate key 'spelling'")
        refuse("fruit.apple = 1\nfruit.apple.smooth = true\n", line: 2, column: 7, "'fruit.apple' is already defined as an integer")
        refuse("\"\"\"key\"\"\" = 1\n", line: 1, column: 1, "multi-line string")
        refuse("ke y = 1\n", line: 1, column: 4, "expected '=' after the key, found 'y'")
        refuse("a. = 1\n", line: 1, column: 4, "expected a key")
        refuse("k€y = 1\n", line: 1, column: 2, "expected '=' after the key")
    }

    func testStrings() {
        refuse("s = \"unterminated\n", line: 1, column: 18, "unterminated string")
        refuse("s = \"no end", line: 1, column: 12, "unterminated string")
        refuse("s = \"bad \\q escape\"\n", line: 1, column: 10, "unknown escape '\\q'")
        refuse("s = \"\\u12\"\n", line: 1, column: 6, "4 hexadecimal digits")
        refuse("s = \"\\uD800\"\n", line: 1, column: 6, "no Unicode scalar value")
        refuse("s = \"\\U00110000\"\n", line: 1, column: 6, "no Unicode scalar value")
        refuse("s = \"a\u{1}b\"\n", line: 1, column: 7, "control character U+0001")
        refuse("s = \"a\u{7F}b\"\n", line: 1, column: 7, "control character U+007F")
        refuse("s = 'literal\nstring'\n", line: 1, column: 13, "unterminated literal string")
        refuse("s = \"\"\"never closed\n", line: 1, column: 5, "unterminated multi-line string")
        refuse("s = '''never closed\n", line: 1, column: 5, "unterminated multi-line literal string")
        refuse("s = \"\"\"a\\ b\"\"\"\n", line: 1, column: 9, "unknown escape")
        refuse("s = \"\"\"six quotes\"\"\"\"\"\"\n", line: 1, column: 23, "expected the end of the line")
        refuse("s = '''a\u{0}b'''\n", line: 1, column: 9, "control character U+0000")
        refuse("s = \"\"\"a\rb\"\"\"\n", line: 1, column: 9, "carriage return")
    }

    func testNumbers() {
        refuse("n = 012\n", line: 1, column: 5, "leading zeros")
        refuse("n = +012.5\n", line: 1, column: 5, "leading zeros")
        refuse("n = 1__000\n", line: 1, column: 5, "underscore")
        refuse("n = _1\n", line: 1, column: 5, "expected a value")
        refuse("n = 1_\n", line: 1, column: 5, "underscore")
        refuse("n = 0x_1\n", line: 1, column: 5, "underscore")
        refuse("n = +0x10\n", line: 1, column: 5, "sign is not allowed")
        refuse("n = 0xG1\n", line: 1, column: 5, "'G' is not a base-16 digit")
        refuse("n = 0b102\n", line: 1, column: 5, "'2' is not a base-2 digit")
        refuse("n = 0O17\n", line: 1, column: 5, "not a valid number")
        refuse("n = 9223372036854775808\n", line: 1, column: 5, "64-bit range")
        refuse("n = -9223372036854775809\n", line: 1, column: 5, "64-bit range")
        refuse("n = 0x8000000000000000\n", line: 1, column: 5, "64-bit range")
        refuse("f = .7\n", line: 1, column: 5, "expected a value")
        refuse("f = 7.\n", line: 1, column: 5, "decimal point needs digits")
        refuse("f = 3.e+20\n", line: 1, column: 5, "decimal point needs digits")
        refuse("f = 1e\n", line: 1, column: 5, "exponent needs digits")
        refuse("f = 1.5_\n", line: 1, column: 5, "underscore")
        refuse("f = 1e400\n", line: 1, column: 5, "range of a 64-bit float")
        refuse("f = infinity\n", line: 1, column: 5, "not a valid number")
        refuse("f = NaN\n", line: 1, column: 5, "expected a value")
        refuse("b = tru\n", line: 1, column: 5, "expected a value")
        refuse("b = True\n", line: 1, column: 5, "found 'True'")
        refuse("b = truex\n", line: 1, column: 9, "expected the end of the line, found 'x'")
    }

    func testDateTimes() {
        refuse("d = 1979-02-29\n", line: 1, column: 5, "day 29 does not exist")
        refuse("d = 1979-13-01\n", line: 1, column: 5, "month 13")
        refuse("d = 1979-1-01\n", line: 1, column: 5, "2 digits for the month")
        refuse("t = 07:32\n", line: 1, column: 5, "requires seconds")
        refuse("t = 24:00:00\n", line: 1, column: 5, "time out of range")
        refuse("t = 07:32:00.\n", line: 1, column: 5, "digits after it")
        refuse("d = 1979-05-27T07:32:00+25:00\n", line: 1, column: 5, "offset out of range")
        refuse("d = 1979-05-27T07:32:00+0700\n", line: 1, column: 5, "':' in the offset")
        refuse("d = 1979-05-27X07:32:00\n", line: 1, column: 5, "not a valid date-time")
        refuse("d = 1979-05-27 07:32:00 Z\n", line: 1, column: 25, "expected the end of the line")
    }

    func testArraysAndInlineTables() {
        refuse("a = [1, 2\n", line: 1, column: 5, "unterminated array")
        refuse("a = [\n  [1,\n  2]\n", line: 1, column: 5, "unterminated array")
        refuse("a = [1 2]\n", line: 1, column: 8, "expected ',' or ']'")
        refuse("a = [,]\n", line: 1, column: 6, "expected a value")
        refuse("a = [1,,2]\n", line: 1, column: 8, "expected a value")
        refuse("t = { a = 1, }\n", line: 1, column: 14, "cannot end with a comma")
        refuse("t = { a = 1\n, b = 2 }\n", line: 1, column: 12, "must stay on one line")
        refuse("t = { a = 1, a = 2 }\n", line: 1, column: 14, "duplicate key 'a'")
        refuse("t = { a.b = 1, a = 2 }\n", line: 1, column: 16, "duplicate key 'a'")
        refuse("[product]\ntype = { name = \"Nail\" }\ntype.edible = false\n", line: 3, column: 1, "'product.type' is already defined as a table")
        refuse("[product]\ntype.name = \"Nail\"\ntype = { edible = false }\n", line: 3, column: 1, "duplicate key 'product.type'")
        refuse("a = { b = 1 }\n[a.c]\n", line: 2, column: 2, "'a' is already defined as a table")
        refuse(String(repeating: "[", count: 3) + "a]]]\n", line: 1, column: 3, "expected a key, found '[a'")
        refuse("a = " + String(repeating: "{ b = ", count: 129) + "1" + String(repeating: " }", count: 129), line: 1, column: 773, "nested more than 128 deep")
        refuse("a = " + String(repeating: "[", count: 129) + String(repeating: "]", count: 129), line: 1, column: 133, "nested more than 128 deep")
    }

    func testTableDefinitions() {
        refuse("[fruit]\napple = \"red\"\n\n[fruit]\norange = \"orange\"\n", line: 4, column: 1, "table [fruit] is already defined by an earlier [fruit]")
        refuse("[fruit]\napple = \"red\"\n\n[fruit.apple]\ntexture = \"smooth\"\n", line: 4, column: 1, "'fruit.apple' is already defined as a string")
        refuse("[fruit]\napple.color = \"red\"\n[fruit.apple]\n", line: 3, column: 1, "already defined by dotted keys")
        refuse("[fruit]\napple.taste.sweet = true\n[fruit.apple.taste]\n", line: 3, column: 1, "already defined by dotted keys")
        refuse("[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n", line: 4, column: 3, "cannot add to table [a.b.c] with dotted keys")
        refuse("[a]\n[a.b]\n[a.b]\n", line: 3, column: 1, "already defined")
        refuse("[]\n", line: 1, column: 2, "expected a key")
        refuse("[a\n", line: 1, column: 3, "expected ']' to close the table header")
        refuse("[a] b = 1\n", line: 1, column: 5, "expected the end of the line")
        refuse("[[a]\n", line: 1, column: 4, "expected ']]'")
        refuse("[[a] ]\n", line: 1, column: 4, "expected ']]'")
    }

    func testArraysOfTablesDefinitions() {
        refuse("fruits = []\n[[fruits]]\n", line: 2, column: 1, "a static array cannot be extended")
        refuse("[[fruits]]\nname = \"apple\"\n[fruits]\n", line: 3, column: 1, "is an array of tables")
        refuse("[fruit.physical]\ncolor = \"red\"\n[[fruit]]\n", line: 3, column: 1, "'fruit' is already a table")
        refuse("[[a]]\nb.c = 1\n[[a.b]]\n", line: 3, column: 1, "'a.b' is already a table")
        refuse("a = [{ b = 1 }]\n[a.c]\n", line: 2, column: 2, "'a' is already defined as an array")
        refuse("[[a]]\n[a.b]\nx = 1\n[a.b]\n", line: 4, column: 1, "already defined")
    }

    func testControlCharactersAndLineEnds() {
        refuse("a = 1 # comment \u{1} here\n", line: 1, column: 17, "control character U+0001")
        refuse("a = 1\rb = 2\n", line: 1, column: 6, "carriage return not followed by a newline")
        refuse("a = [1, \u{0}]\n", line: 1, column: 9, "control character U+0000 is not allowed here")
        refuse("\u{FEFF}a = 1\n", line: 1, column: 1, "expected a key")
    }

    func testErrorPositionsCountCharactersNotBytes() {
        refuse("ä = 1\n", line: 1, column: 1, "expected a key")
        refuse("s = \"äöü\" x\n", line: 1, column: 11, "found 'x'")
    }
}
