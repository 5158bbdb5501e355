import APIMachinery

/// networking.k8s.io/v1 defaults (1.32): NetworkPolicy port protocols and policy types, and
/// the scope of an IngressClass parameters reference.
enum NetworkingDefaults {
    /// Every ingress and egress port without a protocol gets `TCP` (an explicit `""` is kept
    /// for validation to reject). When `policyTypes` is absent or empty it becomes `["Ingress"]`,
    /// plus `"Egress"` when the policy has at least one egress rule; a non-empty list is kept.
    static func networkPolicy(_ object: inout JSONValue) {
        object.editObjectMember("spec") { spec in
            for direction in ["ingress", "egress"] {
                spec.editEachElement(direction) { rule in
                    rule.editEachElement("ports") { $0.defaultMember("protocol", "TCP") }
                }
            }
            guard spec.memberIsUnsetOrEmptyList("policyTypes") else { return }
            var types: [JSONValue] = ["Ingress"]
            if !(spec.arrayMember("egress") ?? []).isEmpty { types.append("Egress") }
            spec.setMember("policyTypes", .array(types))
        }
    }

    /// A parameters reference without a scope refers to a cluster-scoped resource.
    static func ingressClass(_ object: inout JSONValue) {
        object.editMember("spec") { spec in
            spec.editMember("parameters") { $0.defaultMember("scope", "Cluster") }
        }
    }
}
