import APIMachinery

/// Defaults of the other core/v1 kinds: Secret type (and `stringData` folded into `data`, as
/// the apiserver's conversion does), Namespace name label and phase, claim volume modes,
/// endpoint protocols, LimitRange container defaults, and Node allocatable.
enum CoreDefaults {
    static func secret(_ object: inout JSONValue) {
        object.defaultZeroMember("type", "Opaque")
        guard case .object(let stringData)? = object["stringData"] else {
            object.setMember("stringData", nil)
            return
        }
        object.editObjectMember("data") { data in
            for member in stringData.members {
                let text = member.value.stringValue ?? ""
                data.setMember(member.key, .string(Base64Bytes(text).base64))
            }
        }
        object.setMember("stringData", nil)
    }

    /// The `kubernetes.io/metadata.name` label always equals the name; the phase starts Active.
    static func namespace(_ object: inout JSONValue) {
        if let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty {
            object.editObjectMember("metadata") { metadata in
                metadata.editObjectMember("labels") { $0.setMember("kubernetes.io/metadata.name", .string(name)) }
            }
        }
        object.editObjectMember("status") { $0.defaultZeroMember("phase", "Active") }
    }

    static func persistentVolumeClaim(_ object: inout JSONValue) {
        object.editObjectMember("spec") { $0.defaultMember("volumeMode", "Filesystem") }
        object.editObjectMember("status") { $0.defaultZeroMember("phase", "Pending") }
    }

    static func endpoints(_ object: inout JSONValue) {
        object.editEachElement("subsets") { subset in
            subset.editEachElement("ports") { $0.defaultZeroMember("protocol", "TCP") }
        }
    }

    /// Container limits: `default` from `max`, `defaultRequest` from `default`, then from `min`.
    static func limitRange(_ object: inout JSONValue) {
        object.editMember("spec") { spec in
            spec.editEachElement("limits") { item in
                guard item["type"] == "Container" else { return }
                for (target, source) in [("default", "max"), ("defaultRequest", "default"), ("defaultRequest", "min")] {
                    guard case .object(let values)? = item[source], values.count > 0 else { continue }
                    item.editObjectMember(target) { targetValues in
                        for member in values.members { targetValues.defaultMember(member.key, member.value) }
                    }
                }
            }
        }
    }

    static func node(_ object: inout JSONValue) {
        object.editMember("status") { status in
            if let capacity = status["capacity"], capacity != .null { status.defaultMember("allocatable", capacity) }
        }
    }
}
