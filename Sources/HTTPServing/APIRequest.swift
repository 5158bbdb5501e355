import APIMachinery
import NIOHTTP1

/// One HTTP request as the API layer sees it: the body is fully read (bounded by the server).
public struct APIRequest: Sendable {
    public var method: String
    /// Decoded path without the query.
    public var path: String
    /// Query parameters; a name given several times keeps every value in order.
    public var query: [String: [String]]
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: String, uri: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = Self.percentDecode(String(parts.first ?? ""), plusAsSpace: false)
        var query: [String: [String]] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = Self.percentDecode(String(kv[0]), plusAsSpace: true)
                let value = kv.count > 1 ? Self.percentDecode(String(kv[1]), plusAsSpace: true) : ""
                query[name, default: []].append(value)
            }
        }
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of a query parameter.
    public func parameter(_ name: String) -> String? { query[name]?.first }

    /// A boolean query parameter as Go's strconv.ParseBool reads it (`1`, `t`, `true`, `True`,
    /// `TRUE` and the false forms); nil when absent or unreadable.
    public func flag(_ name: String) -> Bool? {
        switch parameter(name) {
        case "1", "t", "T", "true", "True", "TRUE": true
        case "0", "f", "F", "false", "False", "FALSE": false
        default: nil
        }
    }

    /// Decodes %XX escapes (and `+` as space in query components); malformed escapes stay as is.
    static func percentDecode(_ text: String, plusAsSpace: Bool) -> String {
        guard text.contains("%") || (plusAsSpace && text.contains("+")) else { return text }
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "%"), i + 2 < bytes.count, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A response body pushed by its source as data becomes available (watch streams): the
/// server calls `take()` on its event loop after each `ready` signal and while the client
/// keeps up, so no task is woken per chunk.
public protocol PushStream: Sendable {
    /// Starts the stream; `ready` may be called from any thread whenever `take()` has
    /// something new or the stream has ended.
    func start(ready: @escaping @Sendable () -> Void)
    /// The bytes to write now, and whether the body is complete after them.
    func take() -> (bytes: [UInt8], ended: Bool)
    /// The client went away.
    func cancel()
    /// True once the stream has ended (whether or not its last bytes were taken).
    var isEnded: Bool { get }
}

/// What a handler answers.
public enum APIResponse: Sendable {
    /// A complete body.
    case full(status: Int, headers: [(String, String)], body: [UInt8])
    /// A body pushed as it becomes available (see `PushStream`).
    case push(status: Int, headers: [(String, String)], stream: any PushStream)
    /// The connection is handed to a backend (HTTP/1.1 upgrade requests only; see `UpgradeTarget`).
    case upgrade(UpgradeTarget)

    public var status: Int {
        switch self {
        case .full(let status, _, _), .push(let status, _, _): status
        case .upgrade: 101
        }
    }
}

/// Serves requests; implemented by `APIHandler`.
public protocol RequestHandler: Sendable {
    func handle(_ request: APIRequest) async -> APIResponse
}

extension MetaV1.Status {
    /// The HTTP response carrying this status as JSON, with its code.
    public var response: APIResponse {
        .full(status: Int(code ?? 500), headers: [("Content-Type", "application/json")], body: JSONCodec.encode(self))
    }
}
