import APIMachinery

/// Defaults of kinds outside core and the workload groups: RBAC role references and
/// subjects, PriorityClass preemption, EndpointSlice ports, StorageClass policies.
enum APIGroupDefaults {
    static let rbacGroup = "rbac.authorization.k8s.io"

    /// RoleBindings and ClusterRoleBindings: the role reference and User/Group subjects
    /// default to the RBAC group; ServiceAccount subjects to the core group.
    static func binding(_ object: inout JSONValue) {
        object.editObjectMember("roleRef") { $0.defaultZeroMember("apiGroup", .string(rbacGroup)) }
        object.editEachElement("subjects") { subject in
            switch subject["kind"]?.stringValue {
            case "User", "Group": subject.defaultZeroMember("apiGroup", .string(rbacGroup))
            case "ServiceAccount": subject.defaultZeroMember("apiGroup", "")
            default: break
            }
        }
    }

    static func priorityClass(_ object: inout JSONValue) {
        object.defaultMember("preemptionPolicy", "PreemptLowerPriority")
    }

    static func endpointSlice(_ object: inout JSONValue) {
        object.editEachElement("ports") { port in
            port.defaultMember("name", "")
            port.defaultMember("protocol", "TCP")
        }
    }

    static func storageClass(_ object: inout JSONValue) {
        object.defaultMember("reclaimPolicy", "Delete")
        object.defaultMember("volumeBindingMode", "Immediate")
    }
}
