/// TOML integers and floats ("Integer" and "Float" in the TOML 1.0 specification).
extension TOMLParser {
    /// integer = dec-int / hex-int / oct-int / bin-int; float = float-int-part ( exp /
    /// frac [ exp ] ) / special-float. Underscores only between two digits; no leading
    /// zeros in decimal; signs only in decimal; integers within 64 bits.
    mutating func number() throws(TOMLParseError) -> TOMLValue {
        let start = index
        while let byte = peek(), Self.isNumberByte(byte) { index += 1 }
        let token = Array(bytes[start..<index])
        guard !token.isEmpty else { throw error("expected a value, found \(found())") }
        let text = String(decoding: token, as: UTF8.self)
        func invalid(_ why: String) -> TOMLParseError {
            error("'\(Self.escaped(text))' is not a valid number: \(why)", at: start)
        }

        var body = token[...]
        var negative = false
        if let sign = body.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        switch String(decoding: body, as: UTF8.self) {
        case "inf": return .float(negative ? -.infinity : .infinity)
        case "nan": return .float(.nan)
        default: break
        }

        if body.count > 2, body.first == UInt8(ascii: "0"), let radix = Self.radix(body[body.startIndex + 1]) {
            guard body.count == token.count else { throw invalid("a sign is not allowed with a 0x, 0o or 0b prefix") }
            let digits = body.dropFirst(2)
            if let wrong = digits.first(where: { $0 != UInt8(ascii: "_") && Self.digitValue($0, radix: radix) == nil }) {
                throw invalid("'\(Character(Unicode.Scalar(wrong)))' is not a base-\(radix) digit")
            }
            if let why = Self.checkUnderscores(digits, isDigit: { Self.digitValue($0, radix: radix) != nil }) { throw invalid(why) }
            var value: UInt64 = 0
            for byte in digits where byte != UInt8(ascii: "_") {
                let digit = Self.digitValue(byte, radix: radix)!
                let (shifted, overflow) = value.multipliedReportingOverflow(by: UInt64(radix))
                guard !overflow, shifted + UInt64(digit) <= UInt64(Int64.max) else { throw invalid("out of the 64-bit range") }
                value = shifted + UInt64(digit)
            }
            return .integer(Int64(value))
        }

        let isDecimalDigit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        // float-int-part, then an optional fraction, then an optional exponent.
        var cursor = body.startIndex
        while cursor < body.endIndex, isDecimalDigit(body[cursor]) || body[cursor] == UInt8(ascii: "_") { cursor += 1 }
        let integerPart = body[body.startIndex..<cursor]
        guard !integerPart.isEmpty else { throw invalid("digits must come first") }
        if let why = Self.checkUnderscores(integerPart, isDigit: isDecimalDigit) { throw invalid(why) }
        if integerPart.count > 1, integerPart.first == UInt8(ascii: "0") { throw invalid("leading zeros are not allowed") }
        var isFloat = false
        if cursor < body.endIndex, body[cursor] == UInt8(ascii: ".") {
            isFloat = true
            let fractionStart = cursor + 1
            cursor = fractionStart
            while cursor < body.endIndex, isDecimalDigit(body[cursor]) || body[cursor] == UInt8(ascii: "_") { cursor += 1 }
            let fraction = body[fractionStart..<cursor]
            guard !fraction.isEmpty else { throw invalid("a decimal point needs digits on both sides") }
            if let why = Self.checkUnderscores(fraction, isDigit: isDecimalDigit) { throw invalid(why) }
        }
        if cursor < body.endIndex, body[cursor] == UInt8(ascii: "e") || body[cursor] == UInt8(ascii: "E") {
            isFloat = true
            cursor += 1
            if cursor < body.endIndex, body[cursor] == UInt8(ascii: "+") || body[cursor] == UInt8(ascii: "-") { cursor += 1 }
            let exponentStart = cursor
            while cursor < body.endIndex, isDecimalDigit(body[cursor]) || body[cursor] == UInt8(ascii: "_") { cursor += 1 }
            let exponent = body[exponentStart..<cursor]
            guard !exponent.isEmpty else { throw invalid("an exponent needs digits") }
            if let why = Self.checkUnderscores(exponent, isDigit: isDecimalDigit) { throw invalid(why) }
        }
        guard cursor == body.endIndex else { throw invalid("unexpected '\(Self.escaped(String(decoding: body[cursor...], as: UTF8.self)))'") }

        let plain = String(decoding: token.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        if isFloat {
            guard let value = Double(plain), value.isFinite else { throw invalid("out of the range of a 64-bit float") }
            return .float(value)
        }
        guard let value = Int64(plain) else { throw invalid("out of the 64-bit range") }
        return .integer(value)
    }

    /// Bytes that can make up a number token: digits, letters (prefixes, hex digits,
    /// exponents, inf, nan, and the mistakes to report), signs, point and underscore.
    static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    static func radix(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "x"): 16
        case UInt8(ascii: "o"): 8
        case UInt8(ascii: "b"): 2
        default: nil
        }
    }

    static func digitValue(_ byte: UInt8, radix: Int) -> Int? {
        guard let value = hexValue(byte).map(Int.init), value < radix else { return nil }
        return value
    }

    /// Why the underscores of `digits` are misplaced (each must sit between two digits),
    /// or nil; also nil for an empty run.
    static func checkUnderscores(_ digits: ArraySlice<UInt8>, isDigit: (UInt8) -> Bool) -> String? {
        guard !digits.isEmpty else { return "digits are missing" }
        var previousWasDigit = false
        for byte in digits {
            if byte == UInt8(ascii: "_") {
                guard previousWasDigit else { return "an underscore must sit between two digits" }
                previousWasDigit = false
            } else {
                previousWasDigit = isDigit(byte)
            }
        }
        return previousWasDigit ? nil : "an underscore must sit between two digits"
    }
}
