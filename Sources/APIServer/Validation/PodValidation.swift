import APIMachinery

/// Pods, pod specs and pod templates, after core validation's `ValidatePodCreate`,
/// `ValidatePodSpec` and `ValidatePodTemplateSpec`. Values are checked as defaulting leaves
/// them (e.g. a missing `restartPolicy` is `Required value`). Affinity, sysctls and
/// Windows-specific fields are not checked.
enum PodValidation {
    typealias Path = FieldError.Path

    static let restartPolicies = ["Always", "OnFailure", "Never"]
    static let dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
    static let mirrorAnnotation = "kubernetes.io/config.mirror"
    static let deletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost"

    // MARK: Pods

    /// A Pod being created (metadata is checked by the caller).
    static func validateCreate(_ pod: CoreV1.Pod) -> [FieldError] {
        var errors = validateMetadataAndSpec(pod)
        let spec = pod.spec ?? CoreV1.PodSpec()
        if !(spec.ephemeralContainers ?? []).isEmpty {
            errors.append(.forbidden("spec.ephemeralContainers", "cannot be set on create"))
        }
        if !(spec.nodeName ?? "").isEmpty && !(spec.schedulingGates ?? []).isEmpty {
            errors.append(.forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"))
        }
        return errors
    }

    /// The checks shared by create and update: pod annotations, the spec, and the rules that
    /// apply to pods but not to templates.
    static func validateMetadataAndSpec(_ pod: CoreV1.Pod) -> [FieldError] {
        let spec = pod.spec ?? CoreV1.PodSpec()
        let specPath: Path = "spec"
        var errors = podAnnotations(pod.metadata?.annotations, spec: spec, path: "metadata.annotations")
        errors += validateSpec(spec, path: specPath, isPod: true)
        if (spec.serviceAccountName ?? "").isEmpty {
            for (volumeIndex, volume) in (spec.volumes ?? []).enumerated() {
                for (sourceIndex, source) in (volume.projected?.sources ?? []).enumerated() where source.serviceAccountToken != nil {
                    let path = specPath.child("volumes").index(volumeIndex).child("projected", "sources").index(sourceIndex)
                    errors.append(
                        .forbidden(
                            path.child("serviceAccountToken"), "must not be specified when serviceAccountName is not set"))
                }
            }
        }
        errors += imageWhitespace(spec.containers, path: specPath.child("containers"))
        errors += imageWhitespace(spec.initContainers ?? [], path: specPath.child("initContainers"))
        return errors
    }

    static func podAnnotations(_ annotations: [String: String]?, spec: CoreV1.PodSpec, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        if let mirror = annotations?[mirrorAnnotation], (spec.nodeName ?? "").isEmpty {
            errors.append(
                .invalid(path.key(mirrorAnnotation), .string(mirror), "must set spec.nodeName if mirror pod annotation is set"))
        }
        if let cost = annotations?[deletionCostAnnotation], Int32(cost) == nil {
            errors.append(.invalid(path.key(deletionCostAnnotation), .string(cost), "must be a 32bit integer"))
        }
        return errors
    }

    static func imageWhitespace(_ containers: [CoreV1.Container], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, container) in containers.enumerated() {
            let image = container.image ?? ""
            if image != trimmed(image) {
                errors.append(
                    .invalid(path.index(index).child("image"), .string(image), "must not have leading or trailing whitespace"))
            }
        }
        return errors
    }

    // MARK: Templates

    /// A pod template embedded in a workload (`ValidatePodTemplateSpec`). Labels and
    /// annotations are reported at `<path>.labels` / `<path>.annotations`, as upstream does.
    static func validateTemplate(_ template: CoreV1.PodTemplateSpec, path: Path) -> [FieldError] {
        let spec = template.spec ?? CoreV1.PodSpec()
        var errors = ObjectMetaValidation.labels(template.metadata?.labels, path: path.child("labels"))
        errors += ObjectMetaValidation.annotations(template.metadata?.annotations, path: path.child("annotations"))
        errors += podAnnotations(template.metadata?.annotations, spec: spec, path: path.child("annotations"))
        errors += validateSpec(spec, path: path.child("spec"), isPod: false)
        if !(spec.ephemeralContainers ?? []).isEmpty {
            errors.append(.forbidden(path.child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"))
        }
        return errors
    }

    // MARK: Spec

    /// `ValidatePodSpec`. `isPod` is false for templates, which tolerate an unset host port under host networking.
    static func validateSpec(_ spec: CoreV1.PodSpec, path: Path, isPod: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        if spec.terminationGracePeriodSeconds == nil {
            errors.append(.required(path.child("terminationGracePeriodSeconds")))
        }
        let gracePeriod = spec.terminationGracePeriodSeconds
        let (volumes, volumeErrors) = validateVolumes(spec.volumes ?? [], path: path.child("volumes"))
        errors += volumeErrors
        let claimNames = Set((spec.resourceClaims ?? []).map(\.name).filter { !$0.isEmpty })
        errors += resourceClaims(spec.resourceClaims ?? [], path: path.child("resourceClaims"))
        errors += validateContainers(
            spec.containers, volumes: volumes, claimNames: claimNames, gracePeriod: gracePeriod,
            path: path.child("containers"))
        errors += validateInitContainers(
            spec.initContainers ?? [], regular: spec.containers, volumes: volumes, claimNames: claimNames,
            gracePeriod: gracePeriod, path: path.child("initContainers"))
        errors += validateEphemeralContainers(
            spec.ephemeralContainers ?? [], spec: spec, volumes: volumes, claimNames: claimNames,
            path: path.child("ephemeralContainers"))
        errors += hostNetworkPorts(spec, path: path, isPod: isPod)
        errors += restartPolicy(spec.restartPolicy ?? "", path: path.child("restartPolicy"))
        errors += dnsPolicy(spec.dnsPolicy ?? "", path: path.child("dnsPolicy"))
        errors += ObjectMetaValidation.labels(spec.nodeSelector, path: path.child("nodeSelector"))
        errors += securityContext(spec, path: path.child("securityContext"))
        errors += dnsConfig(spec.dnsConfig, policy: spec.dnsPolicy ?? "", path: path.child("dnsConfig"))
        for (index, gate) in (spec.readinessGates ?? []).enumerated() {
            let gatePath = path.child("readinessGates").index(index).child("conditionType")
            for message in ValidationFormats.qualifiedName(gate.conditionType) {
                errors.append(.invalid(gatePath, .string(gate.conditionType), message))
            }
        }
        errors += schedulingGates(spec.schedulingGates ?? [], path: path.child("schedulingGates"))
        errors += topologySpread(spec.topologySpreadConstraints ?? [], path: path.child("topologySpreadConstraints"))
        if let name = spec.serviceAccountName, !name.isEmpty {
            for message in ValidationFormats.dns1123Subdomain(name) {
                errors.append(.invalid(path.child("serviceAccountName"), .string(name), message))
            }
        }
        if let name = spec.nodeName, !name.isEmpty {
            for message in ValidationFormats.dns1123Subdomain(name) {
                errors.append(.invalid(path.child("nodeName"), .string(name), message))
            }
        }
        if let deadline = spec.activeDeadlineSeconds, deadline < 1 || deadline > Int64(Int32.max) {
            errors.append(
                .invalid(
                    path.child("activeDeadlineSeconds"), .int(deadline),
                    ValidationFormats.inclusiveRangeError(1, Int64(Int32.max))))
        }
        for (field, value) in [("hostname", spec.hostname), ("subdomain", spec.subdomain)] {
            guard let value, !value.isEmpty else { continue }
            for message in ValidationFormats.dns1123Label(value) {
                errors.append(.invalid(path.child(field), .string(value), message))
            }
        }
        errors += tolerations(spec.tolerations ?? [], path: path.child("tolerations"))
        for (index, alias) in (spec.hostAliases ?? []).enumerated() {
            let aliasPath = path.child("hostAliases").index(index)
            if !ValidationFormats.isIP(alias.ip) {
                errors.append(.invalid(aliasPath.child("ip"), .string(alias.ip), ValidationFormats.ipMessage))
            }
            for (hostIndex, hostname) in (alias.hostnames ?? []).enumerated() {
                for message in ValidationFormats.dns1123Subdomain(hostname) {
                    errors.append(.invalid(aliasPath.child("hostnames").index(hostIndex), .string(hostname), message))
                }
            }
        }
        if let name = spec.priorityClassName, !name.isEmpty {
            for message in ValidationFormats.dns1123Subdomain(name) {
                errors.append(.invalid(path.child("priorityClassName"), .string(name), message))
            }
        }
        if let name = spec.runtimeClassName {
            for message in ValidationFormats.dns1123Subdomain(name) {
                errors.append(.invalid(path.child("runtimeClassName"), .string(name), message))
            }
        }
        if let policy = spec.preemptionPolicy {
            errors += preemptionPolicy(policy, path: path.child("preemptionPolicy"))
        }
        if let overhead = spec.overhead {
            errors += ResourceValidation.containerRequirements(
                CoreV1.ResourceRequirements(limits: overhead), podClaimNames: [], path: path.child("overhead"))
        }
        if let os = spec.os, os.name != "linux" && os.name != "windows" {
            errors.append(.notSupported(path.child("os", "name"), .string(os.name), ["linux", "windows"]))
        }
        return errors
    }

    // MARK: Spec fields

    static func restartPolicy(_ policy: String, path: Path) -> [FieldError] {
        if restartPolicies.contains(policy) { return [] }
        if policy.isEmpty { return [.required(path)] }
        return [.notSupported(path, .string(policy), restartPolicies)]
    }

    static func dnsPolicy(_ policy: String, path: Path) -> [FieldError] {
        if dnsPolicies.contains(policy) { return [] }
        if policy.isEmpty { return [.required(path)] }
        return [.notSupported(path, .string(policy), dnsPolicies)]
    }

    static func preemptionPolicy(_ policy: String, path: Path) -> [FieldError] {
        switch policy {
        case "PreemptLowerPriority", "Never": []
        case "": [.required(path)]
        default: [.notSupported(path, .string(policy), ["PreemptLowerPriority", "Never"])]
        }
    }

    /// With host networking, a pod's host ports must equal its container ports (templates may
    /// leave them unset; defaulting fills them on the pod).
    static func hostNetworkPorts(_ spec: CoreV1.PodSpec, path: Path, isPod: Bool) -> [FieldError] {
        guard spec.hostNetwork == true else { return [] }
        var errors: [FieldError] = []
        for (containerIndex, container) in spec.containers.enumerated() {
            for (portIndex, port) in (container.ports ?? []).enumerated() {
                let hostPort = port.hostPort ?? 0
                if (isPod || hostPort != 0) && hostPort != port.containerPort {
                    let portPath = path.child("containers").index(containerIndex).child("ports").index(portIndex)
                    errors.append(
                        .invalid(portPath.child("hostPort"), .int(hostPort), "must match `containerPort` when `hostNetwork` is true"))
                }
            }
        }
        return errors
    }

    static func securityContext(_ spec: CoreV1.PodSpec, path: Path) -> [FieldError] {
        guard let context = spec.securityContext else { return [] }
        var errors: [FieldError] = []
        if let group = context.fsGroup {
            for message in ValidationFormats.unixID(group) { errors.append(.invalid(path.child("fsGroup"), .int(group), message)) }
        }
        if let user = context.runAsUser {
            for message in ValidationFormats.unixID(user) { errors.append(.invalid(path.child("runAsUser"), .int(user), message)) }
        }
        if let group = context.runAsGroup {
            for message in ValidationFormats.unixID(group) { errors.append(.invalid(path.child("runAsGroup"), .int(group), message)) }
        }
        for (index, group) in (context.supplementalGroups ?? []).enumerated() {
            for message in ValidationFormats.unixID(group) {
                errors.append(.invalid(path.child("supplementalGroups").index(index), .int(group), message))
            }
        }
        if spec.shareProcessNamespace == true && spec.hostPID == true {
            errors.append(
                .invalid(path.child("shareProcessNamespace"), .bool(true), "ShareProcessNamespace and HostPID cannot both be enabled"))
        }
        if let policy = context.fsGroupChangePolicy, policy != "Always" && policy != "OnRootMismatch" {
            errors.append(.notSupported(path.child("fsGroupChangePolicy"), .string(policy), ["Always", "OnRootMismatch"]))
        }
        return errors
    }

    static func dnsConfig(_ config: CoreV1.PodDNSConfig?, policy: String, path: Path) -> [FieldError] {
        if policy == "None" {
            guard let config else { return [.required(path, "must provide `dnsConfig` when `dnsPolicy` is None")] }
            if (config.nameservers ?? []).isEmpty {
                return [.required(path.child("nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None")]
            }
        }
        guard let config else { return [] }
        var errors: [FieldError] = []
        let nameservers = config.nameservers ?? []
        if nameservers.count > 3 {
            errors.append(.invalid(path.child("nameservers"), .stringSlice(nameservers), "must not have more than 3 nameservers"))
        }
        for (index, server) in nameservers.enumerated() where !ValidationFormats.isIP(server) {
            errors.append(.invalid(path.child("nameservers").index(index), .string(server), ValidationFormats.ipMessage))
        }
        let searches = config.searches ?? []
        if searches.count > 32 {
            errors.append(.invalid(path.child("searches"), .stringSlice(searches), "must not have more than 32 search paths"))
        }
        if searches.joined(separator: " ").utf8.count > 2048 {
            errors.append(
                .invalid(
                    path.child("searches"), .stringSlice(searches),
                    "must not have more than 2048 characters (including spaces) in the search list"))
        }
        for (index, search) in searches.enumerated() {
            let domain = search.hasSuffix(".") ? String(search.dropLast()) : search
            for message in ValidationFormats.dns1123Subdomain(domain) {
                errors.append(.invalid(path.child("searches").index(index), .string(domain), message))
            }
        }
        for (index, option) in (config.options ?? []).enumerated() where (option.name ?? "").isEmpty {
            errors.append(.required(path.child("options").index(index), "must not be empty"))
        }
        return errors
    }

    static func schedulingGates(_ gates: [CoreV1.PodSchedulingGate], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        var seen: Set<String> = []
        for (index, gate) in gates.enumerated() {
            for message in ValidationFormats.qualifiedName(gate.name) {
                errors.append(.invalid(path.index(index), .string(gate.name), message))
            }
            if seen.contains(gate.name) { errors.append(.duplicate(path.index(index), .string(gate.name))) }
            seen.insert(gate.name)
        }
        return errors
    }

    static func topologySpread(_ constraints: [CoreV1.TopologySpreadConstraint], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, constraint) in constraints.enumerated() {
            let itemPath = path.index(index)
            if constraint.maxSkew <= 0 {
                errors.append(.invalid(itemPath.child("maxSkew"), .int(constraint.maxSkew), FieldError.notPositiveMessage))
            }
            if constraint.topologyKey.isEmpty {
                errors.append(.required(itemPath.child("topologyKey"), "can not be empty"))
            } else {
                for message in ValidationFormats.qualifiedName(constraint.topologyKey) {
                    errors.append(.invalid(itemPath.child("topologyKey"), .string(constraint.topologyKey), message))
                }
            }
            let actions = ["DoNotSchedule", "ScheduleAnyway"]
            if !actions.contains(constraint.whenUnsatisfiable) {
                errors.append(.notSupported(itemPath.child("whenUnsatisfiable"), .string(constraint.whenUnsatisfiable), actions))
            }
            let repeated = constraints[(index + 1)...].contains {
                $0.topologyKey == constraint.topologyKey && $0.whenUnsatisfiable == constraint.whenUnsatisfiable
            }
            if repeated {
                errors.append(
                    .duplicate(
                        itemPath.child("{topologyKey, whenUnsatisfiable}"),
                        .raw("{\(constraint.topologyKey), \(constraint.whenUnsatisfiable)}")))
            }
            errors += LabelSelectorValidation.validate(constraint.labelSelector, path: itemPath.child("labelSelector"))
        }
        return errors
    }

    static func tolerations(_ tolerations: [CoreV1.Toleration], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, toleration) in tolerations.enumerated() {
            let itemPath = path.index(index)
            let key = toleration.key ?? ""
            let op = toleration.operator ?? ""
            let value = toleration.value ?? ""
            let effect = toleration.effect ?? ""
            if !key.isEmpty {
                for message in ValidationFormats.qualifiedName(key) {
                    errors.append(.invalid(itemPath.child("key"), .string(key), message))
                }
            }
            if key.isEmpty && op != "Exists" {
                errors.append(
                    .invalid(
                        itemPath.child("operator"), .string(op),
                        "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
            }
            if toleration.tolerationSeconds != nil && effect != "NoExecute" {
                errors.append(
                    .invalid(itemPath.child("effect"), .string(effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"))
            }
            switch op {
            case "Equal", "":
                let messages = ValidationFormats.labelValue(value)
                if !messages.isEmpty {
                    errors.append(.invalid(itemPath.child("operator"), .string(value), messages.joined(separator: ";")))
                }
            case "Exists":
                if !value.isEmpty {
                    errors.append(
                        .invalid(itemPath.child("operator"), .string(value), "value must be empty when `operator` is 'Exists'"))
                }
            default:
                errors.append(.notSupported(itemPath.child("operator"), .string(op), ["Equal", "Exists"]))
            }
            if !effect.isEmpty { errors += taintEffect(effect, path: itemPath.child("effect")) }
        }
        return errors
    }

    static func taintEffect(_ effect: String, path: Path) -> [FieldError] {
        let effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
        if effect.isEmpty { return [.required(path)] }
        return effects.contains(effect) ? [] : [.notSupported(path, .string(effect), effects)]
    }

    static func resourceClaims(_ claims: [CoreV1.PodResourceClaim], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        var names: Set<String> = []
        for (index, claim) in claims.enumerated() {
            let itemPath = path.index(index)
            if claim.name.isEmpty {
                errors.append(.required(itemPath.child("name")))
            } else if names.contains(claim.name) {
                errors.append(.duplicate(itemPath.child("name"), .string(claim.name)))
            } else {
                for message in ValidationFormats.dns1123Label(claim.name) {
                    errors.append(.invalid(itemPath.child("name"), .string(claim.name), message))
                }
                names.insert(claim.name)
            }
            let described = FieldError.Value.raw("core.PodResourceClaim{Name:\(FieldError.Value.goQuote(claim.name)), …}")
            if claim.resourceClaimName != nil && claim.resourceClaimTemplateName != nil {
                errors.append(
                    .invalid(itemPath, described, "at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified"))
            }
            if claim.resourceClaimName == nil && claim.resourceClaimTemplateName == nil {
                errors.append(.invalid(itemPath, described, "must specify one of: `resourceClaimName`, `resourceClaimTemplateName`"))
            }
        }
        return errors
    }

    // MARK: Helpers

    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(Substring(scalars[first...last]))
    }
}
