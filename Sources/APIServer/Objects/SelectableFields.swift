import APIMachinery

/// The fields a resource can be filtered on with `fieldSelector`, as kube-apiserver allows them.
public enum SelectableFields {
    /// The selectable field names of `resource` (always `metadata.name`, plus `metadata.namespace`
    /// for namespaced resources).
    public static func names(for resource: ResourceInfo) -> [String] {
        var names = ["metadata.name"]
        if resource.namespaced { names.append("metadata.namespace") }
        return names + extra(resource).map(\.0)
    }

    /// The values of the selectable fields of `object` (missing fields are "").
    public static func values(of object: JSONValue, resource: ResourceInfo) -> [String: String] {
        var values = ["metadata.name": object["metadata"]?["name"]?.stringValue ?? ""]
        if resource.namespaced { values["metadata.namespace"] = object["metadata"]?["namespace"]?.stringValue ?? "" }
        for (name, path) in extra(resource) {
            values[name] = render(lookup(object, path))
        }
        return values
    }

    private static func lookup(_ object: JSONValue, _ path: [String]) -> JSONValue? {
        var current: JSONValue? = object
        for part in path { current = current?[part] }
        return current
    }

    private static func render(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: s
        case .bool(let b)?: b ? "true" : "false"
        case .int(let i)?: String(i)
        case .double(let d)?: String(d)
        default: ""
        }
    }

    /// Resource-specific selectable fields: name → path in the object.
    private static func extra(_ resource: ResourceInfo) -> [(String, [String])] {
        switch (resource.gvk.group, resource.plural) {
        case ("", "pods"):
            return [
                ("spec.nodeName", ["spec", "nodeName"]), ("spec.restartPolicy", ["spec", "restartPolicy"]),
                ("spec.schedulerName", ["spec", "schedulerName"]),
                ("spec.serviceAccountName", ["spec", "serviceAccountName"]),
                ("spec.hostNetwork", ["spec", "hostNetwork"]), ("status.phase", ["status", "phase"]),
                ("status.podIP", ["status", "podIP"]), ("status.nominatedNodeName", ["status", "nominatedNodeName"]),
            ]
        case ("", "events"):
            let involved = ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"]
            return involved.map { ("involvedObject.\($0)", ["involvedObject", $0]) } + [
                ("reason", ["reason"]), ("reportingComponent", ["reportingComponent"]),
                ("source", ["source", "component"]), ("type", ["type"]),
            ]
        case ("events.k8s.io", "events"):
            return [
                ("regarding.kind", ["regarding", "kind"]), ("regarding.name", ["regarding", "name"]),
                ("regarding.namespace", ["regarding", "namespace"]), ("reason", ["reason"]), ("type", ["type"]),
            ]
        case ("", "secrets"): return [("type", ["type"])]
        case ("", "nodes"): return [("spec.unschedulable", ["spec", "unschedulable"])]
        case ("", "namespaces"): return [("status.phase", ["status", "phase"])]
        case ("", "replicationcontrollers"), ("apps", "replicasets"): return [("status.replicas", ["status", "replicas"])]
        case ("batch", "jobs"): return [("status.successful", ["status", "succeeded"])]
        case ("certificates.k8s.io", "certificatesigningrequests"): return [("spec.signerName", ["spec", "signerName"])]
        default: return []
        }
    }
}
