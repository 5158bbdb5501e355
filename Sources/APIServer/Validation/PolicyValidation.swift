import APIMachinery

/// PodDisruptionBudgets (`ValidatePodDisruptionBudgetSpec`): at most one of `minAvailable` and
/// `maxUnavailable`, each a non-negative integer or a percentage of at most 100%; a valid
/// selector; `IfHealthyBudget` or `AlwaysAllow` as the unhealthy pod eviction policy. The
/// spec may change freely after creation, so updates are checked like creates.
///
/// Not covered: upstream's leniency on updates for selector label values that were already
/// invalid. The both-set error prints the spec's pointers as `(…)` where Go prints addresses.
enum PolicyValidation {
    typealias Path = FieldError.Path

    static let unhealthyPodEvictionPolicies = ["AlwaysAllow", "IfHealthyBudget"]

    static func validatePodDisruptionBudget(_ budget: PolicyV1.PodDisruptionBudget) -> [FieldError] {
        let spec = budget.spec ?? PolicyV1.PodDisruptionBudgetSpec()
        let specPath: Path = "spec"
        var errors: [FieldError] = []
        if spec.minAvailable != nil && spec.maxUnavailable != nil {
            errors.append(.invalid(specPath, goSpec(spec), "minAvailable and maxUnavailable cannot be both set"))
        }
        if let minAvailable = spec.minAvailable {
            errors += AppsValidation.positiveIntOrPercent(minAvailable, path: specPath.child("minAvailable"))
            errors += AppsValidation.notMoreThan100Percent(minAvailable, path: specPath.child("minAvailable"))
        }
        if let maxUnavailable = spec.maxUnavailable {
            errors += AppsValidation.positiveIntOrPercent(maxUnavailable, path: specPath.child("maxUnavailable"))
            errors += AppsValidation.notMoreThan100Percent(maxUnavailable, path: specPath.child("maxUnavailable"))
        }
        errors += LabelSelectorValidation.validate(spec.selector, path: specPath.child("selector"))
        if let policy = spec.unhealthyPodEvictionPolicy, !unhealthyPodEvictionPolicies.contains(policy) {
            errors.append(.notSupported(specPath.child("unhealthyPodEvictionPolicy"), .string(policy), unhealthyPodEvictionPolicies))
        }
        return errors
    }

    /// `policy.PodDisruptionBudgetSpec{…}` as Go's `%#v` prints it, pointers elided.
    static func goSpec(_ spec: PolicyV1.PodDisruptionBudgetSpec) -> FieldError.Value {
        func pointer(_ type: String, _ isSet: Bool) -> String { "(*\(type))(\(isSet ? "…" : "nil"))" }
        return .raw(
            "policy.PodDisruptionBudgetSpec{MinAvailable:\(pointer("intstr.IntOrString", spec.minAvailable != nil)), "
                + "Selector:\(pointer("v1.LabelSelector", spec.selector != nil)), "
                + "MaxUnavailable:\(pointer("intstr.IntOrString", spec.maxUnavailable != nil)), "
                + "UnhealthyPodEvictionPolicy:\(pointer("policy.UnhealthyPodEvictionPolicyType", spec.unhealthyPodEvictionPolicy != nil))}")
    }
}
