import APIMachinery

/// Dynamic objects (custom resources, or any kind without a Swift type) are cached as their
/// JSON tree. Identity and labels come from `metadata`; a missing or mistyped field reads as
/// "" (or no labels), as for a typed object whose `metadata` is unset.
extension JSONValue: LabeledInformerObject {
    public var objectNamespace: String { self["metadata"]?["namespace"]?.stringValue ?? "" }
    public var objectName: String { self["metadata"]?["name"]?.stringValue ?? "" }
    public var objectResourceVersion: String { self["metadata"]?["resourceVersion"]?.stringValue ?? "" }

    /// The string-valued members of `metadata.labels`; members of other types are ignored.
    public var objectLabels: [String: String] {
        guard case .object(let labels)? = self["metadata"]?["labels"] else { return [:] }
        var result: [String: String] = [:]
        for member in labels.members {
            if let value = member.value.stringValue { result[member.key] = value }
        }
        return result
    }
}
