/// TOML date-times ("Offset Date-Time", "Local Date-Time", "Local Date", "Local Time" in
/// the TOML 1.0 specification; RFC 3339 section 5.6 with "T" or a space between date and
/// time, either case of "T" and "Z").
extension TOMLParser {
    /// full-date: four digits and a hyphen start it.
    func isDateAhead() -> Bool {
        (0..<4).allSatisfy { peek($0).map(Self.isDigit) ?? false } && peek(4) == UInt8(ascii: "-")
    }

    /// partial-time: two digits and a colon start it.
    func isTimeAhead() -> Bool {
        (0..<2).allSatisfy { peek($0).map(Self.isDigit) ?? false } && peek(2) == UInt8(ascii: ":")
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func dateTime() throws(TOMLParseError) -> TOMLDateTime {
        let start = index
        guard isDateAhead() else { return TOMLDateTime(date: nil, time: try time(start: start)) }
        let date = try self.date(start: start)
        let separator = peek()
        let timeFollows: Bool
        switch separator {
        case UInt8(ascii: "T"), UInt8(ascii: "t"): timeFollows = true
        // A space separates date and time only when a time follows; otherwise it ends the
        // value (a local date, then perhaps a comment).
        case UInt8(ascii: " "): timeFollows = (1...2).allSatisfy { peek($0).map(Self.isDigit) ?? false } && peek(3) == UInt8(ascii: ":")
        default: timeFollows = false
        }
        guard timeFollows else {
            try endOfDateTime(start: start)
            return TOMLDateTime(date: date, time: nil)
        }
        index += 1
        let time = try self.time(start: start)
        var offset: Int?
        switch peek() {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
            offset = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let negative = peek() == UInt8(ascii: "-")
            index += 1
            let hours = try digits(2, start: start, "an offset's hours")
            try literal(UInt8(ascii: ":"), start: start, "':' in the offset")
            let minutes = try digits(2, start: start, "an offset's minutes")
            guard hours < 24, minutes < 60 else { throw invalidDateTime(start, "offset out of range") }
            offset = (negative ? -1 : 1) * (hours * 60 + minutes)
        default:
            break
        }
        try endOfDateTime(start: start)
        return TOMLDateTime(date: date, time: time, offsetMinutes: offset)
    }

    /// full-date = date-fullyear "-" date-month "-" date-mday, a real day.
    mutating func date(start: Int) throws(TOMLParseError) -> TOMLDateTime.Date {
        let year = try digits(4, start: start, "the year")
        try literal(UInt8(ascii: "-"), start: start, "'-' after the year")
        let month = try digits(2, start: start, "the month")
        try literal(UInt8(ascii: "-"), start: start, "'-' after the month")
        let day = try digits(2, start: start, "the day")
        guard (1...12).contains(month) else { throw invalidDateTime(start, "month \(month) does not exist") }
        guard (1...TOMLDateTime.days(inMonth: month, year: year)).contains(day) else {
            throw invalidDateTime(start, "day \(day) does not exist in that month")
        }
        return TOMLDateTime.Date(year: year, month: month, day: day)
    }

    /// partial-time = time-hour ":" time-minute ":" time-second [ "." 1*DIGIT ]
    mutating func time(start: Int) throws(TOMLParseError) -> TOMLDateTime.Time {
        let hour = try digits(2, start: start, "the hour")
        try literal(UInt8(ascii: ":"), start: start, "':' after the hour")
        let minute = try digits(2, start: start, "the minutes")
        try literal(UInt8(ascii: ":"), start: start, "':' after the minutes (TOML 1.0 requires seconds)")
        let second = try digits(2, start: start, "the seconds")
        guard hour < 24, minute < 60, second <= 60 else { throw invalidDateTime(start, "time out of range") }
        var nanosecond = 0
        if peek() == UInt8(ascii: ".") {
            index += 1
            var count = 0
            while let byte = peek(), Self.isDigit(byte) {
                if count < 9 { nanosecond = nanosecond * 10 + Int(byte - UInt8(ascii: "0")) }
                count += 1
                index += 1
            }
            guard count > 0 else { throw invalidDateTime(start, "a decimal point needs digits after it") }
            for _ in min(count, 9)..<9 { nanosecond *= 10 }
        }
        return TOMLDateTime.Time(hour: hour, minute: minute, second: second, nanosecond: nanosecond)
    }

    /// Nothing of a number or date-time may follow a date-time directly.
    func endOfDateTime(start: Int) throws(TOMLParseError) {
        if let byte = peek(), Self.isNumberByte(byte) || byte == UInt8(ascii: ":") {
            throw invalidDateTime(start, "unexpected \(found())")
        }
    }

    mutating func digits(_ count: Int, start: Int, _ what: String) throws(TOMLParseError) -> Int {
        var value = 0
        for _ in 0..<count {
            guard let byte = peek(), Self.isDigit(byte) else {
                throw invalidDateTime(start, "expected \(count) digits for \(what)")
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            index += 1
        }
        return value
    }

    mutating func literal(_ byte: UInt8, start: Int, _ what: String) throws(TOMLParseError) {
        guard peek() == byte else { throw invalidDateTime(start, "expected \(what)") }
        index += 1
    }

    func invalidDateTime(_ start: Int, _ why: String) -> TOMLParseError {
        var end = start
        while end < bytes.count, Self.isNumberByte(bytes[end]) || bytes[end] == UInt8(ascii: ":") { end += 1 }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        return error("'\(Self.escaped(text))' is not a valid date-time: \(why)", at: start)
    }
}
