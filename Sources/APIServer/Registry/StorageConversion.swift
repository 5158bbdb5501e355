import APIMachinery

/// Between the version a resource is served at and its storage version (`ResourceInfo.storageVersion`),
/// for the resources where the two differ or where storage keeps a different shape:
/// events.k8s.io/v1 Events are stored as core/v1 Events (`EventConversion`), and
/// HorizontalPodAutoscalers of both versions as autoscaling/v2 (`AutoscalerConversion`).
/// Every other resource is stored as served and passes through untouched.
enum StorageConversion {
    /// True when objects of `info` are converted on their way to and from storage.
    static func converts(_ info: ResourceInfo) -> Bool {
        isEvent(info) || isAutoscaler(info)
    }

    /// The stored form of an object given in `info`'s served version, and its kind.
    static func toStorage(_ object: JSONObject, served info: ResourceInfo) -> (JSONObject, GroupVersionKind) {
        if isEvent(info) {
            return (EventConversion.toCore(object), GroupVersionKind(group: "", version: "v1", kind: "Event"))
        }
        if isAutoscaler(info) {
            var stored: JSONObject
            if info.gvk.version == "v1" {
                // As upstream decodes the stored v2 bytes: with v2's defaults.
                var tree = JSONValue.object(AutoscalerConversion.toV2(object))
                AutoscalingDefaults.horizontalPodAutoscalerV2(&tree)
                stored = tree.objectValue ?? JSONObject()
            } else {
                stored = object
                stored["metadata"] = .object(AutoscalerConversion.removingAnnotations(object.objectMember("metadata")))
            }
            return (stored, autoscalerV2)
        }
        return (object, info.gvk)
    }

    /// The object stored as `stored` in `info`'s served version.
    static func toServed(_ stored: JSONObject, served info: ResourceInfo) -> JSONObject {
        if isEvent(info) { return EventConversion.toEventsV1(stored) }
        if isAutoscaler(info) {
            if info.gvk.version == "v1" { return AutoscalerConversion.toV1(stored) }
            var served = stored
            served["metadata"] = .object(AutoscalerConversion.removingAnnotations(stored.objectMember("metadata")))
            return served
        }
        return stored
    }

    private static let autoscalerV2 = GroupVersionKind(group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler")

    private static func isEvent(_ info: ResourceInfo) -> Bool {
        info.gvk.group == "events.k8s.io" && info.gvk.kind == "Event"
    }

    private static func isAutoscaler(_ info: ResourceInfo) -> Bool {
        info.gvk.group == "autoscaling" && info.gvk.kind == "HorizontalPodAutoscaler"
    }
}
