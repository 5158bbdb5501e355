import APIMachinery

/// StorageClasses (storage validation): a provisioner that is a qualified name once
/// lowercased, at most 512 parameters of at most 256 KiB in total with non-empty keys,
/// `Delete` or `Retain` reclaim policy, `Immediate` or `WaitForFirstConsumer` binding, and
/// allowed topologies whose terms are valid and distinct. Provisioner, parameters, reclaim
/// policy and binding mode are fixed after creation. Objects are expected defaulted
/// (reclaim policy and binding mode set); a missing binding mode is `Required`.
extension StorageValidation {
    static let classReclaimPolicies = ["Delete", "Retain"]
    static let volumeBindingModes = ["Immediate", "WaitForFirstConsumer"]
    static let maxParameterCount = 512
    static let maxParameterBytes = 256 * 1024

    static func validateStorageClass(_ storageClass: StorageV1.StorageClass) -> [FieldError] {
        var errors: [FieldError] = []
        let provisioner = storageClass.provisioner
        if provisioner.isEmpty {
            errors.append(.required("provisioner"))
        } else {
            let lowered = provisioner.lowercased()
            errors += ValidationFormats.qualifiedName(lowered).map { FieldError.invalid("provisioner", .string(lowered), $0) }
        }
        errors += parameters(storageClass.parameters, path: "parameters")
        if let policy = storageClass.reclaimPolicy, !policy.isEmpty, !classReclaimPolicies.contains(policy) {
            errors.append(.notSupported("reclaimPolicy", .string(policy), classReclaimPolicies))
        }
        if let mode = storageClass.volumeBindingMode {
            if !volumeBindingModes.contains(mode) {
                errors.append(.notSupported("volumeBindingMode", .string(mode), volumeBindingModes))
            }
        } else {
            errors.append(.required("volumeBindingMode"))
        }
        errors += allowedTopologies(storageClass.allowedTopologies ?? [], path: "allowedTopologies")
        return errors
    }

    /// The class's own rules, then the fields that may not change (`parameters` compares nil
    /// and empty as different, as upstream's `reflect.DeepEqual` does).
    static func validateStorageClassUpdate(_ new: StorageV1.StorageClass, old: StorageV1.StorageClass) -> [FieldError] {
        var errors = validateStorageClass(new)
        if new.parameters != old.parameters {
            errors.append(.forbidden("parameters", "updates to parameters are forbidden."))
        }
        if new.provisioner != old.provisioner {
            errors.append(.forbidden("provisioner", "updates to provisioner are forbidden."))
        }
        if (new.reclaimPolicy ?? "") != (old.reclaimPolicy ?? "") {
            errors.append(.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."))
        }
        if new.volumeBindingMode != old.volumeBindingMode {
            errors.append(.immutable("volumeBindingMode", .optionalString(new.volumeBindingMode)))
        }
        return errors
    }

    static func parameters(_ parameters: [String: String]?, path: Path) -> [FieldError] {
        let parameters = parameters ?? [:]
        if parameters.count > maxParameterCount { return [.tooLong(path, max: maxParameterCount)] }
        var errors: [FieldError] = []
        var total = 0
        for key in parameters.keys.sorted() {
            if key.isEmpty { errors.append(.invalid(path, .string(key), "field can not be empty.")) }
            total += key.utf8.count + (parameters[key]?.utf8.count ?? 0)
        }
        if total > maxParameterBytes { errors.append(.tooLong(path, max: maxParameterBytes)) }
        return errors
    }

    /// Each term valid; a term equal to an earlier one (or empty, which upstream compares
    /// equal to its pre-sized placeholder entries) is a duplicate.
    static func allowedTopologies(_ terms: [CoreV1.TopologySelectorTerm], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        var seen: [[String: Set<String>]] = []
        for (index, term) in terms.enumerated() {
            let (expressions, termErrors) = NodeSelectorValidation.topologyTerm(term, path: path.index(index))
            errors += termErrors
            if expressions.isEmpty || seen.contains(expressions) {
                errors.append(.duplicate(path.index(index).child("matchLabelExpressions"), .string("")))
            }
            seen.append(expressions)
        }
        return errors
    }
}
