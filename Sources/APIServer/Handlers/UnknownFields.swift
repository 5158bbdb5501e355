import APIMachinery

extension JSONObject {
    /// Removes the field at `path` (Kubernetes' notation: `spec.containers[0].imagePullPolicyy`),
    /// if present: how unknown fields are dropped after a decode, as Go's decoder drops them.
    mutating func removeField(at path: String) {
        var value = JSONValue.object(self)
        value.remove(FieldPath.parse(path)[...])
        if case .object(let object) = value { self = object }
    }
}

/// One step of a field path.
enum FieldPath: Equatable {
    case key(String)
    case index(Int)

    /// `a.b[2].c` → key a, key b, index 2, key c.
    static func parse(_ path: String) -> [FieldPath] {
        var parts: [FieldPath] = []
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(segment)
            if let bracket = rest.firstIndex(of: "[") {
                let name = rest[..<bracket]
                if !name.isEmpty { parts.append(.key(String(name))) }
                rest = rest[bracket...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                    if let index = Int(rest[rest.index(after: rest.startIndex)..<close]) { parts.append(.index(index)) }
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                parts.append(.key(String(rest)))
            }
        }
        return parts
    }
}

extension JSONValue {
    fileprivate mutating func remove(_ path: ArraySlice<FieldPath>) {
        guard let first = path.first else { return }
        switch (self, first) {
        case (.object(var object), .key(let key)):
            if path.count == 1 {
                object[key] = nil
            } else if var child = object[key] {
                child.remove(path.dropFirst())
                object[key] = child
            }
            self = .object(object)
        case (.array(var elements), .index(let index)) where elements.indices.contains(index):
            if path.count > 1 {
                elements[index].remove(path.dropFirst())
                self = .array(elements)
            }
        default:
            return
        }
    }
}
