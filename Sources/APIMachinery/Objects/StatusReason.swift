/// The standard `Status.reason` values and their HTTP codes, as the apiserver returns them.
public enum StatusReason: String, Sendable, CaseIterable {
    case unknown = ""
    case unauthorized = "Unauthorized"
    case forbidden = "Forbidden"
    case notFound = "NotFound"
    case alreadyExists = "AlreadyExists"
    case conflict = "Conflict"
    case gone = "Gone"
    case invalid = "Invalid"
    case serverTimeout = "ServerTimeout"
    case storeReadError = "StorageReadError"
    case timeout = "Timeout"
    case tooManyRequests = "TooManyRequests"
    case badRequest = "BadRequest"
    case methodNotAllowed = "MethodNotAllowed"
    case notAcceptable = "NotAcceptable"
    case requestEntityTooLarge = "RequestEntityTooLarge"
    case unsupportedMediaType = "UnsupportedMediaType"
    case internalError = "InternalError"
    case expired = "Expired"
    case serviceUnavailable = "ServiceUnavailable"

    /// The HTTP status code the apiserver pairs with this reason.
    public var code: Int32 {
        switch self {
        case .unknown, .internalError, .storeReadError: 500
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .alreadyExists, .conflict: 409
        case .gone, .expired: 410
        case .invalid: 422
        case .serverTimeout, .timeout: 504
        case .tooManyRequests: 429
        case .badRequest: 400
        case .methodNotAllowed: 405
        case .notAcceptable: 406
        case .requestEntityTooLarge: 413
        case .unsupportedMediaType: 415
        case .serviceUnavailable: 503
        }
    }
}

/// The standard `StatusCause.type` values (field-level causes of an Invalid error).
public enum CauseType: String, Sendable, CaseIterable {
    case fieldValueNotFound = "FieldValueNotFound"
    case fieldValueRequired = "FieldValueRequired"
    case fieldValueDuplicate = "FieldValueDuplicate"
    case fieldValueInvalid = "FieldValueInvalid"
    case fieldValueNotSupported = "FieldValueNotSupported"
    case fieldValueForbidden = "FieldValueForbidden"
    case fieldValueTooLong = "FieldValueTooLong"
    case fieldValueTooMany = "FieldValueTooMany"
    case internalError = "InternalError"
    case fieldValueTypeInvalid = "FieldValueTypeInvalid"
    case unexpectedServerResponse = "UnexpectedServerResponse"
    case fieldManagerConflict = "FieldManagerConflict"
    case resourceVersionTooLarge = "ResourceVersionTooLarge"
}

extension MetaV1.Status {
    /// A `Failure` status in the apiserver's shape: `{kind: Status, apiVersion: v1, status: Failure, …}`.
    public static func failure(
        _ reason: StatusReason, message: String, details: MetaV1.StatusDetails? = nil
    ) -> MetaV1.Status {
        MetaV1.Status(
            kind: "Status", apiVersion: "v1", metadata: MetaV1.ListMeta(), code: reason.code, details: details,
            message: message, reason: reason == .unknown ? nil : reason.rawValue, status: "Failure")
    }

    /// `404 NotFound` worded as the apiserver does: `pods "web" not found`.
    public static func notFound(group: String, resource: String, name: String) -> MetaV1.Status {
        let (qualified, details) = describe(group: group, resource: resource, name: name)
        return failure(.notFound, message: "\(qualified) \"\(name)\" not found", details: details)
    }

    /// `409 AlreadyExists`: `pods "web" already exists`.
    public static func alreadyExists(group: String, resource: String, name: String) -> MetaV1.Status {
        let (qualified, details) = describe(group: group, resource: resource, name: name)
        return failure(.alreadyExists, message: "\(qualified) \"\(name)\" already exists", details: details)
    }

    /// `409 Conflict` for a stale resourceVersion, in the apiserver's wording.
    public static func conflict(group: String, resource: String, name: String) -> MetaV1.Status {
        let (qualified, details) = describe(group: group, resource: resource, name: name)
        return failure(
            .conflict,
            message: "Operation cannot be fulfilled on \(qualified) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
            details: details)
    }

    /// `resource.group` (just `resource` for core) and the details naming the object.
    private static func describe(group: String, resource: String, name: String) -> (String, MetaV1.StatusDetails) {
        let qualified = group.isEmpty ? resource : "\(resource).\(group)"
        return (qualified, MetaV1.StatusDetails(kind: resource, group: group.isEmpty ? nil : group, name: name))
    }

    /// `422 Invalid` with field causes: `Pod "web" is invalid: spec.containers[0].image: Required value`.
    public static func invalid(
        group: String, kind: String, name: String, causes: [MetaV1.StatusCause]
    ) -> MetaV1.Status {
        let qualified = group.isEmpty ? kind : "\(kind).\(group)"
        let list = causes.map { cause in
            [cause.field, cause.message].compactMap { $0 }.joined(separator: ": ")
        }
        let summary = list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
        return failure(
            .invalid, message: "\(qualified) \"\(name)\" is invalid: \(summary)",
            details: MetaV1.StatusDetails(kind: kind, causes: causes, group: group.isEmpty ? nil : group, name: name))
    }
}
