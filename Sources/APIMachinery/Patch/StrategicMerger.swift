/// The engine behind `StrategicMergePatch`: walks a patch and the live object together, asking
/// the schema how each field merges. Objects here; lists in `StrategicMerger+Lists.swift`.
struct StrategicMerger {
    let schema: APISchema

    /// What the schema says about a value's contents.
    enum Shape: Sendable {
        /// A named definition: members are looked up among its properties.
        case object(TypeSchema)
        /// A string-keyed map whose values all have this type (`labels`, `resources.limits`).
        case map(FieldType)
        /// No schema: objects merge, lists are replaced.
        case unknown
    }

    enum Strategy: Sendable {
        case merge, replace
    }

    /// How one member merges.
    struct Field: Sendable {
        /// The patch strategy, `retainKeys` aside (that one only matters to the patch's author).
        var strategy: Strategy?
        var mergeKey: String?
        /// The shape of the member's value; for a list, of each element.
        var shape: Shape

        static let unknown = Field(strategy: nil, mergeKey: nil, shape: .unknown)

        /// The same shape, without list semantics: for elements of a replaced list.
        var element: Field { Field(strategy: nil, mergeKey: nil, shape: shape) }
    }

    enum Directive {
        static let patch = "$patch"
        static let retainKeys = "$retainKeys"
        static let deleteFromPrimitiveList = "$deleteFromPrimitiveList/"
        static let setElementOrder = "$setElementOrder/"
    }

    // MARK: Schema lookups

    func field(_ name: String, in shape: Shape) -> Field {
        switch shape {
        case .object(let type):
            guard let field = type.properties[name] else { return .unknown }
            let strategy: Strategy?
            switch field.patchStrategies.first(where: { $0 != "retainKeys" }) {
            case "merge"?: strategy = .merge
            case "replace"?: strategy = .replace
            default: strategy = nil
            }
            return Field(strategy: strategy, mergeKey: field.patchMergeKey, shape: self.shape(of: field.type))
        case .map(let valueType):
            return Field(strategy: nil, mergeKey: nil, shape: self.shape(of: valueType))
        case .unknown:
            return .unknown
        }
    }

    /// The shape of a value of `type`; for arrays, of their elements.
    func shape(of type: FieldType) -> Shape {
        switch type {
        case .reference(let name):
            if let definition = schema.type(named: name) { return .object(definition) }
            return .unknown
        case .array(let element):
            return shape(of: element)
        case .map(let value):
            return .map(value)
        default:
            return .unknown
        }
    }

    // MARK: Objects

    /// Merges `patch` into `original` (nil: nothing there yet, which also strips the patch's
    /// nulls and directives).
    func mergeObject(_ original: JSONObject?, _ patch: JSONObject, shape: Shape) throws -> JSONObject {
        var patch = patch
        if let directive = patch[Directive.patch] {
            switch directive.stringValue {
            case "replace"?:
                patch[Directive.patch] = nil
                return try mergeObject(nil, patch, shape: shape)
            case "delete"?:
                return JSONObject()
            case "merge"?:
                patch[Directive.patch] = nil
            default:
                throw PatchError.unknownPatchType(directive, in: patch)
            }
        }

        var result = original ?? JSONObject()

        if let retainKeys = patch[Directive.retainKeys] {
            patch[Directive.retainKeys] = nil
            try applyRetainKeys(retainKeys, patch: patch, to: &result)
        }

        // `$setElementOrder` first: it merges its field's patch list too, which the main pass then skips.
        var ordered = Set<String>()
        for member in patch.members where member.key.hasPrefix(Directive.setElementOrder) {
            let name = String(member.key.dropFirst(Directive.setElementOrder.count))
            if try applySetElementOrder(member.value, fieldName: name, patchValue: patch[name], shape: shape, to: &result) {
                ordered.insert(name)
            }
        }

        for member in patch.members {
            let key = member.key
            if key.hasPrefix(Directive.setElementOrder) || ordered.contains(key) { continue }
            if key.hasPrefix(Directive.deleteFromPrimitiveList) {
                let name = String(key.dropFirst(Directive.deleteFromPrimitiveList.count))
                try deleteFromPrimitiveList(member.value, fieldName: name, in: &result)
                continue
            }
            if case .null = member.value {
                result[key] = nil
                continue
            }
            let field = self.field(key, in: shape)
            if let current = result[key] {
                result[key] = try merge(current, member.value, field: field)
            } else {
                result[key] = try mergeIntoNothing(member.value, field: field)
            }
        }
        return result
    }

    /// Merges one member's patch value into its live value.
    func merge(_ current: JSONValue, _ patch: JSONValue, field: Field) throws -> JSONValue {
        switch (current, patch) {
        case (.object(let original), .object(let patchObject)):
            if field.strategy == .replace {
                return try .object(mergeObject(nil, patchObject, shape: field.shape))
            }
            return try .object(mergeObject(original, patchObject, shape: field.shape))
        case (.array(let original), .array(let patchList)):
            return try .array(mergeList(original, patchList, field: field))
        default:
            return try mergeIntoNothing(patch, field: field)
        }
    }

    /// The value a patch value leaves where there was none (or one of another JSON type):
    /// objects and lists lose their nulls and directives, scalars stand.
    func mergeIntoNothing(_ patch: JSONValue, field: Field) throws -> JSONValue {
        switch patch {
        case .object(let object): try .object(mergeObject(nil, object, shape: field.shape))
        case .array(let list): try .array(mergeList([], list, field: field))
        default: patch
        }
    }

    // MARK: Directives on objects

    /// `$retainKeys`: keeps only the listed live keys; every non-null patch key must be listed.
    private func applyRetainKeys(_ directive: JSONValue, patch: JSONObject, to result: inout JSONObject) throws {
        guard case .array(let list) = directive else {
            throw PatchError(.badRequest, "invalid patch format of retainKeys")
        }
        let retained = Set(list.compactMap(\.stringValue))
        for member in patch.members {
            if case .null = member.value { continue }
            if member.key.hasPrefix(Directive.deleteFromPrimitiveList) || member.key.hasPrefix(Directive.setElementOrder) {
                continue
            }
            guard retained.contains(member.key) else {
                throw PatchError(.unprocessable, "patch content doesn't match retainKeys list")
            }
        }
        result.members.removeAll { !retained.contains($0.key) }
    }

    /// `$deleteFromPrimitiveList/<field>`: removes every listed value from the live list, if any.
    private func deleteFromPrimitiveList(_ directive: JSONValue, fieldName: String, in result: inout JSONObject) throws {
        guard case .array(let doomed) = directive else {
            throw PatchError(.badRequest, "invalid patch format of primitive list")
        }
        guard case .array(let current)? = result[fieldName] else { return }
        let removed = Set(doomed)
        result[fieldName] = .array(current.filter { !removed.contains($0) })
    }
}
