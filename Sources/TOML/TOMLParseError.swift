/// Why a text is not a TOML document, and where: the line and column (both from 1,
/// columns counted in Unicode scalars) at which reading stopped. The message is one line;
/// any text it quotes from the document has its control characters escaped.
public struct TOMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// "LINE:COLUMN: message".
    public var description: String { "\(line):\(column): \(message)" }
}
