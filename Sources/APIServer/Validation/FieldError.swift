import APIMachinery

/// One field-level validation failure, in the shape of Kubernetes' `field.Error`.
///
/// `message` is worded exactly as upstream's `ErrorBody()`: `Required value`,
/// `Invalid value: "x": detail`, `Unsupported value: "x": supported values: "a", "b"`,
/// `Duplicate value: "x"`, `Forbidden: detail`, `Too long: must have at most 262144 bytes`.
/// Required, Forbidden, TooLong and Internal errors never show the bad value.
public struct FieldError: Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; the raw value is the `StatusCause.reason` Kubernetes reports.
    public enum ErrorType: String, Sendable, Hashable, CaseIterable {
        case notFound = "FieldValueNotFound"
        case required = "FieldValueRequired"
        case duplicate = "FieldValueDuplicate"
        case invalid = "FieldValueInvalid"
        case notSupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case internalError = "InternalError"
        case typeInvalid = "FieldValueTypeInvalid"

        /// The leading words of the message (`field.ErrorType.String()`).
        public var summary: String {
            switch self {
            case .notFound: "Not found"
            case .required: "Required value"
            case .duplicate: "Duplicate value"
            case .invalid, .typeInvalid: "Invalid value"
            case .notSupported: "Unsupported value"
            case .forbidden: "Forbidden"
            case .tooLong: "Too long"
            case .tooMany: "Too many"
            case .internalError: "Internal error"
            }
        }
    }

    public var type: ErrorType
    /// The JSON path of the field, e.g. `spec.containers[0].image`; map keys print as `[key]`.
    public var field: String
    /// The offending value as Go's `fmt` prints it in the message (`"x"` for strings, `3` for
    /// numbers, `map[string]string{…}` for maps); nil when the message shows no value.
    public var badValue: String?
    /// Free text after the value; empty for none.
    public var detail: String

    public init(type: ErrorType, field: String, badValue: String? = nil, detail: String = "") {
        self.type = type
        self.field = field
        self.badValue = badValue
        self.detail = detail
    }

    /// The message without the field name, as Kubernetes' `ErrorBody()`.
    public var message: String {
        var text = type.summary
        switch type {
        case .required, .forbidden, .tooLong, .internalError:
            break
        default:
            if let badValue { text += ": " + badValue }
        }
        if !detail.isEmpty { text += ": " + detail }
        return text
    }

    /// `field: message`, as Kubernetes' `field.Error.Error()`.
    public var description: String { "\(field): \(message)" }

    /// The cause entry of a 422 `Status` (`reason`, `message`, `field`).
    public var statusCause: MetaV1.StatusCause {
        MetaV1.StatusCause(field: field.isEmpty ? nil : field, message: message, reason: type.rawValue)
    }
}

// MARK: - Constructors with upstream's wording

extension FieldError {
    static let immutableMessage = "field is immutable"
    static let negativeMessage = "must be greater than or equal to 0"
    static let notPositiveMessage = "must be greater than zero"

    static func required(_ path: Path, _ detail: String = "") -> FieldError {
        FieldError(type: .required, field: path.description, detail: detail)
    }

    static func forbidden(_ path: Path, _ detail: String) -> FieldError {
        FieldError(type: .forbidden, field: path.description, detail: detail)
    }

    static func invalid(_ path: Path, _ value: Value, _ detail: String) -> FieldError {
        FieldError(type: .invalid, field: path.description, badValue: value.text, detail: detail)
    }

    /// `Unsupported value: <value>: supported values: "a", "b"` (values quoted in the given order).
    static func notSupported(_ path: Path, _ value: Value, _ supported: [String]) -> FieldError {
        let detail = supported.isEmpty ? "" : "supported values: " + supported.map(Value.goQuote).joined(separator: ", ")
        return FieldError(type: .notSupported, field: path.description, badValue: value.text, detail: detail)
    }

    static func duplicate(_ path: Path, _ value: Value) -> FieldError {
        FieldError(type: .duplicate, field: path.description, badValue: value.text)
    }

    static func notFound(_ path: Path, _ value: Value) -> FieldError {
        FieldError(type: .notFound, field: path.description, badValue: value.text)
    }

    /// `Too long: must have at most <max> bytes`.
    static func tooLong(_ path: Path, max: Int) -> FieldError {
        FieldError(type: .tooLong, field: path.description, detail: "must have at most \(max) bytes")
    }

    /// `Too many: <actual>: must have at most <max> items`.
    static func tooMany(_ path: Path, actual: Int, max: Int) -> FieldError {
        FieldError(type: .tooMany, field: path.description, badValue: String(actual), detail: "must have at most \(max) items")
    }

    static func internalError(_ path: Path, _ detail: String) -> FieldError {
        FieldError(type: .internalError, field: path.description, detail: detail)
    }

    /// `Invalid value: <value>: field is immutable`.
    static func immutable(_ path: Path, _ value: Value) -> FieldError {
        invalid(path, value, immutableMessage)
    }

    /// `Invalid value: <n>: must be greater than or equal to 0` when `value` is negative.
    static func nonNegative<T: BinaryInteger>(_ value: T?, _ path: Path) -> [FieldError] {
        guard let value, value < 0 else { return [] }
        return [invalid(path, .int(value), negativeMessage)]
    }
}
