/// A value of a TOML 1.0 document (https://toml.io/en/v1.0.0).
///
/// Arrays and tables read from a document are final: the reader enforces TOML's rules on
/// defining tables while it reads, and hands out plain values.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case dateTime(TOMLDateTime)
    case array([TOMLValue])
    case table(TOMLTable)

    /// What kind of value this is, for type checks and messages.
    public enum Kind: String, Sendable, CaseIterable {
        case string, integer, float, boolean
        case offsetDateTime = "offset date-time"
        case localDateTime = "local date-time"
        case localDate = "local date"
        case localTime = "local time"
        case array, table

        /// The kind with its indefinite article, for messages: "an integer", "a string".
        public var withArticle: String {
            switch self {
            case .integer, .array, .offsetDateTime: "an \(rawValue)"
            default: "a \(rawValue)"
            }
        }
    }

    public var kind: Kind {
        switch self {
        case .string: .string
        case .integer: .integer
        case .float: .float
        case .boolean: .boolean
        case .dateTime(let value): value.kind
        case .array: .array
        case .table: .table
        }
    }

    public var string: String? {
        if case .string(let value) = self { value } else { nil }
    }

    public var integer: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    public var float: Double? {
        if case .float(let value) = self { value } else { nil }
    }

    public var boolean: Bool? {
        if case .boolean(let value) = self { value } else { nil }
    }

    public var dateTime: TOMLDateTime? {
        if case .dateTime(let value) = self { value } else { nil }
    }

    public var array: [TOMLValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    public var table: TOMLTable? {
        if case .table(let value) = self { value } else { nil }
    }
}
