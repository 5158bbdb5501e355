import APIMachinery

/// HorizontalPodAutoscalers (autoscaling validation, 1.32). Both served versions reach here:
/// an `autoscaling/v1` object is first converted to the stored v2 form (`AutoscalerConversion`:
/// annotated metrics, then its CPU target as a `Resource` metric), so errors use the internal
/// paths, as upstream reports them.
///
/// Rules: `minReplicas` at least 1 (0 only when the stored object already has 0, as the
/// HPAScaleToZero gate is off), `maxReplicas` at least 1 and not below `minReplicas`, a
/// target reference with path-segment kind and name, metrics of a known type carrying exactly
/// their own source with the required names and targets, and scaling rules with bounded
/// windows, a known select policy and valid policies.
///
/// Defaulting fills a v2 `behavior` rule's missing `policies` first, so a rule that still has
/// none (absent or empty) is `Required`, as upstream reports it.
enum AutoscalingValidation {
    typealias Path = FieldError.Path

    static let metricSourceTypes = ["ContainerResource", "External", "Object", "Pods", "Resource"]
    static let selectPolicies = ["Disabled", "Max", "Min"]
    static let scalingPolicyTypes = ["Percent", "Pods"]
    static let maxPeriodSeconds: Int32 = 1800
    static let maxStabilizationWindowSeconds: Int32 = 3600

    /// Validates a spec; `old` is the stored spec on updates (it decides whether 0 replicas
    /// remain allowed).
    static func validate(
        _ spec: AutoscalingV2.HorizontalPodAutoscalerSpec, old: AutoscalingV2.HorizontalPodAutoscalerSpec?
    ) -> [FieldError] {
        let lowerBound: Int32 = old?.minReplicas == 0 ? 0 : 1
        let specPath: Path = "spec"
        var errors: [FieldError] = []
        if let minimum = spec.minReplicas, minimum < lowerBound {
            errors.append(.invalid(specPath.child("minReplicas"), .int(minimum), "must be greater than or equal to \(lowerBound)"))
        }
        if spec.maxReplicas < 1 {
            errors.append(.invalid(specPath.child("maxReplicas"), .int(spec.maxReplicas), "must be greater than 0"))
        }
        if let minimum = spec.minReplicas, spec.maxReplicas < minimum {
            errors.append(.invalid(specPath.child("maxReplicas"), .int(spec.maxReplicas), "must be greater than or equal to `minReplicas`"))
        }
        errors += crossVersionReference(spec.scaleTargetRef, path: specPath.child("scaleTargetRef"))
        errors += metrics(spec.metrics ?? [], minReplicas: spec.minReplicas, path: specPath.child("metrics"))
        if let behavior = spec.behavior {
            let behaviorPath = specPath.child("behavior")
            if let rules = behavior.scaleUp { errors += scalingRules(rules, path: behaviorPath.child("scaleUp")) }
            if let rules = behavior.scaleDown { errors += scalingRules(rules, path: behaviorPath.child("scaleDown")) }
        }
        return errors
    }

    static func crossVersionReference(_ reference: AutoscalingV2.CrossVersionObjectReference, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        for (field, value) in [("kind", reference.kind), ("name", reference.name)] {
            if value.isEmpty {
                errors.append(.required(path.child(field)))
            } else {
                errors += ValidationFormats.pathSegmentName(value, prefix: false).map {
                    FieldError.invalid(path.child(field), .string(value), $0)
                }
            }
        }
        return errors
    }

    // MARK: Metrics

    static func metrics(_ metrics: [AutoscalingV2.MetricSpec], minReplicas: Int32?, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, metric) in metrics.enumerated() {
            errors += self.metric(metric, path: path.index(index))
        }
        if minReplicas == 0 && !metrics.contains(where: { $0.type == "Object" || $0.type == "External" }) {
            errors.append(.forbidden(path, "must specify at least one Object or External metric to support scaling to zero replicas"))
        }
        return errors
    }

    static func metric(_ metric: AutoscalingV2.MetricSpec, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        if metric.type.isEmpty { errors.append(.required(path.child("type"), "must specify a metric source type")) }
        if !metricSourceTypes.contains(metric.type) {
            errors.append(.notSupported(path.child("type"), .string(metric.type), metricSourceTypes))
        }
        // The present sources in upstream's order; only the first one is validated.
        var present: [String] = []
        if let source = metric.object {
            present.append("object")
            if present.count == 1 { errors += objectSource(source, path: path.child("object")) }
        }
        if let source = metric.external {
            present.append("external")
            if present.count == 1 { errors += externalSource(source, path: path.child("external")) }
        }
        if let source = metric.pods {
            present.append("pods")
            if present.count == 1 { errors += podsSource(source, path: path.child("pods")) }
        }
        if let source = metric.resource {
            present.append("resource")
            if present.count == 1 { errors += resourceSource(source, path: path.child("resource")) }
        }
        if let source = metric.containerResource {
            present.append("containerResource")
            if present.count == 1 { errors += containerResourceSource(source, path: path.child("containerResource")) }
        }
        let expected: String?
        switch metric.type {
        case "Object": expected = "object"
        case "Pods": expected = "pods"
        case "Resource": expected = "resource"
        case "External": expected = "external"
        case "ContainerResource": expected = "containerResource"
        default: expected = nil
        }
        if let expected {
            if !present.contains(expected) {
                errors.append(.required(path.child(expected), "must populate information for the given metric source"))
            }
        } else {
            errors.append(.notSupported(path.child("type"), .string(metric.type), metricSourceTypes))
        }
        if present.count != 1 {
            for source in present where source != expected {
                errors.append(.forbidden(path.child(source), "must populate the given metric source only"))
            }
        }
        return errors
    }

    static func objectSource(_ source: AutoscalingV2.ObjectMetricSource, path: Path) -> [FieldError] {
        var errors = crossVersionReference(source.describedObject, path: path.child("describedObject"))
        errors += metricIdentifier(source.metric, path: path.child("metric"))
        errors += metricTarget(source.target, path: path.child("target"))
        if source.target.value == nil && source.target.averageValue == nil {
            errors.append(.required(path.child("target", "averageValue"), "must set either a target value or averageValue"))
        }
        return errors
    }

    static func externalSource(_ source: AutoscalingV2.ExternalMetricSource, path: Path) -> [FieldError] {
        var errors = metricIdentifier(source.metric, path: path.child("metric"))
        errors += metricTarget(source.target, path: path.child("target"))
        if source.target.value == nil && source.target.averageValue == nil {
            errors.append(
                .required(path.child("target", "averageValue"), "must set either a target value for metric or a per-pod target"))
        }
        if source.target.value != nil && source.target.averageValue != nil {
            errors.append(.forbidden(path.child("target", "value"), "may not set both a target value for metric and a per-pod target"))
        }
        return errors
    }

    static func podsSource(_ source: AutoscalingV2.PodsMetricSource, path: Path) -> [FieldError] {
        var errors = metricIdentifier(source.metric, path: path.child("metric"))
        errors += metricTarget(source.target, path: path.child("target"))
        if source.target.averageValue == nil {
            errors.append(.required(path.child("target", "averageValue"), "must specify a positive target averageValue"))
        }
        return errors
    }

    static func resourceSource(_ source: AutoscalingV2.ResourceMetricSource, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        if source.name.isEmpty { errors.append(.required(path.child("name"), "must specify a resource name")) }
        errors += metricTarget(source.target, path: path.child("target"))
        errors += utilizationOrValue(source.target, path: path.child("target"))
        return errors
    }

    static func containerResourceSource(_ source: AutoscalingV2.ContainerResourceMetricSource, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        if source.name.isEmpty {
            errors.append(.required(path.child("name"), "must specify a resource name"))
        } else {
            errors += ResourceValidation.containerResourceName(source.name, path: path.child("name"))
        }
        if source.container.isEmpty {
            errors.append(.required(path.child("container"), "must specify a container"))
        } else {
            errors += ValidationFormats.dns1123Label(source.container).map {
                FieldError.invalid(path.child("container"), .string(source.container), $0)
            }
        }
        errors += metricTarget(source.target, path: path.child("target"))
        errors += utilizationOrValue(source.target, path: path.child("target"))
        return errors
    }

    /// Resource targets: exactly one of an average utilization and an average value.
    private static func utilizationOrValue(_ target: AutoscalingV2.MetricTarget, path: Path) -> [FieldError] {
        if target.averageUtilization == nil && target.averageValue == nil {
            return [.required(path.child("averageUtilization"), "must set either a target raw value or a target utilization")]
        }
        if target.averageUtilization != nil && target.averageValue != nil {
            return [.forbidden(path.child("averageValue"), "may not set both a target raw value and a target utilization")]
        }
        return []
    }

    static func metricTarget(_ target: AutoscalingV2.MetricTarget, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        if target.type.isEmpty { errors.append(.required(path.child("type"), "must specify a metric target type")) }
        if !["Utilization", "Value", "AverageValue"].contains(target.type) {
            errors.append(.invalid(path.child("type"), .string(target.type), "must be either Utilization, Value, or AverageValue"))
        }
        if let value = target.value, value.sign != 1 {
            errors.append(.invalid(path.child("value"), .raw(value.description), "must be positive"))
        }
        if let value = target.averageValue, value.sign != 1 {
            errors.append(.invalid(path.child("averageValue"), .raw(value.description), "must be positive"))
        }
        if let utilization = target.averageUtilization, utilization < 1 {
            errors.append(.invalid(path.child("averageUtilization"), .int(utilization), "must be greater than 0"))
        }
        return errors
    }

    static func metricIdentifier(_ identifier: AutoscalingV2.MetricIdentifier, path: Path) -> [FieldError] {
        if identifier.name.isEmpty { return [.required(path.child("name"), "must specify a metric name")] }
        return ValidationFormats.pathSegmentName(identifier.name, prefix: false).map {
            FieldError.invalid(path.child("name"), .string(identifier.name), $0)
        }
    }

    // MARK: Behavior

    static func scalingRules(_ rules: AutoscalingV2.HPAScalingRules, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let windowPath = path.child("stabilizationWindowSeconds")
        if let window = rules.stabilizationWindowSeconds {
            if window < 0 { errors.append(.invalid(windowPath, .int(window), "must be greater than or equal to zero")) }
            if window > maxStabilizationWindowSeconds {
                errors.append(.invalid(windowPath, .int(window), "must be less than or equal to \(maxStabilizationWindowSeconds)"))
            }
        }
        if let policy = rules.selectPolicy, !selectPolicies.contains(policy) {
            errors.append(.notSupported(path.child("selectPolicy"), .string(policy), selectPolicies))
        }
        let policiesPath = path.child("policies")
        if (rules.policies ?? []).isEmpty {
            errors.append(.required(policiesPath, "must specify at least one Policy"))
        }
        for (index, policy) in (rules.policies ?? []).enumerated() {
            let policyPath = policiesPath.index(index)
            if !scalingPolicyTypes.contains(policy.type) {
                errors.append(.notSupported(policyPath.child("type"), .string(policy.type), scalingPolicyTypes))
            }
            if policy.value <= 0 {
                errors.append(.invalid(policyPath.child("value"), .int(policy.value), "must be greater than zero"))
            }
            if policy.periodSeconds <= 0 {
                errors.append(.invalid(policyPath.child("periodSeconds"), .int(policy.periodSeconds), "must be greater than zero"))
            }
            if policy.periodSeconds > maxPeriodSeconds {
                errors.append(
                    .invalid(
                        policyPath.child("periodSeconds"), .int(policy.periodSeconds),
                        "must be less than or equal to \(maxPeriodSeconds)"))
            }
        }
        return errors
    }
}
