import APIMachinery

/// In-place edits of object trees that keep member order, used by defaulting and by the
/// update checks that compare trees. All edits are no-ops on values that are not objects.
extension JSONValue {
    /// True when the member is absent or `null` (also true on non-objects).
    func memberIsUnset(_ key: String) -> Bool {
        switch self[key] {
        case nil, .null?: true
        default: false
        }
    }

    /// The member's elements, or nil when it is not an array.
    func arrayMember(_ key: String) -> [JSONValue]? {
        if case .array(let elements)? = self[key] { return elements }
        return nil
    }

    /// The integer payload of an `.int` (or an integral `.double`).
    var int64Payload: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value) where value.rounded() == value && abs(value) < 9.0e18: Int64(value)
        default: nil
        }
    }

    /// Sets the member when it is absent or `null`.
    mutating func defaultMember(_ key: String, _ value: @autoclosure () -> JSONValue) {
        guard case .object(var object) = self, object[key] == nil || object[key] == .null else { return }
        self = .null
        object[key] = value()
        self = .object(object)
    }

    /// Sets the member when it is absent, `null`, `""` or `0`: Go's test for an unset
    /// non-pointer field.
    mutating func defaultZeroMember(_ key: String, _ value: @autoclosure () -> JSONValue) {
        switch self[key] {
        case .string("")?, .int(0)?, .double(0)?:
            setMember(key, value())
        default:
            defaultMember(key, value())
        }
    }

    /// Sets (or with nil removes) the member.
    mutating func setMember(_ key: String, _ value: JSONValue?) {
        guard case .object(var object) = self else { return }
        self = .null
        object[key] = value
        self = .object(object)
    }

    /// Edits an existing, non-null member in place.
    mutating func editMember(_ key: String, _ body: (inout JSONValue) -> Void) {
        guard case .object(var object) = self, var value = object[key], value != .null else { return }
        self = .null
        object[key] = .null
        body(&value)
        object[key] = value
        self = .object(object)
    }

    /// Edits the member as an object, creating `{}` first when it is absent or `null`.
    mutating func editObjectMember(_ key: String, _ body: (inout JSONValue) -> Void) {
        defaultMember(key, .object(JSONObject()))
        editMember(key, body)
    }

    /// Edits every element of an array member.
    mutating func editEachElement(_ key: String, _ body: (inout JSONValue) -> Void) {
        editMember(key) { value in
            guard case .array(var elements) = value else { return }
            value = .null
            for index in elements.indices { body(&elements[index]) }
            value = .array(elements)
        }
    }

    /// The tree without `null` members and without empty arrays and objects, recursively:
    /// the shape in which Kubernetes' semantic equality treats nil and empty alike.
    var prunedOfEmpty: JSONValue {
        switch self {
        case .object(let object):
            var result = JSONObject()
            for member in object.members {
                let value = member.value.prunedOfEmpty
                switch value {
                case .null: continue
                case .array(let elements) where elements.isEmpty: continue
                case .object(let inner) where inner.count == 0: continue
                default: result.members.append(JSONObject.Member(key: member.key, value: value))
                }
            }
            return .object(result)
        case .array(let elements):
            return .array(elements.map(\.prunedOfEmpty))
        default:
            return self
        }
    }
}
