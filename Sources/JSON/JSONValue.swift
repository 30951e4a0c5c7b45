/// A JSON value (RFC 8259) with a compact serialisation. Object members keep the order
/// they were given or parsed in, so output reads the same every time; lookups by key
/// take the last member of that name, as most readers do.
///
/// Kept free of Foundation: the command line and the agent print and read JSON without
/// paying Foundation's start-up.
public enum JSONValue: Sendable, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral
{
    case string(String)
    case number(Double)
    case integer(Int64)
    case unsigned(UInt64)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }

    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    public func write(to out: inout String) {
        switch self {
        case .string(let s): Self.writeString(s, to: &out)
        case .number(let d): out += d.isFinite ? "\(d)" : "null"
        case .integer(let i): out += "\(i)"
        case .unsigned(let u): out += "\(u)"
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

// MARK: - Reading values

extension JSONValue {
    /// The member named `key` of an object (the last one when repeated), else nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == key })?.1
    }

    public var objectMembers: [(String, JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A whole number that fits in Int64 (1.0 and 1e3 count; 1.5 does not).
    public var int64Value: Int64? {
        switch self {
        case .integer(let i): return i
        case .unsigned(let u): return u <= UInt64(Int64.max) ? Int64(u) : nil
        case .number(let d):
            guard d.rounded() == d, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else { return nil }
            return Int64(d)
        default: return nil
        }
    }

    /// A whole number that fits in UInt64.
    public var uint64Value: UInt64? {
        switch self {
        case .integer(let i): return i >= 0 ? UInt64(i) : nil
        case .unsigned(let u): return u
        case .number(let d):
            guard d.rounded() == d, d >= 0, d < 1.8446744073709551616e19 else { return nil }
            return UInt64(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .unsigned(let u): return Double(u)
        case .number(let d): return d
        default: return nil
        }
    }
}

extension JSONValue: Equatable {
    /// Numbers compare by value whatever their case; objects compare member by member in order.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default:
            if let a = lhs.int64Value, let b = rhs.int64Value { return a == b }
            if let a = lhs.uint64Value, let b = rhs.uint64Value { return a == b }
            if let a = lhs.doubleValue, let b = rhs.doubleValue { return a == b }
            return false
        }
    }
}
