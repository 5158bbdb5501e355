import APIMachinery
import Foundation

/// Metadata rules every stored object follows (kube-apiserver's BeforeCreate/BeforeUpdate and
/// the per-kind strategies' PrepareForCreate/PrepareForUpdate), as pure functions on trees.
public enum ObjectRules {
    /// Characters Kubernetes uses for generateName suffixes (no vowels, no confusable digits).
    static let suffixAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// Kinds whose `metadata.generation` tracks spec changes.
    public static func tracksGeneration(_ info: ResourceInfo) -> Bool {
        switch info.gvk.group {
        case "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "apiextensions.k8s.io",
            "admissionregistration.k8s.io", "flowcontrol.apiserver.k8s.io":
            return true
        case "": return info.plural == "replicationcontrollers"
        default: return info.gvk.group.contains(".") && !info.gvk.group.hasSuffix(".k8s.io")
        }
    }

    /// Fills server-owned metadata of a new object: name from generateName, uid,
    /// creationTimestamp, generation; clears what clients may not set.
    public static func prepareForCreate(
        _ object: inout JSONObject, info: ResourceInfo, now: Date, uid: String,
        random: () -> Int = { Int.random(in: 0..<Int.max) }
    ) {
        var metadata = object.objectMember("metadata")
        if metadata["name"]?.stringValue ?? "" == "", let base = metadata["generateName"]?.stringValue, !base.isEmpty {
            let trimmed = String(base.prefix(58))
            let suffix = String((0..<5).map { _ in suffixAlphabet[random() % suffixAlphabet.count] })
            metadata["name"] = .string(trimmed + suffix)
        }
        metadata["uid"] = .string(uid)
        metadata["creationTimestamp"] = .string(Self.timestamp(now))
        metadata["resourceVersion"] = nil
        metadata["selfLink"] = nil
        metadata["deletionTimestamp"] = nil
        metadata["deletionGracePeriodSeconds"] = nil
        if tracksGeneration(info) { metadata["generation"] = 1 } else { metadata["generation"] = nil }
        object["metadata"] = .object(metadata)
        if info.subresource("status") != nil && !(info.gvk.group == "" && info.plural == "nodes") {
            // Status is the controllers' to write; a create starts with none (nodes may set theirs).
            object["status"] = nil
        }
    }

    /// Makes an update of `old` into `new` what the apiserver stores: server-owned metadata
    /// carried over, the part the subresource does not own reset to `old`, generation bumped on
    /// a spec change.
    public static func prepareForUpdate(new: inout JSONObject, old: JSONObject, info: ResourceInfo, subresource: String?) {
        let oldMeta = old.objectMember("metadata")
        if subresource == "status" {
            var merged = old
            merged["status"] = new["status"]
            // Labels and annotations may change through status writes as through the main resource.
            var metadata = oldMeta
            let newMeta = new.objectMember("metadata")
            if let labels = newMeta["labels"] { metadata["labels"] = labels }
            if let annotations = newMeta["annotations"] { metadata["annotations"] = annotations }
            metadata["resourceVersion"] = newMeta["resourceVersion"]
            merged["metadata"] = .object(metadata)
            new = merged
        } else if info.subresource("status") != nil {
            new["status"] = old["status"]
        }
        var metadata = new.objectMember("metadata")
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
            metadata[field] = oldMeta[field]
        }
        metadata["selfLink"] = nil
        if tracksGeneration(info) && subresource != "status" && new["spec"] != old["spec"] {
            let generation: Int64 = if case .int(let g)? = oldMeta["generation"] { g } else { 0 }
            metadata["generation"] = .int(generation + 1)
        }
        new["metadata"] = .object(metadata)
    }

    /// RFC 3339 in UTC with seconds, as Kubernetes writes metav1.Time.
    public static func timestamp(_ date: Date) -> String {
        Time(secondsSinceEpoch: Int64(date.timeIntervalSince1970.rounded(.down))).description
    }
}

extension JSONObject {
    /// The member as an object, or an empty object when absent or not an object.
    func objectMember(_ key: String) -> JSONObject {
        if case .object(let object)? = self[key] { return object }
        return JSONObject()
    }
}
