import JSON

/// JSON-RPC 2.0 envelopes.
public enum RPCMessage {
    public static func request(id: JSONValue, method: String, params: JSONValue) -> JSONValue {
        .object([("jsonrpc", "2.0"), ("id", id), ("method", .string(method)), ("params", params)])
    }

    public static func result(id: JSONValue, _ result: JSONValue) -> JSONValue {
        .object([("jsonrpc", "2.0"), ("id", id), ("result", result)])
    }

    public static func error(id: JSONValue, _ error: RPCError) -> JSONValue {
        .object([("jsonrpc", "2.0"), ("id", id), ("error", error.json)])
    }

    public static func notification(method: String, params: JSONValue) -> JSONValue {
        .object([("jsonrpc", "2.0"), ("method", .string(method)), ("params", params)])
    }

    /// The bytes of one frame holding `message`.
    public static func frame(_ message: JSONValue) -> [UInt8] {
        Frame.encode(Array(message.serialized.utf8))
    }
}
