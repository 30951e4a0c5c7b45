/// A problem that stops the whole bench before or between runs (bad arguments, an
/// unreadable counter, a chart that cannot be written). A failing backend or tool is
/// not one: it is recorded in its case and the bench goes on.
public struct BenchError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
