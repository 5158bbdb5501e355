/// A Kubernetes API error: the `Status` a server answers with (and its HTTP code). The
/// apiserver throws it to answer a request; the client throws it when a request is answered
/// with one. One type on both sides, so a status built by the server is the status the client
/// reads.
public struct StatusError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status code (the Status's `code`, or the response's when the body had none).
    public var code: Int
    public var status: MetaV1.Status

    /// An error carrying `status`, with its code (500 when it has none).
    public init(_ status: MetaV1.Status) {
        self.code = Int(status.code ?? 500)
        self.status = status
    }

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

    public static func badRequest(_ message: String) -> StatusError { StatusError(.failure(.badRequest, message: message)) }

    public static func internalError(_ message: String) -> StatusError {
        StatusError(.failure(.internalError, message: "Internal error occurred: \(message)"))
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
