import APIMachinery

/// Cluster-scoped infrastructure kinds: Namespaces (finalizer names) and Nodes (taints,
/// pod CIDRs, and the fields a node update may not change).
enum ClusterValidation {
    typealias Path = FieldError.Path

    // MARK: Namespace

    static func validateNamespace(_ namespace: CoreV1.Namespace) -> [FieldError] {
        var errors: [FieldError] = []
        let path: Path = "spec.finalizers"
        for finalizer in namespace.spec?.finalizers ?? [] {
            for message in ValidationFormats.qualifiedName(finalizer) {
                errors.append(.invalid(path, .string(finalizer), message))
            }
            if !finalizer.contains("/") && !ObjectMetaValidation.standardFinalizers.contains(finalizer) {
                errors.append(
                    .invalid(path, .string(finalizer), "name is neither a standard finalizer name nor is it fully qualified"))
            }
        }
        return errors
    }

    // MARK: Node

    static func validateNode(_ node: CoreV1.Node) -> [FieldError] {
        let spec = node.spec ?? CoreV1.NodeSpec()
        // Upstream reports taint problems under `metadata.taints`.
        var errors = taints(spec.taints ?? [], path: "metadata.taints")
        let cidrs = spec.podCIDRs ?? []
        let cidrPath: Path = "spec.podCIDRs"
        for (index, cidr) in cidrs.enumerated() where !ValidationFormats.isCIDR(cidr) {
            errors.append(.invalid(cidrPath.index(index), .string(cidr), ValidationFormats.cidrMessage))
        }
        if cidrs.count > 1 {
            let v6 = cidrs.filter { $0.contains(":") }.count
            if cidrs.count > 2 || v6 != 1 {
                errors.append(.invalid(cidrPath, .stringSlice(cidrs), "may specify no more than one CIDR for each IP family"))
            }
            var seen: Set<String> = []
            for (index, cidr) in cidrs.enumerated() {
                if seen.contains(cidr) { errors.append(.duplicate(cidrPath.index(index), .string(cidr))) }
                seen.insert(cidr)
            }
        }
        return errors
    }

    static func taints(_ taints: [CoreV1.Taint], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        var seen: Set<String> = []
        for (index, taint) in taints.enumerated() {
            let itemPath = path.index(index)
            for message in ValidationFormats.qualifiedName(taint.key) {
                errors.append(.invalid(itemPath.child("key"), .string(taint.key), message))
            }
            let value = taint.value ?? ""
            let valueMessages = ValidationFormats.labelValue(value)
            if !valueMessages.isEmpty {
                errors.append(.invalid(itemPath.child("value"), .string(value), valueMessages.joined(separator: ";")))
            }
            errors += PodValidation.taintEffect(taint.effect, path: itemPath.child("effect"))
            let key = taint.effect + "\u{0}" + taint.key
            if seen.contains(key) {
                var error = FieldError.duplicate(
                    itemPath,
                    .raw(
                        "core.Taint{Key:\(FieldError.Value.goQuote(taint.key)), Value:\(FieldError.Value.goQuote(value)), Effect:\(FieldError.Value.goQuote(taint.effect)), TimeAdded:(*v1.Time)(nil)}"
                    ))
                error.detail = "taints must be unique by key and effect pair"
                errors.append(error)
                continue
            }
            seen.insert(key)
        }
        return errors
    }

    /// Pod CIDRs and the provider ID may only be set once; the external ID never changes.
    static func validateNodeUpdate(_ new: CoreV1.Node, old: CoreV1.Node) -> [FieldError] {
        let spec = new.spec ?? CoreV1.NodeSpec()
        let oldSpec = old.spec ?? CoreV1.NodeSpec()
        var errors: [FieldError] = []
        let oldCIDRs = oldSpec.podCIDRs ?? []
        let newCIDRs = spec.podCIDRs ?? []
        let cidrMessage = "node updates may not change podCIDR except from \"\" to valid"
        if !oldCIDRs.isEmpty {
            if oldCIDRs.count != newCIDRs.count {
                errors.append(.forbidden("spec.podCIDRs", cidrMessage))
            } else {
                for (index, cidr) in oldCIDRs.enumerated() where cidr != newCIDRs[index] {
                    errors.append(.forbidden("spec.podCIDRs", cidrMessage))
                }
            }
        }
        if let providerID = oldSpec.providerID, !providerID.isEmpty, providerID != spec.providerID {
            errors.append(.forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"))
        }
        if (spec.externalID ?? "") != (oldSpec.externalID ?? "") {
            errors.append(.forbidden("spec.externalID", "may not be updated"))
        }
        return errors
    }
}
