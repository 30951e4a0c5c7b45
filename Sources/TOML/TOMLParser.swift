/// Reads a TOML 1.0 document (https://toml.io/en/v1.0.0) into a table, enforcing the whole
/// specification: key and table definition rules, string escapes, number and date-time
/// grammar and ranges, and the characters allowed where. Errors carry the line and column
/// where reading stopped.
///
/// One pass over the UTF-8 bytes; nesting of arrays and inline tables is bounded, so a
/// malformed file cannot exhaust the stack.
public struct TOMLParser {
    /// Arrays and inline tables nested deeper than this are refused.
    public static let maximumNesting = 128

    let bytes: [UInt8]
    var index = 0
    var nesting = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    public static func parse(_ text: String) throws(TOMLParseError) -> TOMLTable {
        var parser = TOMLParser(text)
        return try parser.document()
    }

    // MARK: Document structure

    /// toml = expression *( newline expression )
    mutating func document() throws(TOMLParseError) -> TOMLTable {
        let root = TableBuilder(origin: .header, path: [])
        var current = root
        while true {
            skipWhitespace()
            guard let byte = peek() else { break }
            switch byte {
            case UInt8(ascii: "#"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                break
            case UInt8(ascii: "["):
                if peek(1) == UInt8(ascii: "[") {
                    current = try arrayTableHeader(root: root)
                } else {
                    current = try tableHeader(root: root)
                }
            default:
                let keys = try key()
                try expect(UInt8(ascii: "="), "'=' after the key")
                skipWhitespace()
                let value = try value()
                try define(keys, value, in: current)
            }
            try lineEnd()
        }
        return root.value
    }

    /// After an expression: whitespace, an optional comment, then a newline or the end.
    mutating func lineEnd() throws(TOMLParseError) {
        skipWhitespace()
        skipComment()
        guard let byte = peek() else { return }
        if byte == UInt8(ascii: "\n") {
            index += 1
        } else if byte == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") {
            index += 2
        } else {
            throw error("expected the end of the line, found \(found())")
        }
    }

    /// std-table = "[" ws key ws "]"
    mutating func tableHeader(root: TableBuilder) throws(TOMLParseError) -> TableBuilder {
        let start = index
        index += 1
        skipWhitespace()
        let keys = try key()
        try expect(UInt8(ascii: "]"), "']' to close the table header")
        var table = root
        for key in keys.dropLast() {
            table = try parentForHeader(key, in: table)
        }
        let last = keys[keys.count - 1]
        switch table[last.name] {
        case nil:
            return table.child(last.name, origin: .header)
        case .table(let existing) where existing.origin == .implicit:
            existing.origin = .header
            return existing
        case .table(let existing):
            let how = existing.origin == .dotted ? "by dotted keys" : "by an earlier [\(TableBuilder.dotted(existing.path))]"
            throw error("table [\(TableBuilder.dotted(existing.path))] is already defined \(how)", at: start)
        case .tables:
            throw error("[\(TableBuilder.dotted(table.path + [last.name]))] is an array of tables (add to it with [[...]])", at: start)
        case .value(let value):
            throw error("'\(TableBuilder.dotted(table.path + [last.name]))' is already defined as \(value.kind.withArticle)", at: start)
        }
    }

    /// array-table = "[[" ws key ws "]]"
    mutating func arrayTableHeader(root: TableBuilder) throws(TOMLParseError) -> TableBuilder {
        let start = index
        index += 2
        skipWhitespace()
        let keys = try key()
        guard peek() == UInt8(ascii: "]"), peek(1) == UInt8(ascii: "]") else {
            throw error("expected ']]' to close the array of tables header, found \(found())")
        }
        index += 2
        var table = root
        for key in keys.dropLast() {
            table = try parentForHeader(key, in: table)
        }
        let last = keys[keys.count - 1]
        let element = TableBuilder(origin: .header, path: table.path + [last.name])
        switch table[last.name] {
        case nil:
            table[last.name] = .tables([element])
        case .tables(let elements):
            table[last.name] = .tables(elements + [element])
        case .table(let existing):
            throw error("[[\(TableBuilder.dotted(existing.path))]]: '\(TableBuilder.dotted(existing.path))' is already a table", at: start)
        case .value(let value):
            throw error("[[\(TableBuilder.dotted(table.path + [last.name]))]]: already defined as \(value.kind.withArticle) (a static array cannot be extended)", at: start)
        }
        return element
    }

    /// A header's path goes through tables (made if missing) and, for an array of
    /// tables, through its last element.
    func parentForHeader(_ key: Key, in table: TableBuilder) throws(TOMLParseError) -> TableBuilder {
        switch table[key.name] {
        case nil:
            return table.child(key.name, origin: .implicit)
        case .table(let existing):
            return existing
        case .tables(let elements):
            return elements[elements.count - 1]
        case .value(let value):
            throw error("'\(TableBuilder.dotted(table.path + [key.name]))' is already defined as \(value.kind.withArticle)", at: key.position)
        }
    }

    /// keyval: a (dotted) key gets its value in `table`. Dotted keys create tables, and
    /// may add to tables only they created.
    func define(_ keys: [Key], _ value: TOMLValue, in table: TableBuilder) throws(TOMLParseError) {
        var table = table
        for key in keys.dropLast() {
            switch table[key.name] {
            case nil:
                table = table.child(key.name, origin: .dotted)
            case .table(let existing) where existing.origin != .header:
                existing.origin = .dotted
                table = existing
            case .table(let existing):
                throw error("cannot add to table [\(TableBuilder.dotted(existing.path))] with dotted keys: it is defined by its header", at: key.position)
            case .tables:
                throw error("cannot add to '\(TableBuilder.dotted(table.path + [key.name]))' with dotted keys: it is an array of tables", at: key.position)
            case .value(let existing):
                throw error("'\(TableBuilder.dotted(table.path + [key.name]))' is already defined as \(existing.kind.withArticle)", at: key.position)
            }
        }
        let last = keys[keys.count - 1]
        guard table[last.name] == nil else {
            throw error("duplicate key '\(TableBuilder.dotted(table.path + [last.name]))'", at: last.position)
        }
        table[last.name] = .value(value)
    }

    // MARK: Keys

    struct Key {
        var name: String
        /// Byte offset of the key in the document.
        var position: Int
    }

    /// key = simple-key / dotted-key; whitespace around the dots is allowed.
    mutating func key() throws(TOMLParseError) -> [Key] {
        var keys: [Key] = []
        while true {
            let position = index
            let name: String
            switch peek() {
            case UInt8(ascii: "\""):
                guard peek(1) != UInt8(ascii: "\"") || peek(2) != UInt8(ascii: "\"") else {
                    throw error("a key cannot be a multi-line string")
                }
                name = try basicString()
            case UInt8(ascii: "'"):
                guard peek(1) != UInt8(ascii: "'") || peek(2) != UInt8(ascii: "'") else {
                    throw error("a key cannot be a multi-line string")
                }
                name = try literalString()
            case let byte? where Self.isBareKeyByte(byte):
                while let byte = peek(), Self.isBareKeyByte(byte) { index += 1 }
                name = String(decoding: bytes[position..<index], as: UTF8.self)
            default:
                throw error("expected a key, found \(found())")
            }
            keys.append(Key(name: name, position: position))
            skipWhitespace()
            guard peek() == UInt8(ascii: ".") else { return keys }
            index += 1
            skipWhitespace()
        }
    }

    /// unquoted-key = 1*( ALPHA / DIGIT / "-" / "_" )
    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    // MARK: Values

    mutating func value() throws(TOMLParseError) -> TOMLValue {
        guard let byte = peek() else { throw error("expected a value, found the end of the file") }
        switch byte {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { return .string(try multiLineBasicString()) }
            return .string(try basicString())
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { return .string(try multiLineLiteralString()) }
            return .string(try literalString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            if consume("true") { return .boolean(true) }
            if consume("false") { return .boolean(false) }
        case UInt8(ascii: "["):
            return try array()
        case UInt8(ascii: "{"):
            return try inlineTable()
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            if isDateAhead() || isTimeAhead() { return .dateTime(try dateTime()) }
            return try number()
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "i"), UInt8(ascii: "n"):
            return try number()
        default:
            break
        }
        throw error("expected a value (string, number, boolean, date-time, array or inline table), found \(found())")
    }

    /// array = "[" values "]": any values, newlines and comments between them, an
    /// optional comma after the last.
    mutating func array() throws(TOMLParseError) -> TOMLValue {
        try enterNesting()
        let start = index
        index += 1
        var elements: [TOMLValue] = []
        while true {
            try skipBlankLines()
            guard peek() != nil else { throw error("unterminated array (no closing ']' for this '[')", at: start) }
            if peek() == UInt8(ascii: "]") { break }
            elements.append(try value())
            try skipBlankLines()
            guard peek() != nil else { throw error("unterminated array (no closing ']' for this '[')", at: start) }
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard peek() == UInt8(ascii: "]") else {
                throw error("expected ',' or ']' in the array, found \(found())")
            }
            break
        }
        index += 1
        nesting -= 1
        return .array(elements)
    }

    /// inline-table = "{" [ keyval *( "," keyval ) ] "}" on one line, no comma after the
    /// last pair; nothing may add to it afterwards.
    mutating func inlineTable() throws(TOMLParseError) -> TOMLValue {
        try enterNesting()
        index += 1
        let table = TableBuilder(origin: .dotted, path: [])
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            nesting -= 1
            return .table(table.value)
        }
        while true {
            skipWhitespace()
            let keys = try key()
            try expect(UInt8(ascii: "="), "'=' after the key")
            skipWhitespace()
            let value = try value()
            try define(keys, value, in: table)
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") { throw error("an inline table cannot end with a comma") }
                continue
            }
            guard peek() == UInt8(ascii: "}") else {
                throw error("expected ',' or '}' in the inline table (which must stay on one line), found \(found())")
            }
            index += 1
            nesting -= 1
            return .table(table.value)
        }
    }

    mutating func enterNesting() throws(TOMLParseError) {
        nesting += 1
        guard nesting <= Self.maximumNesting else {
            throw error("arrays and inline tables nested more than \(Self.maximumNesting) deep")
        }
    }

    // MARK: Whitespace, comments, characters

    func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    /// ws = *( %x20 / %x09 )
    mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 { index += 1 }
    }

    /// comment = "#" *( non-eol ): tab, printable ASCII and non-ASCII; the newline stays.
    mutating func skipComment() {
        guard peek() == UInt8(ascii: "#") else { return }
        while let byte = peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r"), !Self.isControl(byte) {
            index += 1
        }
    }

    /// Whitespace, comments and newlines, as allowed between array elements.
    mutating func skipBlankLines() throws(TOMLParseError) {
        while true {
            skipWhitespace()
            skipComment()
            if peek() == UInt8(ascii: "\n") {
                index += 1
            } else if peek() == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") {
                index += 2
            } else if let byte = peek(), Self.isControl(byte) || byte == UInt8(ascii: "\r") {
                throw error("\(found()) is not allowed here")
            } else {
                return
            }
        }
    }

    /// Control characters TOML allows in no comment and no string: U+0000 to U+001F
    /// except tab, and U+007F. (Newlines are handled where they may appear.)
    static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09) || byte == 0x7F
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(TOMLParseError) {
        skipWhitespace()
        guard peek() == byte else { throw error("expected \(what), found \(found())") }
        index += 1
    }

    mutating func consume(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    // MARK: Errors

    /// What is at the current position, quoted for a message: "'tru'", "a newline",
    /// "the end of the file".
    func found() -> String {
        guard let byte = peek() else { return "the end of the file" }
        switch byte {
        case UInt8(ascii: "\n"): return "a newline"
        case UInt8(ascii: "\r"): return peek(1) == UInt8(ascii: "\n") ? "a newline" : "a carriage return not followed by a newline"
        case UInt8(ascii: "\t"): return "a tab"
        case UInt8(ascii: " "): return "a space"
        default: break
        }
        if Self.isControl(byte) { return "control character U+00\(Self.hex(byte))" }
        var end = index
        while end < bytes.count, end - index < 24, bytes[end] > 0x20, bytes[end] != 0x7F,
            end == index || !"=,[]{}#\"'".utf8.contains(bytes[end])
        {
            end += 1
        }
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return "'" + Self.escaped(String(decoding: bytes[index..<max(end, index + 1)], as: UTF8.self)) + "'"
    }

    func error(_ message: String, at position: Int? = nil) -> TOMLParseError {
        let position = min(position ?? index, bytes.count)
        var line = 1
        var column = 1
        for byte in bytes[..<position] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return TOMLParseError(line: line, column: column, message: message)
    }

    /// Text for a one-line message: backslash, quotes and control characters escaped.
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                result += "\\u00" + hex(UInt8(scalar.value))
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".unicodeScalars)
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
    }
}
