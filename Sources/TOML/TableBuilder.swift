/// A table while a document is read, with how it came to exist: TOML 1.0 allows a table
/// to be defined once, and what counts as defining it depends on that ("Table",
/// "Array of Tables", "Keys" (dotted keys) and "Inline Table" in the specification).
final class TableBuilder {
    enum Origin {
        /// Created as a parent of a header's table ([a.b] creates a): a later [a] defines it.
        case implicit
        /// Defined by its own [header] or as an element of [[header]].
        case header
        /// Created by dotted keys (a.b = 1 creates a): only more dotted keys in the same
        /// place may add to it, and [a] may not define it again, but [a.c] may add a
        /// sub-table.
        case dotted
    }

    enum Entry {
        /// A finished value: strings to dates, arrays written as [...], inline tables
        /// (which nothing may extend).
        case value(TOMLValue)
        case table(TableBuilder)
        /// An array of tables, defined by [[header]]s.
        case tables([TableBuilder])
    }

    var origin: Origin
    /// The dotted path from the document's root, for messages.
    let path: [String]
    private(set) var keys: [String] = []
    private var entries: [String: Entry] = [:]

    init(origin: Origin, path: [String]) {
        self.origin = origin
        self.path = path
    }

    subscript(key: String) -> Entry? {
        get { entries[key] }
        set {
            guard let newValue else { return }
            if entries.updateValue(newValue, forKey: key) == nil { keys.append(key) }
        }
    }

    func child(_ key: String, origin: Origin) -> TableBuilder {
        let table = TableBuilder(origin: origin, path: path + [key])
        self[key] = .table(table)
        return table
    }

    var value: TOMLTable {
        var table = TOMLTable()
        for key in keys {
            switch entries[key]! {
            case .value(let value): table[key] = value
            case .table(let builder): table[key] = .table(builder.value)
            case .tables(let builders): table[key] = .array(builders.map { .table($0.value) })
            }
        }
        return table
    }

    /// "a.b", each key quoted when it is not a bare key.
    static func dotted(_ path: [String]) -> String {
        path.map { key in
            !key.isEmpty && key.utf8.allSatisfy(TOMLParser.isBareKeyByte) ? key : "\"" + TOMLParser.escaped(key) + "\""
        }.joined(separator: ".")
    }
}
