extension Array where Element == String {
    /// The elements with `separator` between them, as `joined(separator:)` gives.
    ///
    /// The standard library's `joined(separator:)` is generic over any collection of
    /// string-like elements and reaches this module unspecialized: its first call in a
    /// process looks up associated-type witnesses through the runtime's mangled-name
    /// decoder and conformance scan. A one-shot copy builds match explanations on every
    /// run, and that first call cost more than all its profile matching together.
    func list(separator: String) -> String {
        var text = ""
        var first = true
        for element in self {
            if !first { text += separator }
            text += element
            first = false
        }
        return text
    }
}
