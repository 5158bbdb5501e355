import APIMachinery

/// ResourceQuotas (resource names, values, scopes) and LimitRanges (types, resource names,
/// and the ordering min ≤ defaultRequest ≤ default ≤ max).
enum QuotaValidation {
    typealias Path = FieldError.Path

    static let scopes: Set<String> = [
        "Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity",
        "VolumeAttributesClass",
    ]
    static let limitTypes: Set<String> = ["Pod", "Container", "PersistentVolumeClaim"]

    // MARK: ResourceQuota

    static func validateQuota(_ quota: CoreV1.ResourceQuota) -> [FieldError] {
        let spec = quota.spec ?? CoreV1.ResourceQuotaSpec()
        var errors = resourceList(spec.hard, path: "spec.hard")
        let scopesPath: Path = "spec.scopes"
        let list = spec.scopes ?? []
        let rendered = FieldError.Value.raw(FieldError.Value.goStringSlice(list, type: "[]core.ResourceQuotaScope"))
        for scope in list where !scopes.contains(scope) {
            errors.append(.invalid(scopesPath, rendered, "unsupported scope"))
        }
        let present = Set(list)
        for pair in [["BestEffort", "NotBestEffort"], ["Terminating", "NotTerminating"]] where pair.allSatisfy({ present.contains($0) }) {
            errors.append(.invalid(scopesPath, rendered, "conflicting scopes"))
        }
        let expressionsPath: Path = "spec.scopeSelector.matchExpressions"
        for requirement in spec.scopeSelector?.matchExpressions ?? [] {
            if !scopes.contains(requirement.scopeName) {
                errors.append(.invalid(expressionsPath.child("scopeName"), .string(requirement.scopeName), "unsupported scope"))
            }
            let values = requirement.values ?? []
            switch requirement.operator {
            case "In", "NotIn":
                if values.isEmpty {
                    errors.append(
                        .required(
                            expressionsPath.child("values"),
                            "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"))
                }
            case "Exists", "DoesNotExist":
                if !values.isEmpty {
                    errors.append(
                        .invalid(
                            expressionsPath.child("values"), .stringSlice(values),
                            "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"))
                }
            default:
                errors.append(.invalid(expressionsPath.child("operator"), .string(requirement.operator), "not a valid selector operator"))
            }
        }
        errors += resourceList(quota.status?.hard, path: "status.hard")
        errors += resourceList(quota.status?.used, path: "status.used")
        return errors
    }

    static func resourceList(_ list: [String: Quantity]?, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        for name in (list ?? [:]).keys.sorted() {
            guard let quantity = list?[name] else { continue }
            errors += ResourceValidation.quotaResourceName(name, path: path.key(name))
            errors += ResourceValidation.quantityValue(name, quantity, path: path.key(name))
        }
        return errors
    }

    static func validateQuotaUpdate(_ new: CoreV1.ResourceQuota, old: CoreV1.ResourceQuota) -> [FieldError] {
        let newScopes = new.spec?.scopes ?? []
        if Set(newScopes) != Set(old.spec?.scopes ?? []) {
            let rendered = FieldError.Value.raw(FieldError.Value.goStringSlice(new.spec?.scopes, type: "[]core.ResourceQuotaScope"))
            return [.immutable("spec.scopes", rendered)]
        }
        return []
    }

    // MARK: LimitRange

    static func validateLimitRange(_ limitRange: CoreV1.LimitRange) -> [FieldError] {
        var errors: [FieldError] = []
        var types: Set<String> = []
        let limitsPath: Path = "spec.limits"
        for (index, limit) in (limitRange.spec?.limits ?? []).enumerated() {
            let itemPath = limitsPath.index(index)
            let typeMessages = ValidationFormats.qualifiedName(limit.type)
            errors += typeMessages.map { FieldError.invalid(itemPath.child("type"), .string(limit.type), $0) }
            if typeMessages.isEmpty && !limit.type.contains("/") && !limitTypes.contains(limit.type) {
                errors.append(.invalid(itemPath.child("type"), .string(limit.type), "must be a standard limit type or fully qualified"))
            }
            if types.contains(limit.type) { errors.append(.duplicate(itemPath.child("type"), .string(limit.type))) }
            types.insert(limit.type)

            func names(_ list: [String: Quantity]?, _ field: String) {
                for name in (list ?? [:]).keys.sorted() {
                    let namePath = itemPath.child(field).key(name)
                    if limit.type == "Pod" || limit.type == "Container" {
                        errors += ResourceValidation.containerResourceName(name, path: namePath)
                    } else {
                        errors += ResourceValidation.resourceName(name, path: namePath)
                    }
                }
            }
            names(limit.max, "max")
            names(limit.min, "min")
            if limit.type == "Pod" {
                if !(limit.default ?? [:]).isEmpty {
                    errors.append(.forbidden(itemPath.child("default"), "may not be specified when `type` is 'Pod'"))
                }
                if !(limit.defaultRequest ?? [:]).isEmpty {
                    errors.append(.forbidden(itemPath.child("defaultRequest"), "may not be specified when `type` is 'Pod'"))
                }
            } else {
                names(limit.default, "default")
                names(limit.defaultRequest, "defaultRequest")
            }
            if limit.type == "PersistentVolumeClaim" && limit.min?["storage"] == nil && limit.max?["storage"] == nil {
                errors.append(
                    .required(itemPath.child("limits"), "either minimum or maximum storage value is required, but neither was provided"))
            }
            names(limit.maxLimitRequestRatio, "maxLimitRequestRatio")
            errors += orderings(limit, path: itemPath)
        }
        return errors
    }

    private static func orderings(_ limit: CoreV1.LimitRangeItem, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let minimum = limit.min ?? [:]
        let maximum = limit.max ?? [:]
        let defaults = limit.type == "Pod" ? [:] : (limit.default ?? [:])
        let requests = limit.type == "Pod" ? [:] : (limit.defaultRequest ?? [:])
        let ratios = limit.maxLimitRequestRatio ?? [:]
        var keys = Set(minimum.keys).union(maximum.keys).union(defaults.keys).union(requests.keys).union(ratios.keys)
        keys = keys.filter { !$0.isEmpty }
        for key in keys.sorted() {
            let low = minimum[key]
            let high = maximum[key]
            let fallback = defaults[key]
            let request = requests[key]
            if let low, let high, high < low {
                errors.append(
                    .invalid(path.child("min").key(key), .raw(low.description), "min value \(low) is greater than max value \(high)"))
            }
            if let request, let low, request < low {
                errors.append(
                    .invalid(
                        path.child("defaultRequest").key(key), .raw(request.description),
                        "min value \(low) is greater than default request value \(request)"))
            }
            if let request, let high, high < request {
                errors.append(
                    .invalid(
                        path.child("defaultRequest").key(key), .raw(request.description),
                        "default request value \(request) is greater than max value \(high)"))
            }
            if let request, let fallback, fallback < request {
                errors.append(
                    .invalid(
                        path.child("defaultRequest").key(key), .raw(request.description),
                        "default request value \(request) is greater than default limit value \(fallback)"))
            }
            if let fallback, let low, fallback < low {
                errors.append(
                    .invalid(path.child("default").key(key), .raw(low.description), "min value \(low) is greater than default value \(fallback)"))
            }
            if let fallback, let high, high < fallback {
                errors.append(
                    .invalid(path.child("default").key(key), .raw(high.description), "default value \(fallback) is greater than max value \(high)"))
            }
            if let ratio = ratios[key], ratio < Quantity(integer: 1) {
                errors.append(
                    .invalid(path.child("maxLimitRequestRatio").key(key), .raw(ratio.description), "ratio \(ratio) is less than 1"))
            }
            if !ResourceValidation.isOvercommitAllowed(key), let fallback, let request, fallback != request {
                errors.append(
                    .invalid(
                        path.child("defaultRequest").key(key), .raw(request.description),
                        "default value \(fallback) must equal to defaultRequest value \(request) in \(key)"))
            }
        }
        return errors
    }
}
