import APIMachinery

/// Roles, ClusterRoles and their bindings (rbac validation): rules need verbs and either
/// resources or non-resource URLs; bindings need a valid role reference and subjects.
enum RBACValidation {
    typealias Path = FieldError.Path

    static let groupName = "rbac.authorization.k8s.io"

    static func validateRules(_ rules: [RBACV1.PolicyRule], namespaced: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, rule) in rules.enumerated() {
            let path = Path("rules").index(index)
            if rule.verbs.isEmpty {
                errors.append(.required(path.child("verbs"), "verbs must contain at least one value"))
            }
            let urls = rule.nonResourceURLs ?? []
            if !urls.isEmpty {
                if namespaced {
                    errors.append(
                        .invalid(path.child("nonResourceURLs"), .stringSlice(urls), "namespaced rules cannot apply to non-resource URLs"))
                }
                if !(rule.apiGroups ?? []).isEmpty || !(rule.resources ?? []).isEmpty || !(rule.resourceNames ?? []).isEmpty {
                    errors.append(
                        .invalid(
                            path.child("nonResourceURLs"), .stringSlice(urls),
                            "rules cannot apply to both regular resources and non-resource URLs"))
                }
                continue
            }
            if (rule.apiGroups ?? []).isEmpty {
                errors.append(.required(path.child("apiGroups"), "resource rules must supply at least one api group"))
            }
            if (rule.resources ?? []).isEmpty {
                errors.append(.required(path.child("resources"), "resource rules must supply at least one resource"))
            }
        }
        return errors
    }

    static func validateClusterRole(_ role: RBACV1.ClusterRole) -> [FieldError] {
        var errors = validateRules(role.rules ?? [], namespaced: false)
        if let aggregation = role.aggregationRule {
            let selectorsPath: Path = "aggregationRule.clusterRoleSelectors"
            let selectors = aggregation.clusterRoleSelectors ?? []
            if selectors.isEmpty {
                errors.append(.required(selectorsPath, "at least one clusterRoleSelector required if aggregationRule is non-nil"))
            }
            for (index, selector) in selectors.enumerated() {
                errors += LabelSelectorValidation.validate(selector, path: selectorsPath.index(index))
                if LabelSelectorValidation.compile(selector) == nil {
                    errors.append(.invalid(selectorsPath.index(index), LabelSelectorValidation.goSyntax(selector), "invalid label selector."))
                }
            }
        }
        return errors
    }

    /// A RoleBinding (`namespaced`) may refer to a Role or ClusterRole; a ClusterRoleBinding only
    /// to a ClusterRole and its service-account subjects need a namespace.
    static func validateBinding(roleRef: RBACV1.RoleRef, subjects: [RBACV1.Subject], namespaced: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        let refPath: Path = "roleRef"
        if roleRef.apiGroup != groupName {
            errors.append(.notSupported(refPath.child("apiGroup"), .string(roleRef.apiGroup), [groupName]))
        }
        let kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"]
        if !kinds.contains(roleRef.kind) {
            errors.append(.notSupported(refPath.child("kind"), .string(roleRef.kind), kinds))
        }
        if roleRef.name.isEmpty {
            errors.append(.required(refPath.child("name")))
        } else {
            for message in ValidationFormats.pathSegmentName(roleRef.name, prefix: false) {
                errors.append(.invalid(refPath.child("name"), .string(roleRef.name), message))
            }
        }
        for (index, subject) in subjects.enumerated() {
            errors += validateSubject(subject, namespaced: namespaced, path: Path("subjects").index(index))
        }
        return errors
    }

    static func validateSubject(_ subject: RBACV1.Subject, namespaced: Bool, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        if subject.name.isEmpty { errors.append(.required(path.child("name"))) }
        let apiGroup = subject.apiGroup ?? ""
        switch subject.kind {
        case "ServiceAccount":
            if !subject.name.isEmpty {
                for message in ValidationFormats.dns1123Subdomain(subject.name) {
                    errors.append(.invalid(path.child("name"), .string(subject.name), message))
                }
            }
            if !apiGroup.isEmpty { errors.append(.notSupported(path.child("apiGroup"), .string(apiGroup), [""])) }
            if !namespaced && (subject.namespace ?? "").isEmpty { errors.append(.required(path.child("namespace"))) }
        case "User", "Group":
            if subject.name.isEmpty {
                errors.append(
                    .invalid(path.child("name"), .string(subject.name), "\(subject.kind == "User" ? "user" : "group") name cannot be empty"))
            }
            if apiGroup != groupName { errors.append(.notSupported(path.child("apiGroup"), .string(apiGroup), [groupName])) }
        default:
            errors.append(.notSupported(path.child("kind"), .string(subject.kind), ["ServiceAccount", "User", "Group"]))
        }
        return errors
    }

    static func validateRoleRefUpdate(new: RBACV1.RoleRef, old: RBACV1.RoleRef) -> [FieldError] {
        if new == old { return [] }
        let rendered = "rbac.RoleRef{APIGroup:\(FieldError.Value.goQuote(new.apiGroup)), Kind:\(FieldError.Value.goQuote(new.kind)), Name:\(FieldError.Value.goQuote(new.name))}"
        return [.invalid("roleRef", .raw(rendered), "cannot change roleRef")]
    }
}
