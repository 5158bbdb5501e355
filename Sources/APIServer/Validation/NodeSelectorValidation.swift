import APIMachinery

/// Node selectors (`ValidateNodeSelector`, used by persistent volume node affinity) and
/// topology selector terms (`ValidateTopologySelectorTerm`, used by StorageClass
/// `allowedTopologies`), with core validation's messages.
enum NodeSelectorValidation {
    typealias Path = FieldError.Path

    /// At least one term; every term's label expressions and field expressions checked.
    /// `allowInvalidLabelValues` skips the label-value check of expression values, as upstream
    /// does on updates of objects that already hold such values.
    static func nodeSelector(_ selector: CoreV1.NodeSelector, allowInvalidLabelValues: Bool = false, path: Path) -> [FieldError] {
        let termsPath = path.child("nodeSelectorTerms")
        if selector.nodeSelectorTerms.isEmpty {
            return [.required(termsPath, "must have at least one node selector term")]
        }
        var errors: [FieldError] = []
        for (index, term) in selector.nodeSelectorTerms.enumerated() {
            errors += self.term(term, allowInvalidLabelValues: allowInvalidLabelValues, path: termsPath.index(index))
        }
        return errors
    }

    static func term(_ term: CoreV1.NodeSelectorTerm, allowInvalidLabelValues: Bool, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, requirement) in (term.matchExpressions ?? []).enumerated() {
            errors += self.requirement(
                requirement, allowInvalidLabelValues: allowInvalidLabelValues, path: path.child("matchExpressions").index(index))
        }
        for (index, requirement) in (term.matchFields ?? []).enumerated() {
            errors += fieldRequirement(requirement, path: path.child("matchFields").index(index))
        }
        return errors
    }

    static func requirement(_ requirement: CoreV1.NodeSelectorRequirement, allowInvalidLabelValues: Bool, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let values = requirement.values ?? []
        switch requirement.operator {
        case "In", "NotIn":
            if values.isEmpty {
                errors.append(.required(path.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
            }
        case "Exists", "DoesNotExist":
            if !values.isEmpty {
                errors.append(.forbidden(path.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
            }
        case "Gt", "Lt":
            if values.count != 1 {
                errors.append(.required(path.child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"))
            }
        default:
            errors.append(.invalid(path.child("operator"), .string(requirement.operator), "not a valid selector operator"))
        }
        errors += ValidationFormats.qualifiedName(requirement.key).map {
            FieldError.invalid(path.child("key"), .string(requirement.key), $0)
        }
        if !allowInvalidLabelValues {
            for (index, value) in values.enumerated() {
                let valuePath = path.child("values").index(index)
                errors += ValidationFormats.labelValue(value).map { FieldError.invalid(valuePath, .string(value), $0) }
            }
        }
        return errors
    }

    /// Field expressions select on `metadata.name` only, with exactly one value.
    static func fieldRequirement(_ requirement: CoreV1.NodeSelectorRequirement, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let values = requirement.values ?? []
        switch requirement.operator {
        case "In", "NotIn":
            if values.count != 1 {
                errors.append(
                    .required(path.child("values"), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
            }
        default:
            errors.append(.invalid(path.child("operator"), .string(requirement.operator), "not a valid selector operator"))
        }
        if requirement.key != "metadata.name" {
            errors.append(.invalid(path.child("key"), .string(requirement.key), "not a valid field selector key"))
        } else {
            for (index, value) in values.enumerated() {
                let valuePath = path.child("values").index(index)
                errors += ValidationFormats.dns1123Subdomain(value).map { FieldError.invalid(valuePath, .string(value), $0) }
            }
        }
        return errors
    }

    /// True when any expression value of the terms is not a valid label value.
    static func hasInvalidLabelValues(_ terms: [CoreV1.NodeSelectorTerm]) -> Bool {
        terms.contains { term in
            (term.matchExpressions ?? []).contains { requirement in
                (requirement.values ?? []).contains { !ValidationFormats.labelValue($0).isEmpty }
            }
        }
    }

    // MARK: Topology terms

    /// The errors of one topology term and its expressions as a map from key to value set
    /// (for duplicate-term detection): values required and unique, keys qualified names and
    /// unique within the term.
    static func topologyTerm(
        _ term: CoreV1.TopologySelectorTerm, path: Path
    ) -> (expressions: [String: Set<String>], errors: [FieldError]) {
        var errors: [FieldError] = []
        var expressions: [String: Set<String>] = [:]
        let expressionsPath = path.child("matchLabelExpressions")
        for (index, requirement) in (term.matchLabelExpressions ?? []).enumerated() {
            let itemPath = expressionsPath.index(index)
            let valuesPath = itemPath.child("values")
            if requirement.values.isEmpty { errors.append(.required(valuesPath)) }
            var values: Set<String> = []
            for (valueIndex, value) in requirement.values.enumerated() where !values.insert(value).inserted {
                errors.append(.duplicate(valuesPath.index(valueIndex), .string(value)))
            }
            errors += ValidationFormats.qualifiedName(requirement.key).map {
                FieldError.invalid(itemPath.child("key"), .string(requirement.key), $0)
            }
            if expressions[requirement.key] != nil {
                errors.append(.duplicate(itemPath.child("key"), .string(requirement.key)))
            }
            expressions[requirement.key] = values
        }
        return (expressions, errors)
    }
}
