import APIMachinery

/// HorizontalPodAutoscaler defaults (autoscaling/v1 and autoscaling/v2, Kubernetes 1.32).
///
/// Both versions get `minReplicas: 1`. A v2 autoscaler without metrics targets 80% average
/// CPU utilization; a v1 autoscaler without `targetCPUUtilizationPercentage` (and without
/// metrics carried in the `autoscaling.alpha.kubernetes.io/metrics` annotation) shows the same
/// target as 80, which upstream supplies while converting v1 to the internal version.
///
/// A v2 `behavior` that is present has both rules filled: each rule keeps the fields it sets
/// (a `policies` list, even an empty one, is kept whole) and takes the rest from the
/// defaults: scale-up waits 0 s and allows the larger of 4 pods or 100% per 15 s, scale-down
/// allows 100% per 15 s and leaves its stabilization window unset (the controller's
/// `--horizontal-pod-autoscaler-downscale-stabilization` applies), both selecting `Max`.
/// Without `behavior` nothing is added.
enum AutoscalingDefaults {
    static let defaultCPUUtilization: Int64 = 80
    static let metricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics"

    static func horizontalPodAutoscalerV1(_ object: inout JSONValue) {
        let hasAnnotatedMetrics = object["metadata"]?["annotations"]?[metricsAnnotation] != nil
        object.editObjectMember("spec") { spec in
            spec.defaultMember("minReplicas", 1)
            if !hasAnnotatedMetrics {
                spec.defaultMember("targetCPUUtilizationPercentage", .int(defaultCPUUtilization))
            }
        }
    }

    static func horizontalPodAutoscalerV2(_ object: inout JSONValue) {
        object.editObjectMember("spec") { spec in
            spec.defaultMember("minReplicas", 1)
            if spec.memberIsUnsetOrEmptyList("metrics") { spec.setMember("metrics", [cpuUtilizationMetric]) }
            spec.editMember("behavior") { behavior in
                behavior.editObjectMember("scaleUp") { fill(&$0, from: scaleUpRules) }
                behavior.editObjectMember("scaleDown") { fill(&$0, from: scaleDownRules) }
            }
        }
    }

    /// `{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}}`
    static let cpuUtilizationMetric: JSONValue = [
        "type": "Resource",
        "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": .int(defaultCPUUtilization)]],
    ]

    static let scaleUpRules: JSONValue = [
        "stabilizationWindowSeconds": 0,
        "selectPolicy": "Max",
        "policies": [
            ["type": "Pods", "value": 4, "periodSeconds": 15],
            ["type": "Percent", "value": 100, "periodSeconds": 15],
        ],
    ]

    static let scaleDownRules: JSONValue = [
        "selectPolicy": "Max",
        "policies": [["type": "Percent", "value": 100, "periodSeconds": 15]],
    ]

    /// Sets each member of `defaults` that `rules` leaves absent or `null`.
    static func fill(_ rules: inout JSONValue, from defaults: JSONValue) {
        guard case .object(let members) = defaults else { return }
        for member in members.members { rules.defaultMember(member.key, member.value) }
    }
}
