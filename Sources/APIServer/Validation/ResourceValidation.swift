import APIMachinery

/// Resource names and quantities (`cpu`, `memory`, `example.com/gpu`, quota names) and
/// container resource requirements, with core validation's messages.
enum ResourceValidation {
    typealias Path = FieldError.Path

    static let standardResources: Set<String> = [
        "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
        "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "services", "replicationcontrollers",
        "resourcequotas", "secrets", "persistentvolumeclaims", "configmaps", "storage", "requests.storage",
        "services.nodeports", "services.loadbalancers",
    ]
    static let standardContainerResources: Set<String> = ["cpu", "memory", "ephemeral-storage"]
    static let standardQuotaResources: Set<String> = [
        "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
        "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "services",
        "replicationcontrollers", "resourcequotas", "secrets", "persistentvolumeclaims", "configmaps",
        "services.nodeports", "services.loadbalancers",
    ]
    static let integerResources: Set<String> = [
        "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
        "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
    ]

    // MARK: Classification

    static func isHugePages(_ name: String) -> Bool { name.hasPrefix("hugepages-") }
    static func isQuotaHugePages(_ name: String) -> Bool { name.hasPrefix("requests.hugepages-") }

    /// Unprefixed names and `kubernetes.io/` names belong to Kubernetes.
    static func isNative(_ name: String) -> Bool { !name.contains("/") || name.contains("kubernetes.io/") }

    static func isExtended(_ name: String) -> Bool {
        if isNative(name) || name.hasPrefix("requests.") { return false }
        return ValidationFormats.qualifiedName("requests." + name).isEmpty
    }

    /// Native resources other than hugepages may be requested below their limit.
    static func isOvercommitAllowed(_ name: String) -> Bool { isNative(name) && !isHugePages(name) }

    static func isInteger(_ name: String) -> Bool { integerResources.contains(name) || isExtended(name) }

    static func isStandard(_ name: String) -> Bool {
        standardResources.contains(name) || isHugePages(name) || isQuotaHugePages(name)
    }

    // MARK: Names

    /// Any resource name: a qualified name, and a standard one when unprefixed.
    static func resourceName(_ name: String, path: Path) -> [FieldError] {
        let messages = ValidationFormats.qualifiedName(name)
        if !messages.isEmpty { return messages.map { FieldError.invalid(path, .string(name), $0) } }
        if !name.contains("/") && !isStandard(name) {
            return [.invalid(path, .string(name), "must be a standard resource type or fully qualified")]
        }
        return []
    }

    /// A resource a container may request: cpu, memory, ephemeral-storage, hugepages or extended.
    static func containerResourceName(_ name: String, path: Path) -> [FieldError] {
        var errors = resourceName(name, path: path)
        if !name.contains("/") {
            if !standardContainerResources.contains(name) && !isHugePages(name) {
                errors.append(.invalid(path, .string(name), "must be a standard resource for containers"))
            }
        } else if !isNative(name) && !isExtended(name) {
            errors.append(.invalid(path, .string(name), "doesn't follow extended resource name standard"))
        }
        return errors
    }

    static func quotaResourceName(_ name: String, path: Path) -> [FieldError] {
        var errors = resourceName(name, path: path)
        if !name.contains("/") && !standardQuotaResources.contains(name) && !isQuotaHugePages(name) {
            errors.append(.invalid(path, .string(name), "must be a standard resource for quota"))
        }
        return errors
    }

    // MARK: Quantities

    /// Not negative, and whole for integer resources.
    static func quantityValue(_ resource: String, _ quantity: Quantity, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        if quantity.sign < 0 {
            errors.append(.invalid(path, .string(quantity.description), FieldError.negativeMessage))
        }
        if isInteger(resource) && quantity.milliValue() % 1000 != 0 {
            errors.append(.invalid(path, .raw(quantity.description), "must be an integer"))
        }
        return errors
    }

    static func positiveQuantity(_ quantity: Quantity, path: Path) -> [FieldError] {
        quantity.sign > 0 ? [] : [.invalid(path, .string(quantity.description), FieldError.notPositiveMessage)]
    }

    // MARK: Requirements

    /// Container `resources`: names, values, requests not above limits, and limits set for
    /// resources that cannot be overcommitted.
    static func containerRequirements(
        _ requirements: CoreV1.ResourceRequirements?, podClaimNames: Set<String>, path: Path
    ) -> [FieldError] {
        guard let requirements else { return [] }
        var errors: [FieldError] = []
        let limitsPath = path.child("limits")
        let requestsPath = path.child("requests")
        let limits = requirements.limits ?? [:]
        let requests = requirements.requests ?? [:]
        var limitsHaveCPUOrMemory = false
        var requestsHaveCPUOrMemory = false
        var hasHugePages = false
        for name in limits.keys.sorted() {
            guard let quantity = limits[name] else { continue }
            let itemPath = limitsPath.key(name)
            errors += containerResourceName(name, path: itemPath)
            errors += quantityValue(name, quantity, path: itemPath)
            if isHugePages(name) { hasHugePages = true }
            if name == "cpu" || name == "memory" { limitsHaveCPUOrMemory = true }
        }
        for name in requests.keys.sorted() {
            guard let quantity = requests[name] else { continue }
            let itemPath = requestsPath.key(name)
            errors += containerResourceName(name, path: itemPath)
            errors += quantityValue(name, quantity, path: itemPath)
            if let limit = limits[name] {
                if quantity != limit && !isOvercommitAllowed(name) {
                    errors.append(
                        .invalid(
                            requestsPath, .string(quantity.description),
                            "must be equal to \(name) limit of \(limit.description)"))
                } else if limit < quantity {
                    errors.append(
                        .invalid(
                            requestsPath, .string(quantity.description),
                            "must be less than or equal to \(name) limit of \(limit.description)"))
                }
            } else if !isOvercommitAllowed(name) {
                errors.append(.required(limitsPath, "Limit must be set for non overcommitable resources"))
            }
            if isHugePages(name) { hasHugePages = true }
            if name == "cpu" || name == "memory" { requestsHaveCPUOrMemory = true }
        }
        if hasHugePages && !limitsHaveCPUOrMemory && !requestsHaveCPUOrMemory {
            errors.append(.forbidden(path, "HugePages require cpu or memory"))
        }
        var seen: Set<String> = []
        for (index, claim) in (requirements.claims ?? []).enumerated() {
            let itemPath = path.child("claims").index(index)
            if claim.name.isEmpty {
                errors.append(.required(itemPath))
                continue
            }
            let key = claim.name + ((claim.request ?? "").isEmpty ? "" : "/" + (claim.request ?? ""))
            if seen.contains(key) { errors.append(.duplicate(itemPath, .string(key))) }
            seen.insert(key)
            if !podClaimNames.contains(claim.name) {
                var error = FieldError.notFound(itemPath, .string(claim.name))
                error.detail = "must be one of the names in pod.spec.resourceClaims"
                    + (podClaimNames.isEmpty ? " which is empty" : ": " + podClaimNames.sorted().joined(separator: ", "))
                errors.append(error)
            }
        }
        return errors
    }
}
