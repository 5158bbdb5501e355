// Lists in a strategic merge patch: merge lists keyed by their merge key, unions of scalars,
// the `$patch` elements, `$setElementOrder` and the order Kubernetes gives merged lists.
extension StrategicMerger {
    /// Merges a patch list into a live list as the field's strategy says: `merge` lists merge by
    /// merge key (objects) or by value (scalars); all others are replaced by the patch list.
    func mergeList(_ original: [JSONValue], _ patch: [JSONValue], field: Field) throws -> [JSONValue] {
        guard field.strategy == .merge else {
            let elementField = field.element
            return try patch.map { try mergeIntoNothing($0, field: elementField) }
        }
        if original.isEmpty && patch.isEmpty { return [] }
        if try Self.holdsObjects(original, patch) {
            return try mergeObjectList(original, patch, field: field)
        }
        return Self.mergeScalarList(original, patch)
    }

    /// Union of two scalar lists without duplicates, in Kubernetes' merged-list order.
    private static func mergeScalarList(_ original: [JSONValue], _ patch: [JSONValue]) -> [JSONValue] {
        var seen = Set<JSONValue>()
        var merged: [JSONValue] = []
        for element in original + patch where seen.insert(element).inserted {
            merged.append(element)
        }
        return arrange(merged, patchOrder: patch, serverOrder: original, identity: { $0 })
    }

    /// A merge list of objects: `$patch` elements first (delete by merge key, replace the whole
    /// list), then each remaining patch element merges into the live element with the same
    /// merge key value or is added.
    private func mergeObjectList(_ original: [JSONValue], _ patch: [JSONValue], field: Field) throws -> [JSONValue] {
        guard let mergeKey = field.mergeKey else {
            throw PatchError(.badRequest, "cannot merge lists without merge key for \(field.shape.name)")
        }
        var live = original
        var items: [JSONObject] = []
        var replaceList = false
        for element in patch {
            guard case .object(let item) = element else { continue }
            guard let directive = item[Directive.patch] else {
                items.append(item)
                continue
            }
            switch directive.stringValue {
            case "delete"?:
                guard let doomed = item[mergeKey] else { throw PatchError.missingMergeKey(mergeKey, in: item) }
                live.removeAll { $0[mergeKey] == doomed }
            case "replace"?:
                replaceList = true
            case "merge"?:
                throw PatchError(.badRequest, "merging lists cannot yet be specified in the patch")
            default:
                throw PatchError.unknownPatchType(directive, in: item)
            }
        }
        if replaceList {
            var replacement: [JSONValue] = []
            for item in items {
                replacement.append(.object(try mergeObject(nil, item, shape: field.shape)))
            }
            return replacement
        }

        var merged = live
        for item in items {
            guard let keyValue = item[mergeKey] else { throw PatchError.missingMergeKey(mergeKey, in: item) }
            if let index = merged.firstIndex(where: { $0[mergeKey] == keyValue }), case .object(let existing) = merged[index] {
                let updated = try mergeObject(existing, item, shape: field.shape)
                merged[index] = .object(updated)
            } else {
                let added = try mergeObject(nil, item, shape: field.shape)
                merged.append(.object(added))
            }
        }
        return Self.arrange(merged, patchOrder: items.map { .object($0) }, serverOrder: live, identity: { $0[mergeKey] })
    }

    /// `$setElementOrder/<field>`: merges the field's patch list (if the patch has one) into the
    /// live list, then orders the result by the directive: the elements it names in its order,
    /// live elements it does not name slotted in by their live position. Elements it names that
    /// exist nowhere are not created. Returns whether it consumed the field's patch list.
    func applySetElementOrder(
        _ directive: JSONValue, fieldName: String, patchValue: JSONValue?, shape: Shape, to result: inout JSONObject
    ) throws -> Bool {
        guard case .array(let order) = directive else {
            throw PatchError(.badRequest, "invalid patch format of setElementOrder list")
        }
        let patchList: [JSONValue]?
        switch patchValue {
        case .none: patchList = nil
        case .some(.null): return false  // the field is being deleted; the main pass does that
        case .some(.array(let list)): patchList = list
        case .some(let other): throw PatchError(.badRequest, "expected a slice, but received a \(other.goKind)")
        }
        var originalList: [JSONValue]?
        if case .array(let list)? = result[fieldName] { originalList = list }
        let field = self.field(fieldName, in: shape)
        if let patchList {
            try Self.validateOrder(patchList, order, mergeKey: field.mergeKey)
        }

        let merged: [JSONValue]
        switch (originalList, patchList) {
        case (.some(let live), .none): merged = live
        case (.none, .some(let list)): merged = try mergeList([], list, field: field)
        case (.some(let live), .some(let list)): merged = try mergeList(live, list, field: field)
        case (.none, .none): return false
        }
        let mergeKey = field.mergeKey
        let identity: (JSONValue) -> JSONValue? = { element in
            if let mergeKey, case .object(let object) = element { return object[mergeKey] }
            return element
        }
        result[fieldName] = .array(Self.arrange(merged, patchOrder: order, serverOrder: originalList ?? [], identity: identity))
        return patchList != nil
    }

    // MARK: Order

    /// Kubernetes' order for a merged list. `merged` splits into the elements `patchOrder` names
    /// and the rest (server-only); each part is sorted stably by its own order list (unnamed
    /// elements last), then the parts are interleaved: the next server-only element goes first
    /// when both it and the next patch element are in `serverOrder` and it comes earlier there;
    /// otherwise the patch element goes first (so brand-new elements lead).
    static func arrange(
        _ merged: [JSONValue], patchOrder: [JSONValue], serverOrder: [JSONValue], identity: (JSONValue) -> JSONValue?
    ) -> [JSONValue] {
        let patchPositions = Self.positions(of: patchOrder, identity: identity)
        let serverPositions = Self.positions(of: serverOrder, identity: identity)
        var patchItems: [JSONValue] = []
        var serverItems: [JSONValue] = []
        for element in merged {
            if let id = identity(element), patchPositions[id] != nil {
                patchItems.append(element)
            } else {
                serverItems.append(element)
            }
        }
        let right = Self.sorted(patchItems, by: patchPositions, identity: identity)
        let left = Self.sorted(serverItems, by: serverPositions, identity: identity)

        func serverPosition(_ element: JSONValue) -> Int? {
            identity(element).flatMap { serverPositions[$0] }
        }
        var result: [JSONValue] = []
        result.reserveCapacity(merged.count)
        var i = 0
        var j = 0
        while i < left.count || j < right.count {
            if j == right.count {
                result.append(left[i])
                i += 1
            } else if i == left.count {
                result.append(right[j])
                j += 1
            } else if let l = serverPosition(left[i]), let r = serverPosition(right[j]), l < r {
                result.append(left[i])
                i += 1
            } else {
                result.append(right[j])
                j += 1
            }
        }
        return result
    }

    /// First position of each identity in `order`.
    private static func positions(of order: [JSONValue], identity: (JSONValue) -> JSONValue?) -> [JSONValue: Int] {
        var positions: [JSONValue: Int] = [:]
        for (offset, element) in order.enumerated() {
            if let id = identity(element), positions[id] == nil {
                positions[id] = offset
            }
        }
        return positions
    }

    /// `items` sorted by their position in an order list; items it does not name go last, and
    /// ties keep their relative order.
    private static func sorted(
        _ items: [JSONValue], by positions: [JSONValue: Int], identity: (JSONValue) -> JSONValue?
    ) -> [JSONValue] {
        var ranked: [(rank: Int, offset: Int, element: JSONValue)] = []
        ranked.reserveCapacity(items.count)
        for (offset, element) in items.enumerated() {
            let rank = identity(element).flatMap { positions[$0] } ?? Int.max
            ranked.append((rank: rank, offset: offset, element: element))
        }
        ranked.sort { a, b in a.rank != b.rank ? a.rank < b.rank : a.offset < b.offset }
        return ranked.map(\.element)
    }

    // MARK: Checks

    /// Whether the elements are objects (true) or scalars (false); mixing them, or nesting
    /// lists, cannot be merged.
    private static func holdsObjects(_ original: [JSONValue], _ patch: [JSONValue]) throws -> Bool {
        var objects = false
        var scalars = false
        for element in original + patch {
            switch element {
            case .array: throw PatchError(.unprocessable, "lists of lists are not supported")
            case .object: objects = true
            default: scalars = true
            }
        }
        if objects && scalars {
            throw PatchError(
                .badRequest,
                "list element types are not identical: [\(JSONValue.array(original).goFormatted) \(JSONValue.array(patch).goFormatted)]")
        }
        return objects
    }

    /// The patch list's elements (other than `$patch` ones) must appear in `order`, in the same
    /// relative order.
    private static func validateOrder(_ patchList: [JSONValue], _ order: [JSONValue], mergeKey: String?) throws {
        guard !patchList.isEmpty, !order.isEmpty else { return }
        let items = patchList.filter { !isDirectiveElement($0) }
        var p = 0
        var o = 0
        while p < items.count && o < order.count {
            if sameElement(items[p], order[o], mergeKey: mergeKey) { p += 1 }
            o += 1
        }
        if p < items.count {
            throw PatchError(
                .badRequest,
                "The order in patch list:\n\(JSONValue.array(patchList).goFormatted)\n doesn't match \(Directive.setElementOrder.dropLast()) list:\n\(JSONValue.array(order).goFormatted)\n")
        }
    }

    private static func isDirectiveElement(_ element: JSONValue) -> Bool {
        guard case .object(let object) = element else { return false }
        return object.members.contains { $0.key == Directive.patch }
    }

    private static func sameElement(_ a: JSONValue, _ b: JSONValue, mergeKey: String?) -> Bool {
        if let mergeKey, case .object(let x) = a, case .object(let y) = b {
            guard let xv = x[mergeKey], let yv = y[mergeKey] else { return false }
            return xv == yv
        }
        return a == b
    }
}

extension StrategicMerger.Shape {
    /// The schema name, for messages.
    var name: String {
        switch self {
        case .object(let type): type.name
        case .map: "map"
        case .unknown: "unknown"
        }
    }
}
