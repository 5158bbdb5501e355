/// One HTTP request to the apiserver, relative to `RESTConfig.server`.
public struct RESTRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"
    }

    public var method: Method
    /// Absolute path, e.g. `/api/v1/namespaces/default/pods`.
    public var path: String
    /// Query parameters in order; values are percent-encoded when the URL is built.
    public var query: [(String, String)]
    public var body: [UInt8]?
    public var contentType: String?
    public var accept = "application/json"

    public init(method: Method, path: String, query: [(String, String)] = [], body: [UInt8]? = nil, contentType: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.contentType = contentType ?? (body == nil ? nil : "application/json")
    }

    /// Path and encoded query, as sent on the request line.
    public var target: String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(Self.percentEncode($0.0))=\(Self.percentEncode($0.1))" }.joined(separator: "&")
    }

    /// Whether repeating the request after an unknown outcome cannot change the result.
    var isIdempotent: Bool { method == .get }

    /// RFC 3986 query encoding: every byte outside the unreserved set becomes `%XX`.
    static func percentEncode(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A complete answer: status code, headers (names lower-cased) and body.
public struct RESTResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0 == lower }?.1
    }
}
