/// The four kinds of TOML strings ("String" in the TOML 1.0 specification).
extension TOMLParser {
    /// basic-string = '"' *basic-char '"', with escapes; no newline, no control character.
    mutating func basicString() throws(TOMLParseError) -> String {
        index += 1
        var text: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated string (no closing '\"')") }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &text)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("unterminated string (a newline before its closing '\"')")
            case _ where Self.isControl(byte):
                throw error("\(found()) is not allowed in a string (write it as an escape)")
            default:
                text.append(byte)
                index += 1
            }
        }
    }

    /// ml-basic-string = '"""' [ newline ] body '"""': escapes, newlines kept, a backslash
    /// at the end of a line removes that newline and the whitespace after it; one or two
    /// quotes may end the body right before the closing three.
    mutating func multiLineBasicString() throws(TOMLParseError) -> String {
        let start = index
        index += 3
        skipNewline()
        var text: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated multi-line string (no closing '\"\"\"' for this one)", at: start) }
            switch byte {
            case UInt8(ascii: "\""):
                if let closed = closingQuotes(UInt8(ascii: "\"")) {
                    text.append(contentsOf: repeatElement(UInt8(ascii: "\""), count: closed))
                    return String(decoding: text, as: UTF8.self)
                }
                text.append(byte)
                index += 1
            case UInt8(ascii: "\\"):
                if lineEndingBackslash() {
                    try skipBlankLinesInString()
                } else {
                    try escape(into: &text)
                }
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try newline(into: &text)
            case _ where Self.isControl(byte):
                throw error("\(found()) is not allowed in a string (write it as an escape)")
            default:
                text.append(byte)
                index += 1
            }
        }
    }

    /// literal-string = "'" *literal-char "'": no escapes, no newline.
    mutating func literalString() throws(TOMLParseError) -> String {
        index += 1
        let start = index
        while true {
            guard let byte = peek() else { throw error("unterminated literal string (no closing \"'\")") }
            switch byte {
            case UInt8(ascii: "'"):
                index += 1
                return String(decoding: bytes[start..<(index - 1)], as: UTF8.self)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("unterminated literal string (a newline before its closing \"'\")")
            case _ where Self.isControl(byte):
                throw error("\(found()) is not allowed in a literal string")
            default:
                index += 1
            }
        }
    }

    /// ml-literal-string = "'''" [ newline ] body "'''": no escapes, newlines kept.
    mutating func multiLineLiteralString() throws(TOMLParseError) -> String {
        let start = index
        index += 3
        skipNewline()
        var text: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated multi-line literal string (no closing \"'''\" for this one)", at: start) }
            switch byte {
            case UInt8(ascii: "'"):
                if let closed = closingQuotes(UInt8(ascii: "'")) {
                    text.append(contentsOf: repeatElement(UInt8(ascii: "'"), count: closed))
                    return String(decoding: text, as: UTF8.self)
                }
                text.append(byte)
                index += 1
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try newline(into: &text)
            case _ where Self.isControl(byte):
                throw error("\(found()) is not allowed in a literal string")
            default:
                text.append(byte)
                index += 1
            }
        }
    }

    /// At a quote in a multi-line string: when three to five quotes follow, the string
    /// closes with the last three and the first zero to two belong to it (returned, and
    /// consumed). Fewer than three: nil, nothing consumed.
    mutating func closingQuotes(_ quote: UInt8) -> Int? {
        var count = 0
        while peek(count) == quote { count += 1 }
        guard count >= 3 else { return nil }
        // Six or more: the string closes after five; the sixth is then an error after
        // the value ("expected the end of the line").
        let kept = min(count, 5) - 3
        index += kept + 3
        return kept
    }

    mutating func skipNewline() {
        if peek() == UInt8(ascii: "\n") {
            index += 1
        } else if peek() == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") {
            index += 2
        }
    }

    /// A newline inside a multi-line string, kept as written (LF or CRLF).
    mutating func newline(into text: inout [UInt8]) throws(TOMLParseError) {
        if peek() == UInt8(ascii: "\r") {
            guard peek(1) == UInt8(ascii: "\n") else { throw error("a carriage return not followed by a newline") }
            text.append(UInt8(ascii: "\r"))
            index += 1
        }
        text.append(UInt8(ascii: "\n"))
        index += 1
    }

    /// A backslash followed by nothing but whitespace up to the end of the line.
    func lineEndingBackslash() -> Bool {
        var offset = 1
        while let byte = peek(offset), byte == 0x20 || byte == 0x09 { offset += 1 }
        return peek(offset) == UInt8(ascii: "\n") || (peek(offset) == UInt8(ascii: "\r") && peek(offset + 1) == UInt8(ascii: "\n"))
    }

    /// After a line-ending backslash: every space, tab and newline up to the next other
    /// character goes.
    mutating func skipBlankLinesInString() throws(TOMLParseError) {
        index += 1
        while let byte = peek() {
            if byte == 0x20 || byte == 0x09 || byte == UInt8(ascii: "\n") {
                index += 1
            } else if byte == UInt8(ascii: "\r") {
                guard peek(1) == UInt8(ascii: "\n") else { throw error("a carriage return not followed by a newline") }
                index += 2
            } else {
                return
            }
        }
    }

    /// escaped = "\" ( '"' / "\" / "b" / "f" / "n" / "r" / "t" / "uXXXX" / "UXXXXXXXX" ),
    /// the code point a Unicode scalar value.
    mutating func escape(into text: inout [UInt8]) throws(TOMLParseError) {
        let start = index
        index += 1
        guard let byte = peek() else { throw error("unterminated string") }
        index += 1
        let simple: UInt8?
        switch byte {
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            simple = nil
        default:
            index -= 1
            throw error("unknown escape '\\\(Self.escaped(String(decoding: [byte], as: UTF8.self)))' in a string", at: start)
        }
        if let simple {
            text.append(simple)
            return
        }
        let digits = byte == UInt8(ascii: "u") ? 4 : 8
        var code: UInt32 = 0
        for _ in 0..<digits {
            guard let digit = peek().flatMap(Self.hexValue) else {
                throw error("'\\\(byte == UInt8(ascii: "u") ? "u" : "U")' needs \(digits) hexadecimal digits", at: start)
            }
            code = code << 4 | UInt32(digit)
            index += 1
        }
        guard let scalar = Unicode.Scalar(code) else {
            throw error("escape names no Unicode scalar value (a surrogate or past U+10FFFF)", at: start)
        }
        text.append(contentsOf: String(scalar).utf8)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
