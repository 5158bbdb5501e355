import APIMachinery

/// Workload controllers: Deployments, ReplicaSets, StatefulSets, DaemonSets (apps'
/// validation, plus the apps/v1 strategies' immutable selector) and the core
/// ReplicationController and PodTemplate kinds. `specTree` is the object's JSON `spec`, used to
/// tell an absent selector (`Required value`) from an empty one.
enum AppsValidation {
    typealias Path = FieldError.Path

    static let specPath: Path = "spec"
    static let selectorMismatch = "`selector` does not match template `labels`"

    // MARK: Deployment

    static func validateDeployment(_ deployment: AppsV1.Deployment, specTree: JSONValue?) -> [FieldError] {
        let spec = deployment.spec ?? AppsV1.DeploymentSpec()
        var errors = FieldError.nonNegative(spec.replicas, specPath.child("replicas"))
        errors += selectorAndTemplate(
            selector: present(spec.selector, in: specTree), template: spec.template, replicaSetName: "deployment")
        errors += deploymentStrategy(spec.strategy, path: specPath.child("strategy"))
        errors += FieldError.nonNegative(spec.minReadySeconds, specPath.child("minReadySeconds"))
        errors += FieldError.nonNegative(spec.revisionHistoryLimit, specPath.child("revisionHistoryLimit"))
        if let deadline = spec.progressDeadlineSeconds {
            errors += FieldError.nonNegative(deadline, specPath.child("progressDeadlineSeconds"))
            if deadline <= (spec.minReadySeconds ?? 0) {
                errors.append(
                    .invalid(specPath.child("progressDeadlineSeconds"), .int(deadline), "must be greater than minReadySeconds"))
            }
        }
        return errors
    }

    static func deploymentStrategy(_ strategy: AppsV1.DeploymentStrategy?, path: Path) -> [FieldError] {
        let type = strategy?.type ?? ""
        switch type {
        case "Recreate":
            if strategy?.rollingUpdate != nil {
                return [.forbidden(path.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")]
            }
            return []
        case "RollingUpdate":
            guard let rolling = strategy?.rollingUpdate else {
                return [.required(path.child("rollingUpdate"), "this should be defaulted and never be nil")]
            }
            let rollingPath = path.child("rollingUpdate")
            let unavailable = rolling.maxUnavailable ?? .int(0)
            let surge = rolling.maxSurge ?? .int(0)
            var errors = positiveIntOrPercent(unavailable, path: rollingPath.child("maxUnavailable"))
            errors += positiveIntOrPercent(surge, path: rollingPath.child("maxSurge"))
            if intOrPercentValue(unavailable) == 0 && intOrPercentValue(surge) == 0 {
                errors.append(
                    .invalid(rollingPath.child("maxUnavailable"), .raw(unavailable.description), "may not be 0 when `maxSurge` is 0"))
            }
            errors += notMoreThan100Percent(unavailable, path: rollingPath.child("maxUnavailable"))
            return errors
        default:
            let rolling = strategy?.rollingUpdate == nil ? "(*apps.RollingUpdateDeployment)(nil)" : "(*apps.RollingUpdateDeployment)(…)"
            let value = "apps.DeploymentStrategy{Type:\(FieldError.Value.goQuote(type)), RollingUpdate:\(rolling)}"
            return [.notSupported(path, .raw(value), ["Recreate", "RollingUpdate"])]
        }
    }

    // MARK: ReplicaSet

    static func validateReplicaSet(_ replicaSet: AppsV1.ReplicaSet, specTree: JSONValue?) -> [FieldError] {
        let spec = replicaSet.spec ?? AppsV1.ReplicaSetSpec()
        var errors = FieldError.nonNegative(spec.replicas, specPath.child("replicas"))
        errors += FieldError.nonNegative(spec.minReadySeconds, specPath.child("minReadySeconds"))
        errors += selectorAndTemplate(
            selector: present(spec.selector, in: specTree), template: spec.template, replicaSetName: "deployment")
        return errors
    }

    /// Shared by Deployments and ReplicaSets: a required, non-empty selector matching the
    /// template's labels, a valid template, and `restartPolicy: Always`.
    static func selectorAndTemplate(
        selector: MetaV1.LabelSelector?, template: CoreV1.PodTemplateSpec?, replicaSetName: String
    ) -> [FieldError] {
        var errors: [FieldError] = []
        let selectorPath = specPath.child("selector")
        if let selector {
            errors += LabelSelectorValidation.validate(selector, path: selectorPath)
            if LabelSelectorValidation.hasNoRequirements(selector) {
                errors.append(
                    .invalid(selectorPath, LabelSelectorValidation.goSyntax(selector), "empty selector is invalid for \(replicaSetName)"))
            }
        } else {
            errors.append(.required(selectorPath))
        }
        guard let compiled = LabelSelectorValidation.compile(selector) else {
            errors.append(.invalid(selectorPath, LabelSelectorValidation.goSyntax(selector), "invalid label selector"))
            return errors
        }
        let templatePath = specPath.child("template")
        guard let template else {
            errors.append(.required(templatePath))
            return errors
        }
        let labels = template.metadata?.labels
        if !compiled.isEmpty && !compiled.matches(labels ?? [:]) {
            errors.append(.invalid(templatePath.child("metadata", "labels"), .stringMap(labels), selectorMismatch))
        }
        errors += PodValidation.validateTemplate(template, path: templatePath)
        errors += restartAlways(template, path: templatePath, owner: "ReplicaSet")
        return errors
    }

    static func restartAlways(_ template: CoreV1.PodTemplateSpec, path: Path, owner: String) -> [FieldError] {
        var errors: [FieldError] = []
        let policy = template.spec?.restartPolicy ?? ""
        if policy != "Always" {
            errors.append(.notSupported(path.child("spec", "restartPolicy"), .string(policy), ["Always"]))
        }
        if template.spec?.activeDeadlineSeconds != nil {
            errors.append(
                .forbidden(path.child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in \(owner) is not Supported"))
        }
        return errors
    }

    // MARK: StatefulSet

    static func validateStatefulSet(_ statefulSet: AppsV1.StatefulSet, specTree: JSONValue?) -> [FieldError] {
        let spec = statefulSet.spec ?? AppsV1.StatefulSetSpec()
        var errors: [FieldError] = []
        let policy = spec.podManagementPolicy ?? ""
        if policy.isEmpty {
            errors.append(.required(specPath.child("podManagementPolicy")))
        } else if policy != "OrderedReady" && policy != "Parallel" {
            errors.append(.invalid(specPath.child("podManagementPolicy"), .string(policy), "must be 'OrderedReady' or 'Parallel'"))
        }
        let strategyPath = specPath.child("updateStrategy")
        let strategyType = spec.updateStrategy?.type ?? ""
        let rolling = spec.updateStrategy?.rollingUpdate
        switch strategyType {
        case "":
            errors.append(.required(strategyPath))
        case "OnDelete":
            if rolling != nil {
                errors.append(
                    .invalid(
                        strategyPath.child("rollingUpdate"), .raw(goRollingStatefulSet(rolling)),
                        "only allowed for updateStrategy 'RollingUpdate'"))
            }
        case "RollingUpdate":
            if let rolling {
                let rollingPath = strategyPath.child("rollingUpdate")
                errors += FieldError.nonNegative(rolling.partition ?? 0, rollingPath.child("partition"))
                if let unavailable = rolling.maxUnavailable {
                    errors += positiveIntOrPercent(unavailable, path: rollingPath.child("maxUnavailable"))
                    if intOrPercentValue(unavailable) == 0 {
                        errors.append(.invalid(rollingPath.child("maxUnavailable"), .raw(unavailable.description), "cannot be 0"))
                    }
                    errors += notMoreThan100Percent(unavailable, path: rollingPath.child("maxUnavailable"))
                }
            }
        default:
            let value = "apps.StatefulSetUpdateStrategy{Type:\(FieldError.Value.goQuote(strategyType)), RollingUpdate:\(rolling == nil ? "(*apps.RollingUpdateStatefulSetStrategy)(nil)" : "(*apps.RollingUpdateStatefulSetStrategy)(…)")}"
            errors.append(.invalid(strategyPath, .raw(value), "must be 'RollingUpdate' or 'OnDelete'"))
        }
        if let retention = spec.persistentVolumeClaimRetentionPolicy {
            let retentionPath = specPath.child("persistentVolumeClaimRetentionPolicy")
            for (field, value) in [("whenDeleted", retention.whenDeleted ?? ""), ("whenScaled", retention.whenScaled ?? "")]
            where value != "Retain" && value != "Delete" {
                errors.append(.notSupported(retentionPath.child(field), .string(value), ["Retain", "Delete"]))
            }
        }
        errors += FieldError.nonNegative(spec.replicas, specPath.child("replicas"))
        errors += FieldError.nonNegative(spec.minReadySeconds, specPath.child("minReadySeconds"))
        if let ordinals = spec.ordinals {
            errors += FieldError.nonNegative(ordinals.start ?? 0, specPath.child("ordinals.start"))
        }
        let selectorPath = specPath.child("selector")
        let selector = present(spec.selector, in: specTree)
        if let selector {
            errors += LabelSelectorValidation.validate(selector, path: selectorPath)
            if LabelSelectorValidation.hasNoRequirements(selector) {
                errors.append(
                    .invalid(selectorPath, LabelSelectorValidation.goSyntax(selector), "empty selector is invalid for statefulset"))
            }
        } else {
            errors.append(.required(selectorPath))
        }
        let templatePath = specPath.child("template")
        if let compiled = LabelSelectorValidation.compile(selector) {
            let labels = spec.template.metadata?.labels
            if !compiled.isEmpty && !compiled.matches(labels ?? [:]) {
                errors.append(.invalid(templatePath.child("metadata", "labels"), .stringMap(labels), selectorMismatch))
            }
            // Like upstream, the pod spec itself is left to pod creation.
            errors += ObjectMetaValidation.labels(labels, path: templatePath.child("labels"))
            errors += ObjectMetaValidation.annotations(spec.template.metadata?.annotations, path: templatePath.child("annotations"))
            errors += PodValidation.podAnnotations(
                spec.template.metadata?.annotations, spec: spec.template.spec ?? CoreV1.PodSpec(),
                path: templatePath.child("annotations"))
        } else {
            errors.append(.invalid(selectorPath, LabelSelectorValidation.goSyntax(selector), ""))
        }
        errors += restartAlways(spec.template, path: templatePath, owner: "StatefulSet")
        return errors
    }

    /// Only replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy
    /// and minReadySeconds may change.
    static func validateStatefulSetUpdate(newSpecTree: JSONValue?, oldSpecTree: JSONValue?) -> [FieldError] {
        let mutable = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"]
        var newSpec = newSpecTree ?? .object(JSONObject())
        var oldSpec = oldSpecTree ?? .object(JSONObject())
        for field in mutable {
            newSpec.setMember(field, nil)
            oldSpec.setMember(field, nil)
        }
        if newSpec.prunedOfEmpty != oldSpec.prunedOfEmpty {
            return [
                .forbidden(
                    specPath,
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
                )
            ]
        }
        return []
    }

    private static func goRollingStatefulSet(_ rolling: AppsV1.RollingUpdateStatefulSetStrategy?) -> String {
        guard let rolling else { return "null" }
        let unavailable = rolling.maxUnavailable.map { "(*intstr.IntOrString)(\($0.description))" } ?? "(*intstr.IntOrString)(nil)"
        return "apps.RollingUpdateStatefulSetStrategy{Partition:\(rolling.partition ?? 0), MaxUnavailable:\(unavailable)}"
    }

    // MARK: DaemonSet

    static func validateDaemonSet(_ daemonSet: AppsV1.DaemonSet, specTree: JSONValue?) -> [FieldError] {
        let spec = daemonSet.spec ?? AppsV1.DaemonSetSpec()
        let selectorPath = specPath.child("selector")
        let templatePath = specPath.child("template")
        let selector = present(spec.selector, in: specTree)
        var errors = LabelSelectorValidation.validate(selector, path: selectorPath)
        let labels = spec.template.metadata?.labels
        if let compiled = LabelSelectorValidation.compile(selector), !compiled.matches(labels ?? [:]) {
            errors.append(.invalid(templatePath.child("metadata", "labels"), .stringMap(labels), selectorMismatch))
        }
        if let selector, LabelSelectorValidation.hasNoRequirements(selector) {
            errors.append(.invalid(selectorPath, LabelSelectorValidation.goSyntax(selector), "empty selector is invalid for daemonset"))
        }
        errors += PodValidation.validateTemplate(spec.template, path: templatePath)
        errors += restartAlways(spec.template, path: templatePath, owner: "DaemonSet")
        errors += FieldError.nonNegative(spec.minReadySeconds, specPath.child("minReadySeconds"))
        errors += daemonSetStrategy(spec.updateStrategy, path: specPath.child("updateStrategy"))
        errors += FieldError.nonNegative(spec.revisionHistoryLimit, specPath.child("revisionHistoryLimit"))
        return errors
    }

    static func daemonSetStrategy(_ strategy: AppsV1.DaemonSetUpdateStrategy?, path: Path) -> [FieldError] {
        let type = strategy?.type ?? ""
        switch type {
        case "OnDelete":
            return []
        case "RollingUpdate":
            guard let rolling = strategy?.rollingUpdate else { return [.required(path.child("rollingUpdate"))] }
            let rollingPath = path.child("rollingUpdate")
            let unavailable = rolling.maxUnavailable ?? .int(0)
            let surge = rolling.maxSurge ?? .int(0)
            var errors = positiveIntOrPercent(unavailable, path: rollingPath.child("maxUnavailable"))
            errors += positiveIntOrPercent(surge, path: rollingPath.child("maxSurge"))
            errors += notMoreThan100Percent(unavailable, path: rollingPath.child("maxUnavailable"))
            errors += notMoreThan100Percent(surge, path: rollingPath.child("maxSurge"))
            let hasUnavailable = intOrPercentValue(unavailable) != 0
            let hasSurge = intOrPercentValue(surge) != 0
            if hasUnavailable && hasSurge {
                errors.append(
                    .invalid(rollingPath.child("maxSurge"), .raw(surge.description), "may not be set when maxUnavailable is non-zero"))
            } else if !hasUnavailable && !hasSurge {
                errors.append(.required(rollingPath.child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
            }
            return errors
        default:
            let rolling = strategy?.rollingUpdate == nil ? "(*apps.RollingUpdateDaemonSet)(nil)" : "(*apps.RollingUpdateDaemonSet)(…)"
            let value = "apps.DaemonSetUpdateStrategy{Type:\(FieldError.Value.goQuote(type)), RollingUpdate:\(rolling)}"
            return [.notSupported(path, .raw(value), ["RollingUpdate", "OnDelete"])]
        }
    }

    // MARK: Core controllers

    static func validateReplicationController(_ controller: CoreV1.ReplicationController) -> [FieldError] {
        let spec = controller.spec ?? CoreV1.ReplicationControllerSpec()
        var errors = FieldError.nonNegative(spec.minReadySeconds, specPath.child("minReadySeconds"))
        let selector = spec.selector ?? [:]
        if selector.isEmpty { errors.append(.required(specPath.child("selector"))) }
        errors += FieldError.nonNegative(spec.replicas, specPath.child("replicas"))
        let templatePath = specPath.child("template")
        guard let template = spec.template else {
            errors.append(.required(templatePath))
            return errors
        }
        let labels = template.metadata?.labels ?? [:]
        if !selector.isEmpty && !selector.allSatisfy({ labels[$0.key] == $0.value }) {
            errors.append(.invalid(templatePath.child("metadata", "labels"), .stringMap(template.metadata?.labels), selectorMismatch))
        }
        errors += PodValidation.validateTemplate(template, path: templatePath)
        errors += restartAlways(template, path: templatePath, owner: "ReplicationController")
        return errors
    }

    static func validatePodTemplate(_ podTemplate: CoreV1.PodTemplate) -> [FieldError] {
        PodValidation.validateTemplate(podTemplate.template ?? CoreV1.PodTemplateSpec(), path: "template")
    }

    // MARK: Helpers

    /// The decoded selector, or nil when the JSON spec has none (non-optional fields decode
    /// a missing selector as empty).
    static func present(_ selector: MetaV1.LabelSelector, in specTree: JSONValue?) -> MetaV1.LabelSelector? {
        (specTree?.memberIsUnset("selector") ?? true) ? nil : selector
    }

    /// The apps/v1 strategies' rule: `spec.selector` may not change.
    static func immutableSelector(new: MetaV1.LabelSelector, newSpecTree: JSONValue?, oldSpecTree: JSONValue?) -> [FieldError] {
        let before = oldSpecTree?["selector"]?.prunedOfEmpty ?? .null
        let after = newSpecTree?["selector"]?.prunedOfEmpty ?? .null
        if before == after { return [] }
        return [.immutable(specPath.child("selector"), LabelSelectorValidation.goSyntax(present(new, in: newSpecTree)))]
    }

    static func positiveIntOrPercent(_ value: IntOrString, path: Path) -> [FieldError] {
        switch value {
        case .string(let text):
            return ValidationFormats.percent(text).map { FieldError.invalid(path, .raw(text), $0) }
        case .int(let number):
            return FieldError.nonNegative(number, path)
        }
    }

    /// The number in `25%` or `3`; other strings count as 0, as upstream's `IntValue()` does.
    static func intOrPercentValue(_ value: IntOrString) -> Int {
        switch value {
        case .int(let number):
            return Int(number)
        case .string(let text):
            if ValidationFormats.percent(text).isEmpty { return Int(text.dropLast()) ?? 0 }
            return Int(text) ?? 0
        }
    }

    static func notMoreThan100Percent(_ value: IntOrString, path: Path) -> [FieldError] {
        guard case .string(let text) = value, ValidationFormats.percent(text).isEmpty, let percent = Int(text.dropLast()),
            percent > 100
        else { return [] }
        return [.invalid(path, .raw(text), "must not be greater than 100%")]
    }
}
