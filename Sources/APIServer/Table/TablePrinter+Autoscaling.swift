import APIMachinery

// MARK: - HorizontalPodAutoscaler (autoscaling/v2 and autoscaling/v1)

extension TablePrinter {
    /// NAME, REFERENCE (`Kind/name`), TARGETS, MINPODS (`<unset>` when absent), MAXPODS,
    /// REPLICAS, AGE.
    ///
    /// TARGETS pairs each metric of the spec with the status metric at the same index:
    /// `cpu: 45%/80%`, `memory: 100Mi/200Mi`, `5/10` (pods), `1k/2k (avg)` (object or external
    /// average value), with `<unknown>` for a missing current value and `<auto>` for a missing
    /// utilization target; at most two, then ` + N more...`; `<none>` without metrics.
    /// `legacyV1` reads an autoscaling/v1 object, whose only metric is the CPU utilization.
    static func horizontalPodAutoscalerCells(_ autoscaler: TableField, legacyV1: Bool, now: Time) -> [JSONValue] {
        let spec = autoscaler["spec"]
        let status = autoscaler["status"]
        let specMetrics: [TableField]
        let statusMetrics: [TableField]
        if legacyV1 {
            // The CPU utilization fields, read as the equivalent autoscaling/v2 metrics.
            func cpuMetric(_ side: String, _ percent: Int64) -> TableField {
                var utilization = JSONObject()
                utilization["averageUtilization"] = .int(percent)
                var resource = JSONObject()
                resource["name"] = .string("cpu")
                resource[side] = .object(utilization)
                var metric = JSONObject()
                metric["type"] = .string("Resource")
                metric["resource"] = .object(resource)
                return TableField(.object(metric))
            }
            specMetrics = spec["targetCPUUtilizationPercentage"].int.map { [cpuMetric("target", $0)] } ?? []
            statusMetrics = status["currentCPUUtilizationPercentage"].int.map { [cpuMetric("current", $0)] } ?? []
        } else {
            specMetrics = spec["metrics"].array
            statusMetrics = status["currentMetrics"].array
        }
        let reference = spec["scaleTargetRef"]["kind"].text + "/" + spec["scaleTargetRef"]["name"].text
        let minPods = spec["minReplicas"].int.map { String($0) } ?? "<unset>"
        return [
            .string(TableFormat.name(autoscaler)),
            .string(reference),
            .string(metricsSummary(specMetrics, statusMetrics)),
            .string(minPods),
            .int(spec["maxReplicas"].number),
            .int(status["currentReplicas"].number),
            .string(TableFormat.age(autoscaler, now: now)),
        ]
    }

    static func metricsSummary(_ specs: [TableField], _ statuses: [TableField]) -> String {
        if specs.isEmpty { return "<none>" }
        var list: [String] = []
        for (index, spec) in specs.enumerated() {
            let status = index < statuses.count ? statuses[index] : TableField(nil)
            switch spec["type"].text {
            case "External", "Object":
                let key = spec["type"].text == "External" ? "external" : "object"
                let target = spec[key]["target"]
                let current = status[key]
                if target["averageValue"].isPresent {
                    var value = "<unknown>"
                    if current.isPresent && current["current"]["averageValue"].isPresent {
                        value = TableFormat.quantity(current["current"]["averageValue"])
                    }
                    list.append("\(value)/\(TableFormat.quantity(target["averageValue"])) (avg)")
                } else {
                    var value = "<unknown>"
                    if current.isPresent { value = TableFormat.optionalQuantity(current["current"]["value"]) }
                    list.append("\(value)/\(TableFormat.optionalQuantity(target["value"]))")
                }
            case "Pods":
                var value = "<unknown>"
                if status["pods"].isPresent { value = TableFormat.optionalQuantity(status["pods"]["current"]["averageValue"]) }
                list.append("\(value)/\(TableFormat.optionalQuantity(spec["pods"]["target"]["averageValue"]))")
            case "Resource", "ContainerResource":
                let key = spec["type"].text == "Resource" ? "resource" : "containerResource"
                let source = spec[key]
                let current = status[key]
                let resource = source["name"].text
                if source["target"]["averageValue"].isPresent {
                    var value = "<unknown>"
                    if current.isPresent { value = TableFormat.optionalQuantity(current["current"]["averageValue"]) }
                    list.append("\(resource): \(value)/\(TableFormat.quantity(source["target"]["averageValue"]))")
                } else {
                    var value = "<unknown>"
                    if current.isPresent, let utilization = current["current"]["averageUtilization"].int {
                        value = "\(utilization)%"
                    }
                    let target = source["target"]["averageUtilization"].int.map { "\($0)%" } ?? "<auto>"
                    list.append("\(resource): \(value)/\(target)")
                }
            default:
                list.append("<unknown type>")
            }
        }
        let max = 2
        if list.count > max {
            return list.prefix(max).joined(separator: ", ") + " + \(list.count - max) more..."
        }
        return list.joined(separator: ", ")
    }
}
