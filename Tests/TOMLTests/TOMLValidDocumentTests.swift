import TOML
import XCTest

/// Documents TOML 1.0 accepts (https://toml.io/en/v1.0.0), read into the values the
/// specification gives them.
final class TOMLValidDocumentTests: XCTestCase {
    func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> TOMLTable {
        do {
            return try TOMLParser.parse(text)
        } catch {
            XCTFail("\(error)", file: file, line: line)
            throw error
        }
    }

    func testEmptyAndBlankDocuments() throws {
        XCTAssertEqual(try parse(""), TOMLTable())
        XCTAssertEqual(try parse("\n\n  \t\n# only a comment\n\r\n"), TOMLTable())
        XCTAssertEqual(try parse("a = 1"), TOMLTable(["a": .integer(1)]), "no newline at the end")
    }

    func testKeysBareQuotedAndDotted() throws {
        let table = try parse("""
            key = "value"
            bare_key = 1
            bare-key = 2
            1234 = 3
            "127.0.0.1" = "value"
            "character encoding" = "value"
            "ʎǝʞ" = "value"
            'key2' = "value"
            'quoted "value"' = "value"
            "" = "empty"
            physical.color = "orange"
            physical . shape = "round"
            site."google.com" = true
            3.14159 = "pi"
            """)
        XCTAssertEqual(table.keys, [
            "key", "bare_key", "bare-key", "1234", "127.0.0.1", "character encoding", "ʎǝʞ", "key2",
            "quoted \"value\"", "", "physical", "site", "3",
        ])
        XCTAssertEqual(table["physical"], .table(TOMLTable(["color": .string("orange"), "shape": .string("round")])))
        XCTAssertEqual(table["site"]?.table?["google.com"], .boolean(true))
        XCTAssertEqual(table["3"]?.table?["14159"], .string("pi"))
        XCTAssertEqual(table[""], .string("empty"))
    }

    func testBasicStringEscapes() throws {
        let table = try parse(#"""
            s = "I'm a string. \"You can quote me\". Name\tJos\u00E9\nLocation\tSF. \b\f\r\\ \U0001F600"
            """#)
        XCTAssertEqual(table["s"], .string("I'm a string. \"You can quote me\". Name\tJos\u{E9}\nLocation\tSF. \u{8}\u{C}\r\\ \u{1F600}"))
    }

    func testMultiLineBasicStrings() throws {
        let table = try parse(#"""
            str1 = """
            Roses are red
            Violets are blue"""
            str2 = """
            The quick brown \


              fox jumps over \
                the lazy dog."""
            str3 = """\
                   The quick brown \
                   fox jumps over \
                   the lazy dog.\
                   """
            str4 = """Here are two quotation marks: "". Simple enough."""
            str5 = """Here are three quotation marks: ""\"."""
            str6 = """Here are fifteen quotation marks: ""\"""\"""\"""\"""\"."""
            str7 = """"This," she said, "is just a pointless statement.\""""
            str8 = """tab\there, backslash \\ then end"""
            """#)
        XCTAssertEqual(table["str1"], .string("Roses are red\nViolets are blue"))
        XCTAssertEqual(table["str2"], .string("The quick brown fox jumps over the lazy dog."))
        XCTAssertEqual(table["str3"], .string("The quick brown fox jumps over the lazy dog."))
        XCTAssertEqual(table["str4"], .string("Here are two quotation marks: \"\". Simple enough."))
        XCTAssertEqual(table["str5"], .string("Here are three quotation marks: \"\"\"."))
        XCTAssertEqual(table["str6"], .string("Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"."))
        XCTAssertEqual(table["str7"], .string("\"This,\" she said, \"is just a pointless statement.\""))
        XCTAssertEqual(table["str8"], .string("tab\there, backslash \\ then end"))
    }

    func testCRLFIsANewlineAndStaysInMultiLineStrings() throws {
        let table = try parse("a = \"\"\"\r\none\r\ntwo\"\"\"\r\nb = 2\r\n")
        XCTAssertEqual(table["a"], .string("one\r\ntwo"))
        XCTAssertEqual(table["b"], .integer(2))
    }

    func testLiteralStrings() throws {
        let table = try parse(#"""
            winpath  = 'C:\Users\nodejs\templates'
            winpath2 = '\\ServerX\admin$\system32\'
            quoted   = 'Tom "Dubs" Preston-Werner'
            regex    = '<\i\c*\s*>'
            regex2 = '''I [dw]on't need \d{2} apples'''
            lines  = '''
            The first newline is
            trimmed in raw strings.
               All other whitespace
               is preserved.
            '''
            quot15 = '''Here are fifteen quotation marks: """""""""""""""'''
            apos15 = "Here are fifteen apostrophes: '''''''''''''''"
            str = ''''That,' she said, 'is still pointless.''''
            """#)
        XCTAssertEqual(table["winpath"], .string(#"C:\Users\nodejs\templates"#))
        XCTAssertEqual(table["winpath2"], .string(#"\\ServerX\admin$\system32\"#))
        XCTAssertEqual(table["quoted"], .string(#"Tom "Dubs" Preston-Werner"#))
        XCTAssertEqual(table["regex"], .string(#"<\i\c*\s*>"#))
        XCTAssertEqual(table["regex2"], .string(#"I [dw]on't need \d{2} apples"#))
        XCTAssertEqual(table["lines"], .string("The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n"))
        XCTAssertEqual(table["quot15"], .string("Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\""))
        XCTAssertEqual(table["apos15"], .string("Here are fifteen apostrophes: '''''''''''''''"))
        XCTAssertEqual(table["str"], .string("'That,' she said, 'is still pointless.'"))
    }

    func testIntegers() throws {
        let table = try parse("""
            int1 = +99
            int2 = 42
            int3 = 0
            int4 = -17
            int5 = 1_000
            int6 = 5_349_221
            int7 = 53_49_221
            int8 = 1_2_3_4_5
            zero1 = +0
            zero2 = -0
            hex1 = 0xDEADBEEF
            hex2 = 0xdeadbeef
            hex3 = 0xdead_beef
            oct1 = 0o01234567
            oct2 = 0o755
            bin1 = 0b11010110
            max = 9223372036854775807
            min = -9223372036854775808
            hexmax = 0x7FFF_FFFF_FFFF_FFFF
            """)
        let expected: [(String, Int64)] = [
            ("int1", 99), ("int2", 42), ("int3", 0), ("int4", -17), ("int5", 1000), ("int6", 5_349_221),
            ("int7", 5_349_221), ("int8", 12345), ("zero1", 0), ("zero2", 0), ("hex1", 0xDEADBEEF),
            ("hex2", 0xDEADBEEF), ("hex3", 0xDEADBEEF), ("oct1", 0o1234567), ("oct2", 0o755), ("bin1", 0b11010110),
            ("max", .max), ("min", .min), ("hexmax", .max),
        ]
        for (key, value) in expected {
            XCTAssertEqual(table[key], .integer(value), key)
        }
    }

    func testFloats() throws {
        let table = try parse("""
            flt1 = +1.0
            flt2 = 3.1415
            flt3 = -0.01
            flt4 = 5e+22
            flt5 = 1e06
            flt6 = -2E-2
            flt7 = 6.626e-34
            flt8 = 224_617.445_991_228
            flt9 = -0.0
            flt10 = 0e0
            sf1 = inf
            sf2 = +inf
            sf3 = -inf
            sf4 = nan
            sf5 = +nan
            sf6 = -nan
            """)
        let expected: [(String, Double)] = [
            ("flt1", 1.0), ("flt2", 3.1415), ("flt3", -0.01), ("flt4", 5e22), ("flt5", 1e6), ("flt6", -2e-2),
            ("flt7", 6.626e-34), ("flt8", 224_617.445_991_228), ("flt10", 0),
            ("sf1", .infinity), ("sf2", .infinity), ("sf3", -.infinity),
        ]
        for (key, value) in expected {
            XCTAssertEqual(table[key], .float(value), key)
        }
        XCTAssertEqual(table["flt9"]?.float?.sign, .minus)
        for key in ["sf4", "sf5", "sf6"] {
            XCTAssertEqual(table[key]?.float?.isNaN, true, key)
        }
    }

    func testBooleans() throws {
        let table = try parse("bool1 = true\nbool2 = false # comment\n")
        XCTAssertEqual(table["bool1"], .boolean(true))
        XCTAssertEqual(table["bool2"], .boolean(false))
    }

    func testDateTimes() throws {
        let table = try parse("""
            odt1 = 1979-05-27T07:32:00Z
            odt2 = 1979-05-27T00:32:00-07:00
            odt3 = 1979-05-27T00:32:00.999999+05:30
            odt4 = 1979-05-27 07:32:00z
            ldt1 = 1979-05-27T07:32:00
            ldt2 = 1979-05-27t00:32:00.999999
            ld1 = 1979-05-27
            ld2 = 2000-02-29 # a leap day
            lt1 = 07:32:00
            lt2 = 00:32:00.123456789123
            leap = 1990-12-31T23:59:60Z
            """)
        let odt2 = TOMLDateTime(date: .init(year: 1979, month: 5, day: 27), time: .init(hour: 0, minute: 32, second: 0), offsetMinutes: -420)
        XCTAssertEqual(table["odt2"], .dateTime(odt2))
        XCTAssertEqual(table["odt1"]?.dateTime?.description, "1979-05-27T07:32:00Z")
        XCTAssertEqual(table["odt3"]?.dateTime?.description, "1979-05-27T00:32:00.999999+05:30")
        XCTAssertEqual(table["odt4"]?.dateTime?.description, "1979-05-27T07:32:00Z")
        XCTAssertEqual(table["ldt1"]?.kind, .localDateTime)
        XCTAssertEqual(table["ldt2"]?.dateTime?.description, "1979-05-27T00:32:00.999999")
        XCTAssertEqual(table["ld1"]?.kind, .localDate)
        XCTAssertEqual(table["ld1"]?.dateTime?.description, "1979-05-27")
        XCTAssertEqual(table["ld2"]?.dateTime?.date, .init(year: 2000, month: 2, day: 29))
        XCTAssertEqual(table["lt1"]?.kind, .localTime)
        XCTAssertEqual(table["lt2"]?.dateTime?.time?.nanosecond, 123_456_789, "truncated past nanoseconds")
        XCTAssertEqual(table["leap"]?.dateTime?.time?.second, 60)
        XCTAssertEqual(table["odt1"]?.kind, .offsetDateTime)
    }

    func testArrays() throws {
        let table = try parse("""
            integers = [ 1, 2, 3 ]
            colors = [ "red", "yellow", "green", ]
            nested_arrays_of_ints = [ [ 1, 2 ], [3, 4, 5] ]
            nested_mixed_array = [ [ 1, 2 ], ["a", "b", "c"] ]
            numbers = [ 0.1, 0.2, 0.5, 1, 2, 5 ]
            contributors = [
              "Foo Bar <foo@example.com>", # a comment
              { name = "Baz Qux", email = "bazqux@example.com", url = "https://example.com/bazqux" }
            ]
            empty = [ ]
            multi = [
              1,
              2, # trailing comma next

            ]
            """)
        XCTAssertEqual(table["integers"], .array([.integer(1), .integer(2), .integer(3)]))
        XCTAssertEqual(table["colors"]?.array?.count, 3)
        XCTAssertEqual(table["nested_arrays_of_ints"], .array([.array([.integer(1), .integer(2)]), .array([.integer(3), .integer(4), .integer(5)])]))
        XCTAssertEqual(table["nested_mixed_array"]?.array?[1].array?.first, .string("a"))
        XCTAssertEqual(table["numbers"]?.array?[3], .integer(1))
        XCTAssertEqual(table["contributors"]?.array?[1].table?["name"], .string("Baz Qux"))
        XCTAssertEqual(table["empty"], .array([]))
        XCTAssertEqual(table["multi"], .array([.integer(1), .integer(2)]))
    }

    func testInlineTables() throws {
        let table = try parse("""
            name = { first = "Tom", last = "Preston-Werner" }
            point = { x = 1, y = 2 }
            animal = { type.name = "pug" }
            empty = {}
            nested = { a = { b = [ { c = 1 } ] } }
            """)
        XCTAssertEqual(table["name"], .table(TOMLTable(["first": .string("Tom"), "last": .string("Preston-Werner")])))
        XCTAssertEqual(table["animal"]?.table?["type"]?.table?["name"], .string("pug"))
        XCTAssertEqual(table["empty"], .table(TOMLTable()))
        XCTAssertEqual(table["nested"]?.table?["a"]?.table?["b"]?.array?.first?.table?["c"], .integer(1))
    }

    func testTablesHeadersAndImplicitParents() throws {
        let table = try parse("""
            [table-1]
            key1 = "some string"
            key2 = 123

            [ dog . "tater.man" ]
            type.name = "pug"

            # [x] [x.y] [x.y.z] need not be given for this to work
            [x.y.z.w]
            [x] # defining a super-table afterward is ok
            extra = 1

            [fruit]
            apple.color = "red"
            apple.taste.sweet = true
            [fruit.apple.texture]  # sub-tables of a table made by dotted keys
            smooth = true
            """)
        XCTAssertEqual(table.keys, ["table-1", "dog", "x", "fruit"])
        XCTAssertEqual(table["dog"]?.table?["tater.man"]?.table?["type"]?.table?["name"], .string("pug"))
        XCTAssertEqual(table["x"]?.table?["extra"], .integer(1))
        XCTAssertEqual(table["x"]?.table?["y"]?.table?["z"]?.table?["w"], .table(TOMLTable()))
        let apple = try XCTUnwrap(table["fruit"]?.table?["apple"]?.table)
        XCTAssertEqual(apple["color"], .string("red"))
        XCTAssertEqual(apple["taste"]?.table?["sweet"], .boolean(true))
        XCTAssertEqual(apple["texture"]?.table?["smooth"], .boolean(true))
    }

    func testArraysOfTables() throws {
        let table = try parse("""
            [[products]]
            name = "Hammer"
            sku = 738594937

            [[products]]  # empty table within the array

            [[products]]
            name = "Nail"

            [[fruits]]
            name = "apple"

            [fruits.physical]  # subtable
            color = "red"

            [[fruits.varieties]]  # nested array of tables
            name = "red delicious"

            [[fruits.varieties]]
            name = "granny smith"

            [[fruits]]
            name = "banana"

            [[fruits.varieties]]
            name = "plantain"
            """)
        let products = try XCTUnwrap(table["products"]?.array)
        XCTAssertEqual(products.count, 3)
        XCTAssertEqual(products[1], .table(TOMLTable()))
        XCTAssertEqual(products[2].table?["name"], .string("Nail"))
        let fruits = try XCTUnwrap(table["fruits"]?.array)
        XCTAssertEqual(fruits.count, 2)
        XCTAssertEqual(fruits[0].table?["physical"]?.table?["color"], .string("red"))
        XCTAssertEqual(fruits[0].table?["varieties"]?.array?.compactMap { $0.table?["name"]?.string }, ["red delicious", "granny smith"])
        XCTAssertEqual(fruits[1].table?["varieties"]?.array?.compactMap { $0.table?["name"]?.string }, ["plantain"])
    }

    func testWhitespaceCommentsAndUnicode() throws {
        let table = try parse("\t key\t=\t\"value\"\t# comment with ünïcödé and \"quotes\" ## \n\"€\" = 'ü'\n")
        XCTAssertEqual(table["key"], .string("value"))
        XCTAssertEqual(table["€"], .string("ü"))
    }
}
