import Component
import Foundation
import APIMachinery

/// Namespaces: created `Active` with their `kubernetes.io/metadata.name` label and the
/// `kubernetes` finalizer (the namespace controller's); a delete turns them `Terminating` and
/// keeps them until that controller has emptied them and cleared `spec.finalizers`.
struct NamespaceStrategy: ResourceStrategy {
    /// Stamps the deletion.
    let clock: any ComponentClock

    func prepareForCreate(_ object: inout JSONObject) {
        var metadata = object.objectMember("metadata")
        var labels = metadata.objectMember("labels")
        labels["kubernetes.io/metadata.name"] = metadata["name"] ?? ""
        metadata["labels"] = .object(labels)
        object["metadata"] = .object(metadata)
        var spec = object.objectMember("spec")
        var finalizers: [JSONValue] = if case .array(let list)? = spec["finalizers"] { list } else { [] }
        if !finalizers.contains("kubernetes") { finalizers.append("kubernetes") }
        spec["finalizers"] = .array(finalizers)
        object["spec"] = .object(spec)
        object["status"] = ["phase": "Active"]
    }

    func deletionPending(_ object: JSONObject) -> Bool {
        if case .array(let finalizers)? = object["spec"]?["finalizers"] { return !finalizers.isEmpty }
        return false
    }

    func prepareForPendingDeletion(_ object: inout JSONObject) {
        var status = object.objectMember("status")
        status["phase"] = "Terminating"
        object["status"] = .object(status)
        var metadata = object.objectMember("metadata")
        if metadata["deletionTimestamp"] == nil {
            metadata["deletionTimestamp"] = .string(ObjectRules.timestamp(Date(timeIntervalSince1970: clock.wallNow.secondsSinceEpoch)))
        }
        metadata["deletionGracePeriodSeconds"] = 0
        object["metadata"] = .object(metadata)
    }
}
