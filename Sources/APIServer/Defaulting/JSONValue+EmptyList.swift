import APIMachinery

extension JSONValue {
    /// True when the member is absent, `null` or `[]`: Go's `len(list) == 0` on a decoded
    /// slice. A member holding anything else (an object, a string) is not empty, so defaulting
    /// leaves it for decoding to reject.
    func memberIsUnsetOrEmptyList(_ key: String) -> Bool {
        switch self[key] {
        case nil, .null?: true
        case .array(let elements)?: elements.isEmpty
        default: false
        }
    }
}
