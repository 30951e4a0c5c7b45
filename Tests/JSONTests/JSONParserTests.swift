import JSON
import XCTest

final class JSONParserTests: XCTestCase {
    let parser = JSONParser()

    func testScalars() throws {
        XCTAssertEqual(try parser.parse("true"), .bool(true))
        XCTAssertEqual(try parser.parse(" false "), .bool(false))
        XCTAssertEqual(try parser.parse("null"), .null)
        XCTAssertEqual(try parser.parse("0"), .integer(0))
        XCTAssertEqual(try parser.parse("-17"), .integer(-17))
        XCTAssertEqual(try parser.parse("18446744073709551615"), .unsigned(UInt64.max))
        XCTAssertEqual(try parser.parse("1.5"), .number(1.5))
        XCTAssertEqual(try parser.parse("2e3").int64Value, 2000)
        XCTAssertEqual(try parser.parse("\"a\\u00e9\\ud83d\\ude00\\n\"").stringValue, "aé😀\n")
    }

    func testObjectsKeepOrderAndLastDuplicateWins() throws {
        let value = try parser.parse(#"{"b":1,"a":[true,null,{"c":"d"}],"b":2}"#)
        XCTAssertEqual(value.objectMembers?.map(\.0), ["b", "a", "b"])
        XCTAssertEqual(value["b"]?.int64Value, 2)
        XCTAssertEqual(value["a"]?.arrayValue?.count, 3)
        XCTAssertNil(value["missing"])
    }

    func testRoundTrip() throws {
        let value: JSONValue = .object([
            ("s", .string("quote \" backslash \\ tab \t ctrl \u{01} é")), ("i", .integer(-5)),
            ("u", .unsigned(UInt64.max)), ("d", .number(0.25)), ("a", .array([.null, .bool(false)])),
        ])
        XCTAssertEqual(try parser.parse(value.serialized), value)
    }

    func testRejectsMalformedInput() {
        let bad = [
            "", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", "-", "1e", "+1",
            "\"unterminated", "\"bad \\x escape\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\u12\"", "tru",
            "nul", "[1] [2]", "\"tab\tinside\"", "NaN", "1e999", "{\"a\":1}}",
        ]
        for text in bad {
            XCTAssertThrowsError(try parser.parse(text), "accepted \(text.debugDescription)")
        }
        XCTAssertThrowsError(try parser.parse([0x22, 0xFF, 0xFE, 0x22]))  // invalid UTF-8
        XCTAssertThrowsError(try parser.parse([0x22, 0xC3, 0x22]))  // truncated sequence
    }

    func testNestingIsBounded() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try parser.parse(deep)) { error in
            XCTAssertTrue("\(error)".contains("nesting"))
        }
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        XCTAssertNoThrow(try parser.parse(ok))
    }

    func testErrorNamesTheOffset() {
        XCTAssertThrowsError(try parser.parse("[1, x]")) { error in
            XCTAssertEqual((error as? JSONParser.Error)?.offset, 4)
        }
    }

    func testRandomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("{}[],:\"\\u0123456789abcdef.eE+-truefalsenull \n".utf8) + [0xC3, 0xFF, 0x00]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0..<40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            _ = try? parser.parse(bytes)
        }
    }

    func testNumberAccessors() {
        XCTAssertNil(JSONValue.number(1.5).int64Value)
        XCTAssertNil(JSONValue.integer(-1).uint64Value)
        XCTAssertEqual(JSONValue.unsigned(5).int64Value, 5)
        XCTAssertNil(JSONValue.unsigned(UInt64.max).int64Value)
        XCTAssertNil(JSONValue.string("5").int64Value)
    }
}
