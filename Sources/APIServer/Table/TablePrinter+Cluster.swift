import APIMachinery

// Cells for RBAC bindings, storage, admission, scheduling, coordination, node and
// certificates kinds.

extension TablePrinter {
    // MARK: rbac.authorization.k8s.io

    /// NAME, ROLE (`Kind/name`), AGE, USERS, GROUPS, SERVICEACCOUNTS (`namespace/name`), the
    /// subject lists joined with ", ". Shared by RoleBinding and ClusterRoleBinding.
    static func roleBindingCells(_ binding: TableField, now: Time) -> [JSONValue] {
        var users: [String] = []
        var groups: [String] = []
        var serviceAccounts: [String] = []
        for subject in binding["subjects"].array {
            switch subject["kind"].text {
            case "ServiceAccount": serviceAccounts.append(subject["namespace"].text + "/" + subject["name"].text)
            case "User": users.append(subject["name"].text)
            case "Group": groups.append(subject["name"].text)
            default: break
            }
        }
        let roleRef = binding["roleRef"]
        return [
            .string(TableFormat.name(binding)),
            .string(roleRef["kind"].text + "/" + roleRef["name"].text),
            .string(TableFormat.age(binding, now: now)),
            .string(users.joined(separator: ", ")),
            .string(groups.joined(separator: ", ")),
            .string(serviceAccounts.joined(separator: ", ")),
        ]
    }

    // MARK: storage.k8s.io

    /// NAME (with ` (default)` for the default class), PROVISIONER, RECLAIMPOLICY (default
    /// `Delete`), VOLUMEBINDINGMODE (default `Immediate`), ALLOWVOLUMEEXPANSION (a boolean
    /// cell), AGE.
    static func storageClassCells(_ storageClass: TableField, now: Time) -> [JSONValue] {
        let annotations = storageClass["metadata"]["annotations"]
        var name = TableFormat.name(storageClass)
        if annotations["storageclass.kubernetes.io/is-default-class"].string == "true"
            || annotations["storageclass.beta.kubernetes.io/is-default-class"].string == "true"
        {
            name += " (default)"
        }
        return [
            .string(name),
            .string(storageClass["provisioner"].text),
            .string(storageClass["reclaimPolicy"].string ?? "Delete"),
            .string(storageClass["volumeBindingMode"].string ?? "Immediate"),
            .bool(storageClass["allowVolumeExpansion"].bool ?? false),
            .string(TableFormat.age(storageClass, now: now)),
        ]
    }

    /// NAME, ATTACHREQUIRED (default true), PODINFOONMOUNT, STORAGECAPACITY, TOKENREQUESTS
    /// (audiences, `<unset>` when absent), REQUIRESREPUBLISH, MODES (`<none>` when empty), AGE.
    static func csiDriverCells(_ driver: TableField, now: Time) -> [JSONValue] {
        let spec = driver["spec"]
        var tokenRequests = "<unset>"
        if spec["tokenRequests"].isPresent {
            tokenRequests = spec["tokenRequests"].array.map { $0["audience"].text }.joined(separator: ",")
        }
        let modes = spec["volumeLifecycleModes"].array.map(\.text).joined(separator: ",")
        return [
            .string(TableFormat.name(driver)),
            .bool(spec["attachRequired"].bool ?? true),
            .bool(spec["podInfoOnMount"].bool ?? false),
            .bool(spec["storageCapacity"].bool ?? false),
            .string(tokenRequests),
            .bool(spec["requiresRepublish"].bool ?? false),
            .string(modes.isEmpty ? "<none>" : modes),
            .string(TableFormat.age(driver, now: now)),
        ]
    }

    /// NAME, DRIVERS (count), AGE.
    static func csiNodeCells(_ node: TableField, now: Time) -> [JSONValue] {
        [
            .string(TableFormat.name(node)), .int(Int64(node["spec"]["drivers"].count)),
            .string(TableFormat.age(node, now: now)),
        ]
    }

    /// NAME, STORAGECLASSNAME, CAPACITY (`<unset>` when absent).
    static func csiStorageCapacityCells(_ capacity: TableField) -> [JSONValue] {
        let amount = capacity["capacity"].isPresent ? TableFormat.quantity(capacity["capacity"]) : "<unset>"
        return [.string(TableFormat.name(capacity)), .string(capacity["storageClassName"].text), .string(amount)]
    }

    /// NAME, ATTACHER, PV, NODE, ATTACHED (a boolean cell), AGE.
    static func volumeAttachmentCells(_ attachment: TableField, now: Time) -> [JSONValue] {
        let spec = attachment["spec"]
        return [
            .string(TableFormat.name(attachment)),
            .string(spec["attacher"].text),
            .string(spec["source"]["persistentVolumeName"].text),
            .string(spec["nodeName"].text),
            .bool(attachment["status"]["attached"].bool ?? false),
            .string(TableFormat.age(attachment, now: now)),
        ]
    }

    // MARK: admissionregistration.k8s.io

    /// NAME, WEBHOOKS (count), AGE. Shared by mutating and validating configurations.
    static func webhookConfigurationCells(_ configuration: TableField, now: Time) -> [JSONValue] {
        [
            .string(TableFormat.name(configuration)), .int(Int64(configuration["webhooks"].count)),
            .string(TableFormat.age(configuration, now: now)),
        ]
    }

    /// NAME, VALIDATIONS (count), PARAMKIND (`apiVersion/kind`, `<unset>` when absent), AGE.
    static func validatingAdmissionPolicyCells(_ policy: TableField, now: Time) -> [JSONValue] {
        let spec = policy["spec"]
        var paramKind = "<unset>"
        if spec["paramKind"].isPresent {
            paramKind = spec["paramKind"]["apiVersion"].text + "/" + spec["paramKind"]["kind"].text
        }
        return [
            .string(TableFormat.name(policy)), .int(Int64(spec["validations"].count)), .string(paramKind),
            .string(TableFormat.age(policy, now: now)),
        ]
    }

    /// NAME, POLICYNAME, PARAMREF, AGE. PARAMREF is `namespace/name`, `*/name` without a
    /// namespace, the selector (in Go's struct notation) without a name, `<unset>` when absent.
    static func validatingAdmissionPolicyBindingCells(_ binding: TableField, now: Time) -> [JSONValue] {
        let spec = binding["spec"]
        let reference = spec["paramRef"]
        var paramRef = "<unset>"
        if reference.isPresent {
            let name = reference["name"].text
            let namespace = reference["namespace"].text
            if !name.isEmpty {
                paramRef = (namespace.isEmpty ? "*" : namespace) + "/" + name
            } else if reference["selector"].isPresent {
                paramRef = goLabelSelectorNotation(reference["selector"])
            }
        }
        return [
            .string(TableFormat.name(binding)), .string(spec["policyName"].text), .string(paramRef),
            .string(TableFormat.age(binding, now: now)),
        ]
    }

    /// A label selector as Go's generated `String()` writes the struct:
    /// `&LabelSelector{MatchLabels:map[string]string{k: v,},MatchExpressions:[]LabelSelectorRequirement{…},}`.
    private static func goLabelSelectorNotation(_ selector: TableField) -> String {
        let labels = selector["matchLabels"].members.compactMap { member -> (String, String)? in
            guard let value = member.value.string else { return nil }
            return (member.key, value)
        }.sorted { TableFormat.bytewise($0.0, $1.0) }
        let labelText = labels.map { "\($0.0): \($0.1)," }.joined()
        let expressions = selector["matchExpressions"].array.map { expression -> String in
            let values = expression["values"].array.map(\.text).joined(separator: " ")
            return "LabelSelectorRequirement{Key:\(expression["key"].text),Operator:\(expression["operator"].text),"
                + "Values:[\(values)],},"
        }.joined()
        return "&LabelSelector{MatchLabels:map[string]string{\(labelText)},"
            + "MatchExpressions:[]LabelSelectorRequirement{\(expressions)},}"
    }

    // MARK: scheduling, coordination, node, certificates

    /// NAME, VALUE, GLOBAL-DEFAULT (a boolean cell), AGE, PREEMPTIONPOLICY.
    static func priorityClassCells(_ priorityClass: TableField, now: Time) -> [JSONValue] {
        [
            .string(TableFormat.name(priorityClass)),
            .int(priorityClass["value"].number),
            .bool(priorityClass["globalDefault"].bool ?? false),
            .string(TableFormat.age(priorityClass, now: now)),
            .string(priorityClass["preemptionPolicy"].text),
        ]
    }

    /// NAME, HOLDER, AGE.
    static func leaseCells(_ lease: TableField, now: Time) -> [JSONValue] {
        [
            .string(TableFormat.name(lease)), .string(lease["spec"]["holderIdentity"].text),
            .string(TableFormat.age(lease, now: now)),
        ]
    }

    /// NAME, HANDLER, AGE.
    static func runtimeClassCells(_ runtimeClass: TableField, now: Time) -> [JSONValue] {
        [
            .string(TableFormat.name(runtimeClass)), .string(runtimeClass["handler"].text),
            .string(TableFormat.age(runtimeClass, now: now)),
        ]
    }

    /// NAME, AGE, SIGNERNAME, REQUESTOR, REQUESTEDDURATION, CONDITION. CONDITION is `Denied`,
    /// else `Approved`, else `Pending`, then `,Failed` and `,Issued` when they apply.
    static func certificateSigningRequestCells(_ request: TableField, now: Time) -> [JSONValue] {
        let spec = request["spec"]
        let types = Set(request["status"]["conditions"].array.map { $0["type"].text })
        var condition = types.contains("Denied") ? "Denied" : types.contains("Approved") ? "Approved" : "Pending"
        if types.contains("Failed") { condition += ",Failed" }
        if !request["status"]["certificate"].text.isEmpty { condition += ",Issued" }
        let signer = spec["signerName"].text
        let duration = spec["expirationSeconds"].int.map { HumanDuration.format(seconds: $0) } ?? "<none>"
        return [
            .string(TableFormat.name(request)),
            .string(TableFormat.age(request, now: now)),
            .string(signer.isEmpty ? "<none>" : signer),
            .string(spec["username"].text),
            .string(duration),
            .string(condition),
        ]
    }
}
