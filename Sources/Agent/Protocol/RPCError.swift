import SystemPackage
import Backends
import JSON

/// A JSON-RPC error object as the protocol sends it: `{code, message, data: {kind,
/// errno?, nfs4, bytes?}}`. Every error carries a `kind` and its NFSv4 status, protocol
/// errors included, so a front can always answer its client from `data.nfs4`.
public struct RPCError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var kind: CopyErrorKind
    public var nfs4: String
    public var errno: Int32?
    public var bytes: UInt64?

    public var description: String { message }

    public init(code: Int, message: String, kind: CopyErrorKind, nfs4: String? = nil, errno: Int32? = nil, bytes: UInt64? = nil) {
        self.code = code
        self.message = message
        self.kind = kind
        self.nfs4 = nfs4 ?? kind.nfs4
        self.errno = errno
        self.bytes = bytes
    }

    /// An engine error: the code fixed for its kind; `bytes` always present, since a copy
    /// error says how many contiguous bytes are in place.
    public init(_ error: CopyError) {
        self.init(
            code: Self.code(for: error.kind), message: error.message, kind: error.kind, nfs4: error.nfs4,
            errno: error.errno.map { $0.rawValue }, bytes: error.bytes)
    }

    public init(_ kind: CopyErrorKind, _ message: String, bytes: UInt64? = nil) {
        self.init(code: Self.code(for: kind), message: message, kind: kind, bytes: bytes)
    }

    // JSON-RPC 2.0's own codes, for protocol-level errors.
    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602

    public static func parseError(_ message: String) -> RPCError {
        RPCError(code: parseErrorCode, message: message, kind: .invalid)
    }

    public static func invalidRequest(_ message: String) -> RPCError {
        RPCError(code: invalidRequestCode, message: message, kind: .invalid)
    }

    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: methodNotFoundCode, message: "unknown method \"\(method)\"", kind: .notSupported)
    }

    public static func invalidParams(_ message: String) -> RPCError {
        RPCError(code: invalidParamsCode, message: message, kind: .invalid)
    }

    /// The fixed code of each error kind (docs/protocol.md lists them). They sit in the
    /// range JSON-RPC leaves to servers (-32000 to -32099).
    public static func code(for kind: CopyErrorKind) -> Int {
        switch kind {
        case .invalid: -32001
        case .busy: -32002
        case .notSupported: -32003
        case .denied: -32004
        case .noSuchJob: -32005
        case .access: -32006
        case .exists: -32007
        case .xdev: -32008
        case .wrongType: -32009
        case .nospace: -32010
        case .quota: -32011
        case .fbig: -32012
        case .rofs: -32013
        case .stale: -32014
        case .io: -32015
        case .internal: -32016
        }
    }

    public var json: JSONValue {
        var data: [(String, JSONValue)] = [("kind", .string(kind.rawValue))]
        if let errno { data.append(("errno", .integer(Int64(errno)))) }
        data.append(("nfs4", .string(nfs4)))
        if let bytes { data.append(("bytes", .unsigned(bytes))) }
        return .object([("code", .integer(Int64(code))), ("message", .string(message)), ("data", .object(data))])
    }

    /// Reads an error object received from an agent. Nil when it is not one.
    public init?(json: JSONValue) {
        guard let code = json["code"]?.int64Value, let message = json["message"]?.stringValue else { return nil }
        let data = json["data"]
        let kind = data?["kind"]?.stringValue.flatMap(CopyErrorKind.init(rawValue:)) ?? .internal
        self.init(
            code: Int(code), message: message, kind: kind, nfs4: data?["nfs4"]?.stringValue,
            errno: data?["errno"]?.int64Value.map { Int32(truncatingIfNeeded: $0) }, bytes: data?["bytes"]?.uint64Value)
    }
}
