import APIMachinery

/// A request the apiserver answered with an error status: the HTTP code and the `Status` it sent
/// (or one made up from the code and body when the answer was not a Status).
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var status: MetaV1.Status

    public init(code: Int, status: MetaV1.Status) {
        self.code = code
        self.status = status
    }

    /// Builds the error from a response: the body's Status when it decodes as one, else a Status
    /// with the reason that belongs to `code` and the body text as message.
    public init(code: Int, body: [UInt8]) {
        if let status = try? JSONCodec.decode(MetaV1.Status.self, from: body), status.kind == "Status" || status.reason != nil {
            self.init(code: code, status: status)
            return
        }
        let reason = StatusReason.allCases.first { $0 != .unknown && Int($0.code) == code }
        let text = String(decoding: body.prefix(1024), as: UTF8.self)
        self.init(code: code, status: MetaV1.Status(
            code: Int32(code), message: text.isEmpty ? "the server responded with status \(code)" : text,
            reason: reason?.rawValue, status: "Failure"))
    }

    /// The Status reason, `.unknown` when absent or not a standard one.
    public var reason: StatusReason { StatusReason(rawValue: status.reason ?? "") ?? .unknown }

    public var isNotFound: Bool { reason == .notFound || (code == 404 && reason == .unknown) }
    public var isAlreadyExists: Bool { reason == .alreadyExists }
    public var isConflict: Bool { reason == .conflict || (code == 409 && reason == .unknown) }
    public var isInvalid: Bool { reason == .invalid || code == 422 }
    /// 410 Gone / reason Expired: a resourceVersion too old to list or watch from.
    public var isExpired: Bool { reason == .expired || reason == .gone || code == 410 }
    public var isTooManyRequests: Bool { code == 429 }

    public var description: String { status.message ?? "the server responded with status \(code)" }
}

/// A failure below HTTP: the apiserver could not be reached, or the answer could not be read.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
