import APIMachinery

/// What DaemonSets and StatefulSets share about their ControllerRevisions (upstream's
/// `controller/history`): the data a revision stores, the template it holds, the order of a
/// history, and the hash that names a StatefulSet's revisions.
enum ControllerHistory {
    /// What a revision stores: the pod template as a patch replacing `spec.template` whole,
    /// so `kubectl rollout undo` can apply it as it is.
    static func data(_ template: CoreV1.PodTemplateSpec?) throws -> JSONValue {
        var object = try JSONCodec.parse(JSONCodec.encode(template ?? CoreV1.PodTemplateSpec())).objectValue ?? JSONObject()
        object["$patch"] = "replace"
        return ["spec": ["template": .object(object)]]
    }

    /// The pod template `revision` stores; nil when its data holds none.
    static func template(_ revision: AppsV1.ControllerRevision) throws -> CoreV1.PodTemplateSpec? {
        guard var object = revision.data?["spec"]?["template"]?.objectValue else { return nil }
        object["$patch"] = nil
        return try JSONCodec.decode(CoreV1.PodTemplateSpec.self, from: .object(object))
    }

    /// Oldest first: by `revision`, then creation time, then name.
    static func sorted(_ revisions: [AppsV1.ControllerRevision]) -> [AppsV1.ControllerRevision] {
        revisions.sorted { a, b in
            if a.revision != b.revision { return a.revision < b.revision }
            let ta = a.metadata?.creationTimestamp?.secondsSinceEpoch ?? 0, tb = b.metadata?.creationTimestamp?.secondsSinceEpoch ?? 0
            if ta != tb { return ta < tb }
            return a.name < b.name
        }
    }

    /// 32-bit FNV-1 over `data` (keys sorted) and the decimal `collisionCount`, written in
    /// upstream's alphabet without vowels (its `HashControllerRevision` and `SafeEncodeString`).
    static func hash(_ data: JSONValue, collisionCount: Int32) -> String {
        var value: UInt32 = 2_166_136_261
        for byte in JSONCodec.encode(canonical(data)) + Array(String(collisionCount).utf8) {
            value = value &* 16_777_619
            value ^= UInt32(byte)
        }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(String(value).utf8.map { alphabet[Int($0) % alphabet.count] })
    }

    /// `value` with every object's keys sorted, so equal data always hashes the same.
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            let members = object.members.sorted { $0.key < $1.key }.map { JSONObject.Member(key: $0.key, value: canonical($0.value)) }
            return .object(JSONObject(members: members))
        case .array(let items): return .array(items.map(canonical))
        default: return value
        }
    }
}
