import JSON

/// Typed, strict access to a request's `params` object. A member of the wrong type, a
/// missing required member, or a member the method does not know is `invalid params`
/// naming it: a misspelt `src_offset` must not silently become a whole-file copy.
struct Params {
    let method: String
    private let members: [(String, JSONValue)]

    init(method: String, params: JSONValue?, allowed: Set<String>) throws(RPCError) {
        self.method = method
        switch params {
        case nil, .null?: members = []
        case .object(let m)?: members = m
        default: throw RPCError.invalidParams("\(method): params must be an object")
        }
        for (name, _) in members where !allowed.contains(name) {
            throw RPCError.invalidParams("\(method): unknown parameter \"\(name)\"")
        }
    }

    private func value(_ name: String) -> JSONValue? {
        guard let v = members.last(where: { $0.0 == name })?.1, !v.isNull else { return nil }
        return v
    }

    func has(_ name: String) -> Bool { value(name) != nil }

    func uint64(_ name: String, default fallback: UInt64) throws(RPCError) -> UInt64 {
        guard let v = value(name) else { return fallback }
        guard let n = v.uint64Value else {
            throw RPCError.invalidParams("\(method): \(name) must be a whole number of bytes ≥ 0")
        }
        return n
    }

    func int(_ name: String, default fallback: Int?) throws(RPCError) -> Int? {
        guard let v = value(name) else { return fallback }
        guard let n = v.int64Value, let i = Int(exactly: n) else { throw RPCError.invalidParams("\(method): \(name) must be an integer") }
        return i
    }

    func bool(_ name: String, default fallback: Bool) throws(RPCError) -> Bool {
        guard let v = value(name) else { return fallback }
        guard let b = v.boolValue else { throw RPCError.invalidParams("\(method): \(name) must be true or false") }
        return b
    }

    func string(_ name: String) throws(RPCError) -> String? {
        guard let v = value(name) else { return nil }
        guard let s = v.stringValue else { throw RPCError.invalidParams("\(method): \(name) must be a string") }
        return s
    }

    func requiredString(_ name: String) throws(RPCError) -> String {
        guard let s = try string(name) else { throw RPCError.invalidParams("\(method): \(name) is required") }
        return s
    }

    func fileRef(_ name: String) throws(RPCError) -> FileRef? {
        guard let v = value(name) else { return nil }
        return try FileRef(v, parameter: "\(method): \(name)")
    }

    func requiredFileRef(_ name: String) throws(RPCError) -> FileRef {
        guard let ref = try fileRef(name) else { throw RPCError.invalidParams("\(method): \(name) is required") }
        return ref
    }
}

/// A file as a request names it: `{"fd": i}`, an index into the frame's descriptors, or
/// `{"path": "/abs/path"}`.
enum FileRef: Sendable, CustomStringConvertible {
    case descriptor(index: Int)
    case path(String)

    init(_ value: JSONValue, parameter: String) throws(RPCError) {
        guard let members = value.objectMembers, members.count == 1 else {
            throw RPCError.invalidParams("\(parameter) must be {\"fd\": index} or {\"path\": \"/absolute/path\"}")
        }
        switch members[0] {
        case ("fd", let v):
            guard let n = v.int64Value, n >= 0, n < 1 << 20 else {
                throw RPCError.invalidParams("\(parameter): fd must be an index ≥ 0 into the frame's descriptors")
            }
            self = .descriptor(index: Int(n))
        case ("path", let v):
            guard let path = v.stringValue, !path.isEmpty else { throw RPCError.invalidParams("\(parameter): path must be a non-empty string") }
            guard !path.utf8.contains(0) else { throw RPCError.invalidParams("\(parameter): path contains a NUL byte") }
            self = .path(path)
        default:
            throw RPCError.invalidParams("\(parameter) must be {\"fd\": index} or {\"path\": \"/absolute/path\"}")
        }
    }

    var description: String {
        switch self {
        case .descriptor(let i): "descriptor \(i)"
        case .path(let p): p
        }
    }
}
