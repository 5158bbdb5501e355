extension APISchema {
    /// `value` in Go's encoding order as the top-level kind `gvk`; unchanged for kinds the
    /// schema does not have (custom resources).
    public func canonical(_ value: JSONValue, gvk: GroupVersionKind) -> JSONValue {
        guard let name = name(for: gvk), let order = fieldOrders[name] else { return value }
        var value = value
        Self.canonicalize(&value, order)
        return value
    }

    /// Puts only the member `name` of `object`, a top-level object of kind `gvk`, in Go's
    /// encoding order: for a tree read from bytes this server wrote (already in order) in which
    /// only that member changed. False, with nothing done, when the kind or member is unknown
    /// or the top-level members are out of order (bytes written elsewhere, or by a version
    /// that wrote keys alphabetically: `apiVersion` before `kind`); then use `canonical`.
    public func canonicalize(member name: String, of object: inout JSONObject, gvk: GroupVersionKind) -> Bool {
        guard let kind = self.name(for: gvk), let order = fieldOrders[kind], let slot = order.slots[name],
            let index = object.members.firstIndex(where: { $0.key == name })
        else { return false }
        var previous = -1
        for member in object.members {
            guard let position = order.slots[member.key]?.position, position > previous else { return false }
            previous = position
        }
        Self.canonicalize(&object.members[index].value, slot.value)
        return true
    }

    /// Puts `value` (an object described by `order`) in the order Go's encoding/json writes
    /// it, so that what is stored, and every response read from it, is byte for byte what
    /// kube-apiserver would send: struct fields in declaration order (the schema's property
    /// order), map keys sorted bytewise. Members the schema does not know keep their relative
    /// order after the known ones; free-form values (`RawExtension`, `FieldsV1`, CRD `JSON`)
    /// are left as given, as Go keeps their raw bytes.
    ///
    /// Cost: one walk of the tree, in place; one dictionary read per member; members already
    /// in order are not moved.
    static func canonicalize(_ value: inout JSONValue, _ order: FieldOrder) {
        guard order.ordersMembers, case .object(var object) = value else { return }
        value = .null  // `object` is now the only reference: edited in place, not copied.
        var sorted = true
        var previous = -1
        for i in object.members.indices {
            guard let slot = order.slots[object.members[i].key] else {
                previous = Int.max
                continue
            }
            if slot.position < previous { sorted = false }
            previous = max(previous, slot.position)
            canonicalize(&object.members[i].value, slot.value)
        }
        if !sorted {
            // Stable: unknown members (position Int.max) keep their order.
            object.members = object.members.enumerated().sorted { a, b in
                let pa = order.slots[a.element.key]?.position ?? Int.max
                let pb = order.slots[b.element.key]?.position ?? Int.max
                return pa != pb ? pa < pb : a.offset < b.offset
            }.map(\.element)
        }
        value = .object(object)
    }

    private static func canonicalize(_ value: inout JSONValue, _ shape: FieldOrder.Shape) {
        switch shape {
        case .leaf:
            return
        case .object(let order):
            canonicalize(&value, order)
        case .array(let element):
            guard case .array(var elements) = value else { return }
            value = .null
            for i in elements.indices { canonicalize(&elements[i], element) }
            value = .array(elements)
        case .map(let element):
            guard case .object(var object) = value else { return }
            value = .null
            if case .leaf = element {} else {
                for i in object.members.indices { canonicalize(&object.members[i].value, element) }
            }
            var ordered = true
            for i in object.members.indices.dropFirst()
            where object.members[i].key.utf8.lexicographicallyPrecedes(object.members[i - 1].key.utf8) {
                ordered = false
                break
            }
            if !ordered { object.members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } }
            value = .object(object)
        }
    }
}
