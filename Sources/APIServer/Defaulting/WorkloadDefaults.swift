import APIMachinery

/// Defaults of workload controllers (apps/v1, batch/v1, and core ReplicationControllers and
/// PodTemplates): replica counts, update strategies, history limits, and pod-template defaults.
enum WorkloadDefaults {
    static func deployment(_ object: inout JSONValue) {
        object.editObjectMember("spec") { spec in
            spec.defaultMember("replicas", 1)
            spec.editObjectMember("strategy") { strategy in
                strategy.defaultZeroMember("type", "RollingUpdate")
                if strategy["type"] == "RollingUpdate" {
                    strategy.editObjectMember("rollingUpdate") { rolling in
                        rolling.defaultMember("maxUnavailable", "25%")
                        rolling.defaultMember("maxSurge", "25%")
                    }
                }
            }
            spec.defaultMember("revisionHistoryLimit", 10)
            spec.defaultMember("progressDeadlineSeconds", 600)
            spec.editObjectMember("template") { PodDefaults.template(&$0) }
        }
    }

    static func replicaSet(_ object: inout JSONValue) {
        object.editObjectMember("spec") { spec in
            spec.defaultMember("replicas", 1)
            spec.editMember("template") { PodDefaults.template(&$0) }
        }
    }

    static func daemonSet(_ object: inout JSONValue) {
        object.editObjectMember("spec") { spec in
            spec.editObjectMember("updateStrategy") { strategy in
                strategy.defaultZeroMember("type", "RollingUpdate")
                if strategy["type"] == "RollingUpdate" {
                    strategy.editObjectMember("rollingUpdate") { rolling in
                        rolling.defaultMember("maxUnavailable", 1)
                        rolling.defaultMember("maxSurge", 0)
                    }
                }
            }
            spec.defaultMember("revisionHistoryLimit", 10)
            spec.editObjectMember("template") { PodDefaults.template(&$0) }
        }
    }

    static func statefulSet(_ object: inout JSONValue) {
        object.editObjectMember("spec") { spec in
            spec.defaultZeroMember("podManagementPolicy", "OrderedReady")
            spec.editObjectMember("updateStrategy") { strategy in
                if strategy.memberIsUnset("type") || strategy["type"] == "" {
                    strategy.setMember("type", "RollingUpdate")
                    strategy.defaultMember("rollingUpdate", .object(JSONObject()))
                }
                if strategy["type"] == "RollingUpdate" {
                    strategy.editMember("rollingUpdate") { $0.defaultMember("partition", 0) }
                }
            }
            spec.editObjectMember("persistentVolumeClaimRetentionPolicy") { policy in
                policy.defaultZeroMember("whenDeleted", "Retain")
                policy.defaultZeroMember("whenScaled", "Retain")
            }
            spec.defaultMember("replicas", 1)
            spec.defaultMember("revisionHistoryLimit", 10)
            spec.editObjectMember("template") { PodDefaults.template(&$0) }
            spec.editEachElement("volumeClaimTemplates") { CoreDefaults.persistentVolumeClaim(&$0) }
        }
    }

    static func replicationController(_ object: inout JSONValue) {
        let templateLabels = object["spec"]?["template"]?["metadata"]?["labels"]
        if case .object(let labels)? = templateLabels {
            if (object["spec"]?["selector"]).map({ $0 == .null || $0 == .object(JSONObject()) }) ?? true {
                object.editObjectMember("spec") { $0.setMember("selector", .object(labels)) }
            }
            if (object["metadata"]?["labels"]).map({ $0 == .null || $0 == .object(JSONObject()) }) ?? true {
                object.editObjectMember("metadata") { $0.setMember("labels", .object(labels)) }
            }
        }
        object.editObjectMember("spec") { spec in
            spec.defaultMember("replicas", 1)
            spec.editMember("template") { PodDefaults.template(&$0) }
        }
    }

    static func podTemplate(_ object: inout JSONValue) {
        object.editMember("template") { PodDefaults.template(&$0) }
    }

    // MARK: batch/v1

    /// Job defaults. When `metadata.uid` is set and the selector is not manual, also generates
    /// the selector and template labels the Job strategy adds on create
    /// (`batch.kubernetes.io/controller-uid`, `batch.kubernetes.io/job-name` and their legacy
    /// forms). Empty Job labels are then copied from the template.
    static func job(_ object: inout JSONValue) {
        let uid = object["metadata"]?["uid"]?.stringValue ?? ""
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        object.editObjectMember("spec") { spec in
            if spec.memberIsUnset("completions") && spec.memberIsUnset("parallelism") {
                spec.setMember("completions", 1)
                spec.setMember("parallelism", 1)
            }
            spec.defaultMember("parallelism", 1)
            let backoffLimit: JSONValue = spec.memberIsUnset("backoffLimitPerIndex") ? 6 : .int(Int64(Int32.max))
            spec.defaultMember("backoffLimit", backoffLimit)
            spec.defaultMember("completionMode", "NonIndexed")
            spec.defaultMember("suspend", false)
            let replacement: JSONValue = spec.memberIsUnset("podFailurePolicy") ? "TerminatingOrFailed" : "Failed"
            spec.defaultMember("podReplacementPolicy", replacement)
            if !uid.isEmpty && spec["manualSelector"] != .bool(true) && spec.memberIsUnset("selector") {
                spec.editObjectMember("template") { template in
                    template.editObjectMember("metadata") { metadata in
                        metadata.editObjectMember("labels") { labels in
                            labels.defaultMember(BatchValidation.legacyNameLabel, .string(name))
                            labels.defaultMember(BatchValidation.nameLabel, .string(name))
                            labels.defaultMember(BatchValidation.legacyUIDLabel, .string(uid))
                            labels.defaultMember(BatchValidation.uidLabel, .string(uid))
                        }
                    }
                }
                spec.setMember("selector", ["matchLabels": [BatchValidation.uidLabel: .string(uid)]])
                spec.defaultMember("manualSelector", false)
            }
            spec.editObjectMember("template") { PodDefaults.template(&$0) }
        }
        if case .object(let labels)? = object["spec"]?["template"]?["metadata"]?["labels"],
            (object["metadata"]?["labels"]).map({ $0 == .null || $0 == .object(JSONObject()) }) ?? true
        {
            object.editObjectMember("metadata") { $0.setMember("labels", .object(labels)) }
        }
    }

    static func cronJob(_ object: inout JSONValue) {
        object.editObjectMember("spec") { spec in
            spec.defaultZeroMember("concurrencyPolicy", "Allow")
            spec.defaultMember("suspend", false)
            spec.defaultMember("successfulJobsHistoryLimit", 3)
            spec.defaultMember("failedJobsHistoryLimit", 1)
            spec.editObjectMember("jobTemplate") { jobTemplate in
                jobTemplate.editObjectMember("spec") { jobSpec in
                    jobSpec.editObjectMember("template") { PodDefaults.template(&$0) }
                }
            }
        }
    }
}
