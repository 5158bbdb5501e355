import APIMachinery

/// A read-only place in an object's JSON tree, for printers that must accept any shape.
///
/// A missing member, a `null` and a value of the wrong type all read as absent: `string` is nil,
/// `text` is empty, `array` has no elements. Reading never fails, so one odd field can spoil a
/// cell but never the table.
struct TableField {
    let value: JSONValue?

    init(_ value: JSONValue?) { self.value = value }

    /// The member `key` of an object; absent for a non-object.
    subscript(key: String) -> TableField {
        guard case .object(let object)? = value else { return TableField(nil) }
        return TableField(object[key])
    }

    /// True when the member exists and is not `null` (a non-nil pointer in Go's types).
    var isPresent: Bool {
        switch value {
        case .none, .some(.null): return false
        default: return true
        }
    }

    /// The string, if this is a string.
    var string: String? {
        if case .string(let text)? = value { return text }
        return nil
    }

    /// The string, or "" when absent or not a string (Go's zero value).
    var text: String { string ?? "" }

    /// The integer, if this is a number with an integral value.
    var int: Int64? {
        switch value {
        case .int(let number)?:
            return number
        case .double(let number)? where number.rounded() == number && abs(number) < 9.2e18:
            return Int64(number)
        default:
            return nil
        }
    }

    /// The integer, or 0 when absent (Go's zero value).
    var number: Int64 { int ?? 0 }

    /// The boolean, if this is a boolean.
    var bool: Bool? {
        if case .bool(let flag)? = value { return flag }
        return nil
    }

    /// The elements of an array; none for anything else.
    var array: [TableField] {
        guard case .array(let items)? = value else { return [] }
        return items.map { TableField($0) }
    }

    /// The members of an object in document order; none for anything else.
    var members: [(key: String, value: TableField)] {
        guard case .object(let object)? = value else { return [] }
        return object.members.map { (key: $0.key, value: TableField($0.value)) }
    }

    /// Elements of an array or members of an object (Go's `len`); 0 for anything else.
    var count: Int {
        switch value {
        case .array(let items)?: return items.count
        case .object(let object)?: return object.count
        default: return 0
        }
    }

    /// A `meta/v1.Time`; nil when absent, `null` or not RFC 3339.
    var time: Time? {
        guard let text = string else { return nil }
        return try? Time(rfc3339: text)
    }

    /// A `meta/v1.MicroTime`; nil when absent, `null` or not RFC 3339.
    var microTime: MicroTime? {
        guard let text = string else { return nil }
        return try? MicroTime(rfc3339: text)
    }
}
