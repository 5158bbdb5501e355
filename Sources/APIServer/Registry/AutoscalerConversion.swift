import APIMachinery

/// HorizontalPodAutoscalers are stored as autoscaling/v2 and served at v1 and v2, converted
/// as kube-apiserver 1.32 converts them.
///
/// v1 has one CPU utilization target; everything else v2 can say travels in four
/// annotations, so a v1 client that reads, edits and writes back an autoscaler loses nothing:
/// - `…/metrics`: the spec metrics other than CPU utilization, as v1 `MetricSpec`s;
/// - `…/current-metrics`: every `status.currentMetrics` entry, as v1 `MetricStatus`es;
/// - `…/conditions`: `status.conditions`, as v1 conditions;
/// - `…/behavior`: `spec.behavior` in Go's untagged form (`{"ScaleUp":{"StabilizationWindowSeconds":…}}`).
/// Writing v1 turns them back into fields (annotated metrics first, then the CPU target) and
/// removes them; v2 neither shows nor stores them. Unparseable annotation values are ignored,
/// as upstream ignores them.
enum AutoscalerConversion {
    static let metricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics"
    static let currentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics"
    static let conditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions"
    static let behaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior"
    static let annotations = [metricsAnnotation, currentMetricsAnnotation, conditionsAnnotation, behaviorAnnotation]

    // MARK: - v2 → v1

    /// The autoscaling/v1 form of a stored (v2) autoscaler.
    static func toV1(_ v2: JSONObject) -> JSONObject {
        let spec = v2.objectMember("spec")
        let status = v2["status"]?.objectValue ?? JSONObject()
        var added: [(String, String)] = []

        var v1Spec = JSONObject()
        copy(["scaleTargetRef", "minReplicas", "maxReplicas"], from: spec, to: &v1Spec)
        var otherMetrics: [JSONValue] = []
        for metric in spec["metrics"]?.arrayValue ?? [] {
            if let utilization = cpuUtilization(metric, field: "target") {
                if v1Spec["targetCPUUtilizationPercentage"] == nil { v1Spec["targetCPUUtilizationPercentage"] = utilization }
            } else {
                otherMetrics.append(metricSpecV1(metric))
            }
        }
        if !otherMetrics.isEmpty { added.append((metricsAnnotation, encode(.array(otherMetrics)))) }
        if let behavior = spec["behavior"], behavior != .null {
            added.append((behaviorAnnotation, encode(behaviorGoForm(behavior))))
        }

        // v1's status is always written, its replica counts being plain (non-pointer) ints.
        var v1Status = JSONObject()
        copy(["observedGeneration", "lastScaleTime"], from: status, to: &v1Status)
        v1Status["currentReplicas"] = status["currentReplicas"] ?? 0
        v1Status["desiredReplicas"] = status["desiredReplicas"] ?? 0
        let current = status["currentMetrics"]?.arrayValue ?? []
        for metric in current {
            if let utilization = cpuUtilization(metric, field: "current") { v1Status["currentCPUUtilizationPercentage"] = utilization }
        }
        if !current.isEmpty { added.append((currentMetricsAnnotation, encode(.array(current.map(metricStatusV1))))) }
        let conditions = status["conditions"]?.arrayValue ?? []
        if !conditions.isEmpty { added.append((conditionsAnnotation, encode(.array(conditions.map(conditionV1))))) }
        var out: JSONObject = ["kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v1"]
        out["metadata"] = .object(metadata(v2.objectMember("metadata"), adding: added))
        out["spec"] = .object(v1Spec)
        out["status"] = .object(v1Status)
        return out
    }

    /// `averageUtilization` of a `Resource` metric named `cpu` whose `field` (`target` or
    /// `current`) carries one.
    private static func cpuUtilization(_ metric: JSONValue, field: String) -> JSONValue? {
        guard metric["type"]?.stringValue == "Resource", metric["resource"]?["name"]?.stringValue == "cpu",
            let utilization = metric["resource"]?[field]?["averageUtilization"], utilization != .null
        else { return nil }
        return utilization
    }

    private static func metricSpecV1(_ metric: JSONValue) -> JSONValue {
        var out: JSONObject = ["type": metric["type"] ?? .null]
        if let object = present(metric["object"]) {
            let target = object["target"]
            out["object"] = build([
                ("target", object["describedObject"]), ("metricName", object["metric"]?["name"]),
                ("targetValue", present(target?["value"]) ?? "0"), ("selector", object["metric"]?["selector"]),
                ("averageValue", target?["averageValue"]),
            ])
        }
        if let pods = present(metric["pods"]) {
            out["pods"] = build([
                ("metricName", pods["metric"]?["name"]),
                ("targetAverageValue", present(pods["target"]?["averageValue"]) ?? "0"),
                ("selector", pods["metric"]?["selector"]),
            ])
        }
        for kind in ["resource", "containerResource"] {
            guard let source = present(metric[kind]) else { continue }
            var fields: [(String, JSONValue?)] = [
                ("name", source["name"]), ("targetAverageUtilization", source["target"]?["averageUtilization"]),
                ("targetAverageValue", source["target"]?["averageValue"]),
            ]
            if kind == "containerResource" { fields.append(("container", source["container"] ?? "")) }
            out[kind] = build(fields)
        }
        if let external = present(metric["external"]) {
            out["external"] = build([
                ("metricName", external["metric"]?["name"]), ("metricSelector", external["metric"]?["selector"]),
                ("targetValue", external["target"]?["value"]), ("targetAverageValue", external["target"]?["averageValue"]),
            ])
        }
        return .object(out)
    }

    private static func metricStatusV1(_ metric: JSONValue) -> JSONValue {
        var out: JSONObject = ["type": metric["type"] ?? .null]
        if let object = present(metric["object"]) {
            out["object"] = build([
                ("target", object["describedObject"]), ("metricName", object["metric"]?["name"]),
                ("currentValue", present(object["current"]?["value"]) ?? "0"), ("selector", object["metric"]?["selector"]),
                ("averageValue", object["current"]?["averageValue"]),
            ])
        }
        if let pods = present(metric["pods"]) {
            out["pods"] = build([
                ("metricName", pods["metric"]?["name"]),
                ("currentAverageValue", present(pods["current"]?["averageValue"]) ?? "0"),
                ("selector", pods["metric"]?["selector"]),
            ])
        }
        for kind in ["resource", "containerResource"] {
            guard let source = present(metric[kind]) else { continue }
            var fields: [(String, JSONValue?)] = [
                ("name", source["name"]), ("currentAverageUtilization", source["current"]?["averageUtilization"]),
                ("currentAverageValue", present(source["current"]?["averageValue"]) ?? "0"),
            ]
            if kind == "containerResource" { fields.append(("container", source["container"] ?? "")) }
            out[kind] = build(fields)
        }
        if let external = present(metric["external"]) {
            out["external"] = build([
                ("metricName", external["metric"]?["name"]), ("metricSelector", external["metric"]?["selector"]),
                ("currentValue", present(external["current"]?["value"]) ?? "0"),
                ("currentAverageValue", external["current"]?["averageValue"]),
            ])
        }
        return .object(out)
    }

    private static func conditionV1(_ condition: JSONValue) -> JSONValue {
        var out: JSONObject = [
            "type": condition["type"] ?? "", "status": condition["status"] ?? "",
            "lastTransitionTime": condition["lastTransitionTime"] ?? .null,
        ]
        if let reason = condition["reason"], reason != "" { out["reason"] = reason }
        if let message = condition["message"], message != "" { out["message"] = message }
        return .object(out)
    }

    /// Behavior as Go marshals the internal type, which has no JSON tags: field names as
    /// declared, every field present (`null` when unset).
    private static func behaviorGoForm(_ behavior: JSONValue) -> JSONValue {
        func rules(_ value: JSONValue?) -> JSONValue {
            guard let value = present(value) else { return .null }
            let policies: JSONValue = value["policies"]?.arrayValue.map { list in
                .array(list.map { policy in
                    ["Type": policy["type"] ?? "", "Value": policy["value"] ?? 0, "PeriodSeconds": policy["periodSeconds"] ?? 0]
                })
            } ?? .null
            return [
                "StabilizationWindowSeconds": value["stabilizationWindowSeconds"] ?? .null,
                "SelectPolicy": value["selectPolicy"] ?? .null, "Policies": policies,
            ]
        }
        return ["ScaleUp": rules(behavior["scaleUp"]), "ScaleDown": rules(behavior["scaleDown"])]
    }

    // MARK: - v1 → v2

    /// The stored (v2) form of an autoscaling/v1 autoscaler; v2 defaults still to be applied.
    static func toV2(_ v1: JSONObject) -> JSONObject {
        var metadata = v1.objectMember("metadata")
        let annotations = metadata.objectMember("annotations")
        let spec = v1.objectMember("spec")

        var v2Spec = JSONObject()
        copy(["scaleTargetRef", "minReplicas", "maxReplicas"], from: spec, to: &v2Spec)
        var metrics: [JSONValue] = []
        if case .array(let annotated)? = parsedAnnotation(annotations, metricsAnnotation) {
            metrics = annotated.map(metricSpecV2)
        }
        if let cpu = present(spec["targetCPUUtilizationPercentage"]) {
            metrics.append([
                "type": "Resource",
                "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": cpu]],
            ])
        }
        if !metrics.isEmpty { v2Spec["metrics"] = .array(metrics) }
        if let behavior = parsedAnnotation(annotations, behaviorAnnotation).flatMap(behaviorAPIForm) {
            v2Spec["behavior"] = behavior
        }

        metadata = removingAnnotations(metadata)
        var out: JSONObject = [
            "kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v2",
            "metadata": .object(metadata), "spec": .object(v2Spec),
        ]
        if case .object(let status)? = v1["status"] {
            var v2Status = JSONObject()
            copy(["observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas"], from: status, to: &v2Status)
            // v2's currentReplicas is omitted when zero; desiredReplicas is always written.
            if v2Status["currentReplicas"] == .int(0) { v2Status["currentReplicas"] = nil }
            if case .array(let current)? = parsedAnnotation(annotations, currentMetricsAnnotation) {
                if !current.isEmpty { v2Status["currentMetrics"] = .array(current.map(metricStatusV2)) }
            } else if let cpu = present(status["currentCPUUtilizationPercentage"]) {
                v2Status["currentMetrics"] = [["type": "Resource", "resource": ["name": "cpu", "current": ["averageUtilization": cpu]]]]
            }
            if case .array(let conditions)? = parsedAnnotation(annotations, conditionsAnnotation), !conditions.isEmpty {
                v2Status["conditions"] = .array(conditions)
            }
            out["status"] = .object(v2Status)
        }
        return out
    }

    private static func metricSpecV2(_ metric: JSONValue) -> JSONValue {
        var out: JSONObject = ["type": metric["type"] ?? .null]
        if let object = present(metric["object"]) {
            let average = present(object["averageValue"])
            out["object"] = build([
                ("describedObject", object["target"]),
                ("target", build([
                    ("type", average == nil ? "Value" : "AverageValue"), ("value", present(object["targetValue"]) ?? "0"),
                    ("averageValue", average),
                ])),
                ("metric", identifier(object["metricName"], object["selector"])),
            ])
        }
        if let pods = present(metric["pods"]) {
            out["pods"] = build([
                ("metric", identifier(pods["metricName"], pods["selector"])),
                ("target", build([("type", "AverageValue"), ("averageValue", pods["targetAverageValue"])])),
            ])
        }
        for kind in ["resource", "containerResource"] {
            guard let source = present(metric[kind]) else { continue }
            let utilization = present(source["targetAverageUtilization"])
            var fields: [(String, JSONValue?)] = [
                ("name", source["name"]),
                ("target", build([
                    ("type", utilization == nil ? "AverageValue" : "Utilization"),
                    ("averageValue", source["targetAverageValue"]), ("averageUtilization", utilization),
                ])),
            ]
            if kind == "containerResource" { fields.append(("container", source["container"])) }
            out[kind] = build(fields)
        }
        if let external = present(metric["external"]) {
            let value = present(external["targetValue"])
            out["external"] = build([
                ("metric", identifier(external["metricName"], external["metricSelector"])),
                ("target", build([
                    ("type", value == nil ? "AverageValue" : "Value"), ("value", value),
                    ("averageValue", external["targetAverageValue"]),
                ])),
            ])
        }
        return .object(out)
    }

    private static func metricStatusV2(_ metric: JSONValue) -> JSONValue {
        var out: JSONObject = ["type": metric["type"] ?? .null]
        if let object = present(metric["object"]) {
            out["object"] = build([
                ("metric", identifier(object["metricName"], object["selector"])),
                ("current", build([("value", present(object["currentValue"]) ?? "0"), ("averageValue", object["averageValue"])])),
                ("describedObject", object["target"]),
            ])
        }
        if let pods = present(metric["pods"]) {
            out["pods"] = build([
                ("metric", identifier(pods["metricName"], pods["selector"])),
                ("current", build([("averageValue", present(pods["currentAverageValue"]) ?? "0")])),
            ])
        }
        for kind in ["resource", "containerResource"] {
            guard let source = present(metric[kind]) else { continue }
            var fields: [(String, JSONValue?)] = [
                ("name", source["name"]),
                ("current", build([
                    ("averageValue", present(source["currentAverageValue"]) ?? "0"),
                    ("averageUtilization", source["currentAverageUtilization"]),
                ])),
            ]
            if kind == "containerResource" { fields.append(("container", source["container"])) }
            out[kind] = build(fields)
        }
        if let external = present(metric["external"]) {
            out["external"] = build([
                ("metric", identifier(external["metricName"], external["metricSelector"])),
                ("current", build([
                    ("value", present(external["currentValue"]) ?? "0"), ("averageValue", external["currentAverageValue"]),
                ])),
            ])
        }
        return .object(out)
    }

    /// The annotation's behavior in API form; nil when it is empty (no rule set). Keys match
    /// case-insensitively, as Go's decoder matches untagged fields.
    private static func behaviorAPIForm(_ goForm: JSONValue) -> JSONValue? {
        func rules(_ value: JSONValue?) -> JSONValue? {
            guard let value = present(value) else { return nil }
            let policies: JSONValue? = member(value, "policies")?.arrayValue.map { list in
                .array(list.map { policy in
                    build([
                        ("type", member(policy, "type")), ("value", member(policy, "value")),
                        ("periodSeconds", member(policy, "periodSeconds")),
                    ])
                })
            }
            return build([
                ("stabilizationWindowSeconds", member(value, "stabilizationWindowSeconds")),
                ("selectPolicy", member(value, "selectPolicy")), ("policies", policies),
            ])
        }
        let scaleUp = rules(member(goForm, "scaleUp"))
        let scaleDown = rules(member(goForm, "scaleDown"))
        if scaleUp == nil && scaleDown == nil { return nil }
        return build([("scaleUp", scaleUp), ("scaleDown", scaleDown)])
    }

    // MARK: - Annotations and helpers

    /// v2 objects carry none of the conversion annotations, in or out.
    static func removingAnnotations(_ metadata: JSONObject) -> JSONObject {
        guard case .object(var annotations)? = metadata["annotations"],
            annotations.members.contains(where: { Self.annotations.contains($0.key) })
        else { return metadata }
        annotations.members.removeAll { Self.annotations.contains($0.key) }
        var out = metadata
        out["annotations"] = annotations.members.isEmpty ? nil : .object(annotations)
        return out
    }

    private static func metadata(_ metadata: JSONObject, adding added: [(String, String)]) -> JSONObject {
        var out = removingAnnotations(metadata)
        guard !added.isEmpty else { return out }
        var annotations = out.objectMember("annotations")
        for (key, value) in added { annotations[key] = .string(value) }
        out["annotations"] = .object(annotations)
        return out
    }

    private static func parsedAnnotation(_ annotations: JSONObject, _ key: String) -> JSONValue? {
        guard let text = annotations[key]?.stringValue else { return nil }
        do { return try JSONCodec.parse(Array(text.utf8)) } catch { return nil }
    }

    private static func identifier(_ name: JSONValue?, _ selector: JSONValue?) -> JSONValue {
        build([("name", name ?? ""), ("selector", selector)])
    }

    private static func member(_ object: JSONValue, _ name: String) -> JSONValue? {
        guard case .object(let members) = object else { return nil }
        let lowered = name.lowercased()
        return present(members.members.first { $0.key.lowercased() == lowered }?.value)
    }

    private static func copy(_ keys: [String], from source: JSONObject, to target: inout JSONObject) {
        for key in keys { if let value = source[key] { target[key] = value } }
    }

    /// An object of the given members, leaving out absent and `null` ones.
    private static func build(_ fields: [(String, JSONValue?)]) -> JSONValue {
        var object = JSONObject()
        for (key, value) in fields { if let value = present(value) { object[key] = value } }
        return .object(object)
    }

    private static func present(_ value: JSONValue?) -> JSONValue? {
        guard let value, value != .null else { return nil }
        return value
    }

    private static func encode(_ value: JSONValue) -> String {
        String(decoding: JSONCodec.encode(value), as: UTF8.self)
    }
}
