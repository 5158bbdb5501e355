/// RFC 6902 JSON Patch (`application/json-patch+json`): a list of operations applied in order.
///
/// Contract:
/// - The patch is an array of operation objects; each has `op` (`add`, `remove`, `replace`,
///   `move`, `copy`, `test`) and `path`, plus `value` (add, replace, test) or `from` (move, copy).
///   Other members are ignored. A `null` patch is an empty list, as Go decodes it.
/// - Paths are RFC 6901 pointers; `-` as the last token of an `add` (or the destination of a
///   move or copy) appends to an array. `add` and `replace` at `""` replace the whole document.
/// - All or nothing: the first failing operation throws and no result is returned.
/// - A `test` of a missing member passes only against `null` (as evanphx/json-patch does);
///   numbers compare by value (`1` equals `1.0`), objects ignore member order.
/// - Errors: a patch that is not a list of objects is `.badRequest`; an operation that does
///   not apply is `.unprocessable`, with evanphx/json-patch's wording
///   (`replace operation does not apply: doc is missing key: /spec/foo: missing value`,
///   `testing value /x failed: test failed`, `Unexpected kind: frob`).
/// - More than `maxOperations` operations is `.tooLarge`, with kube-apiserver's wording.
/// Cost: each operation copies the containers along its path; the rest is shared.
public enum JSONPatch {
    /// kube-apiserver's limit on the operations of one JSON patch.
    public static let maxOperations = 10_000

    public static func apply(_ patch: JSONValue, to document: JSONValue) throws -> JSONValue {
        let operations: [JSONValue]
        switch patch {
        case .array(let list): operations = list
        case .null: operations = []
        default:
            throw PatchError(.badRequest, "json: cannot unmarshal \(patch.typeName) into Go value of type jsonpatch.Patch")
        }
        if operations.count > maxOperations {
            throw PatchError(.tooLarge, "The allowed maximum operations in a JSON patch is \(maxOperations), got \(operations.count)")
        }
        var objects: [JSONObject] = []
        objects.reserveCapacity(operations.count)
        for operation in operations {
            switch operation {
            case .object(let object): objects.append(object)
            case .null: objects.append(JSONObject())
            default:
                throw PatchError(.badRequest, "json: cannot unmarshal \(operation.typeName) into Go value of type jsonpatch.Operation")
            }
        }
        var result = document
        for operation in objects {
            try apply(operation, to: &result)
        }
        return result
    }

    // MARK: Operations

    private static func apply(_ operation: JSONObject, to document: inout JSONValue) throws {
        let kind = operation["op"]?.stringValue ?? "unknown"
        switch kind {
        case "add":
            let path = try pointer(operation, "path", kind)
            let value = try operand(operation, kind)
            try add(value, at: path, in: &document, kind: kind,
                    missing: "add operation does not apply: doc is missing path: \"\(path)\": missing value")

        case "remove":
            let path = try pointer(operation, "path", kind)
            _ = try remove(at: path, in: &document, kind: kind,
                           missing: "remove operation does not apply: doc is missing path: \"\(path)\": missing value")

        case "replace":
            let path = try pointer(operation, "path", kind)
            let value = try operand(operation, kind)
            guard !path.tokens.isEmpty else {
                document = value
                return
            }
            guard isContainer(JSONPointer.resolve(path.tokens.dropLast(), in: document)) else {
                throw PatchError(.unprocessable, "replace operation does not apply: doc is missing path: \(path): missing value")
            }
            let found = modify(&document, at: path.tokens[...]) { $0 = value }
            guard found else {
                throw PatchError(.unprocessable, "replace operation does not apply: doc is missing key: \(path): missing value")
            }

        case "move":
            let from = try pointer(operation, "from", kind)
            let path = try pointer(operation, "path", kind)
            let missingFrom = "move operation does not apply: doc is missing from path: \(from): missing value"
            if from == path {
                guard from.value(in: document) != nil else { throw PatchError(.unprocessable, missingFrom) }
                return
            }
            if path.tokens.count > from.tokens.count && path.tokens.starts(with: from.tokens) {
                throw PatchError(.unprocessable, "move operation does not apply: cannot move \(from) into its own child \(path)")
            }
            let value = try remove(at: from, in: &document, kind: kind, missing: missingFrom)
            try add(value, at: path, in: &document, kind: kind,
                    missing: "move operation does not apply: doc is missing destination path: \(path): missing value")

        case "copy":
            let from = try pointer(operation, "from", kind)
            let path = try pointer(operation, "path", kind)
            guard let value = from.value(in: document) else {
                throw PatchError(.unprocessable, "copy operation does not apply: doc is missing from path: \(from): missing value")
            }
            try add(value, at: path, in: &document, kind: kind,
                    missing: "copy operation does not apply: doc is missing destination path: \(path): missing value")

        case "test":
            let path = try pointer(operation, "path", kind)
            let expected = try operand(operation, kind)
            if !path.tokens.isEmpty, !isContainer(JSONPointer.resolve(path.tokens.dropLast(), in: document)) {
                throw PatchError(.unprocessable, "test operation does not apply: is missing path: \(path): missing value")
            }
            let actual = path.value(in: document)
            let passed = actual.map { $0 == expected } ?? (expected == .null)
            guard passed else {
                throw PatchError(.unprocessable, "testing value \(path) failed: test failed")
            }

        default:
            throw PatchError(.unprocessable, "Unexpected kind: \(kind)")
        }
    }

    /// Inserts `newValue` at `pointer`: sets an object member (replacing any), inserts into an
    /// array at an index `0...count` or appends for `-`.
    private static func add(
        _ newValue: JSONValue, at pointer: JSONPointer, in document: inout JSONValue, kind: String, missing: String
    ) throws {
        guard let key = pointer.tokens.last else {
            document = newValue
            return
        }
        let found = try modify(&document, at: pointer.tokens.dropLast()) { container in
            switch container {
            case .object(var object):
                container = .null
                object[key] = newValue
                container = .object(object)
            case .array(var array):
                let index: Int
                if key == "-" {
                    index = array.count
                } else if let parsed = JSONPointer.arrayIndex(key), parsed <= array.count {
                    index = parsed
                } else {
                    throw PatchError(.unprocessable, "error in \(kind) for path: '\(pointer)': Unable to access invalid index: \(key): invalid index referenced")
                }
                container = .null
                array.insert(newValue, at: index)
                container = .array(array)
            default:
                throw PatchError(.unprocessable, missing)
            }
        }
        guard found else { throw PatchError(.unprocessable, missing) }
    }

    /// Removes and returns the value at `pointer`; the whole document cannot be removed.
    private static func remove(
        at pointer: JSONPointer, in document: inout JSONValue, kind: String, missing: String
    ) throws -> JSONValue {
        guard let key = pointer.tokens.last else { throw PatchError(.unprocessable, missing) }
        var removed = JSONValue.null
        let found = try modify(&document, at: pointer.tokens.dropLast()) { container in
            switch container {
            case .object(var object):
                guard let index = object.members.firstIndex(where: { $0.key == key }) else {
                    throw PatchError(.unprocessable, "error in \(kind) for path: '\(pointer)': Unable to remove nonexistent key: \(key): missing value")
                }
                container = .null
                removed = object.members.remove(at: index).value
                container = .object(object)
            case .array(var array):
                guard let index = JSONPointer.arrayIndex(key), index < array.count else {
                    throw PatchError(.unprocessable, "error in \(kind) for path: '\(pointer)': Unable to access invalid index: \(key): invalid index referenced")
                }
                container = .null
                removed = array.remove(at: index)
                container = .array(array)
            default:
                throw PatchError(.unprocessable, missing)
            }
        }
        guard found else { throw PatchError(.unprocessable, missing) }
        return removed
    }

    // MARK: Helpers

    /// Calls `body` with the value at `path` inside `value` and stores back what `body` leaves
    /// there. Returns false, without calling `body`, when the path does not resolve.
    private static func modify(
        _ value: inout JSONValue, at path: ArraySlice<String>, _ body: (inout JSONValue) throws -> Void
    ) rethrows -> Bool {
        guard let token = path.first else {
            try body(&value)
            return true
        }
        switch value {
        case .object(var object):
            guard let index = object.members.firstIndex(where: { $0.key == token }) else { return false }
            value = .null  // leave `object` as the only reference, so the edit below does not copy it
            defer { value = .object(object) }
            return try modify(&object.members[index].value, at: path.dropFirst(), body)
        case .array(var array):
            guard let index = JSONPointer.arrayIndex(token), index < array.count else { return false }
            value = .null
            defer { value = .array(array) }
            return try modify(&array[index], at: path.dropFirst(), body)
        default:
            return false
        }
    }

    private static func isContainer(_ value: JSONValue?) -> Bool {
        switch value {
        case .object?, .array?: true
        default: false
        }
    }

    private static func pointer(_ operation: JSONObject, _ member: String, _ kind: String) throws -> JSONPointer {
        guard let text = operation[member]?.stringValue else {
            throw PatchError(.unprocessable, "\(kind) operation failed to decode \(member): missing value")
        }
        guard let pointer = JSONPointer(text) else {
            throw PatchError(.unprocessable, "\(kind) operation failed to decode \(member): invalid JSON pointer \"\(text)\"")
        }
        return pointer
    }

    private static func operand(_ operation: JSONObject, _ kind: String) throws -> JSONValue {
        guard let value = operation["value"] else {
            throw PatchError(.unprocessable, "\(kind) operation has no value: missing value")
        }
        return value
    }
}
