import APIMachinery

/// PersistentVolumeClaims: access modes, a positive storage request, class and mode names,
/// data sources, and the claim's immutability after creation.
enum StorageValidation {
    typealias Path = FieldError.Path

    static let accessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]

    /// Each access mode known, and ReadWriteOncePod alone (claims and volumes share the rule).
    static func accessModeErrors(_ modes: [String], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        var hasOncePod = false
        var hasOther = false
        for mode in modes {
            if !accessModes.contains(mode) {
                errors.append(.notSupported(path, .string(mode), accessModes))
            }
            if mode == "ReadWriteOncePod" {
                hasOncePod = true
            } else if accessModes.contains(mode) {
                hasOther = true
            }
        }
        if hasOncePod && hasOther {
            errors.append(.forbidden(path, "may not use ReadWriteOncePod with other access modes"))
        }
        return errors
    }
    static let volumeModes = ["Block", "Filesystem"]

    static func validateClaim(_ claim: CoreV1.PersistentVolumeClaim) -> [FieldError] {
        claimSpec(claim.spec ?? CoreV1.PersistentVolumeClaimSpec(), path: "spec")
    }

    /// `ValidatePersistentVolumeClaimSpec` at `path`.
    static func claimSpec(_ spec: CoreV1.PersistentVolumeClaimSpec, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let modes = spec.accessModes ?? []
        if modes.isEmpty {
            errors.append(.required(path.child("accessModes"), "at least 1 access mode is required"))
        }
        errors += LabelSelectorValidation.validate(spec.selector, path: path.child("selector"))
        errors += accessModeErrors(modes, path: path.child("accessModes"))
        let storagePath = path.child("resources").key("storage")
        if let storage = spec.resources?.requests?["storage"] {
            let positive = ResourceValidation.positiveQuantity(storage, path: storagePath)
            errors += positive.isEmpty ? ResourceValidation.quantityValue("storage", storage, path: storagePath) : positive
        } else {
            errors.append(.required(storagePath))
        }
        if let className = spec.storageClassName, !className.isEmpty {
            for message in ValidationFormats.dns1123Subdomain(className) {
                errors.append(.invalid(path.child("storageClassName"), .string(className), message))
            }
        }
        if let mode = spec.volumeMode, !volumeModes.contains(mode) {
            errors.append(.notSupported(path.child("volumeMode"), .string(mode), volumeModes))
        }
        if let source = spec.dataSource {
            errors += dataSource(name: source.name, kind: source.kind, apiGroup: source.apiGroup, path: path.child("dataSource"))
        }
        if let source = spec.dataSourceRef {
            let refPath = path.child("dataSourceRef")
            errors += dataSource(name: source.name, kind: source.kind, apiGroup: source.apiGroup, path: refPath)
            if let namespace = source.namespace, !namespace.isEmpty {
                for message in ValidationFormats.dns1123Label(namespace) {
                    errors.append(.invalid(refPath.child("namespace"), .string(namespace), message))
                }
            }
        }
        return errors
    }

    private static func dataSource(name: String, kind: String, apiGroup: String?, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        if name.isEmpty { errors.append(.required(path.child("name"))) }
        if kind.isEmpty { errors.append(.required(path.child("kind"))) }
        let group = apiGroup ?? ""
        if group.isEmpty && kind != "PersistentVolumeClaim" {
            errors.append(.invalid(path, .string(kind), "must be 'PersistentVolumeClaim' when referencing the default apiGroup"))
        }
        if !group.isEmpty {
            for message in ValidationFormats.dns1123Subdomain(group) {
                errors.append(.invalid(path.child("apiGroup"), .string(group), message))
            }
        }
        return errors
    }

    /// After creation only `volumeName` (once), a missing `storageClassName`, and for bound
    /// claims the storage request may change; the request may not shrink below the capacity.
    static func validateClaimUpdate(_ new: CoreV1.PersistentVolumeClaim, old: CoreV1.PersistentVolumeClaim, newTree: JSONValue, oldTree: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        let spec = new.spec ?? CoreV1.PersistentVolumeClaimSpec()
        let oldSpec = old.spec ?? CoreV1.PersistentVolumeClaimSpec()
        var newSpecTree = newTree["spec"] ?? .object(JSONObject())
        var oldSpecTree = oldTree["spec"] ?? .object(JSONObject())
        if (oldSpec.volumeName ?? "").isEmpty {
            oldSpecTree.setMember("volumeName", newSpecTree["volumeName"])
        }
        if oldSpec.storageClassName == nil && spec.storageClassName != nil {
            newSpecTree.setMember("storageClassName", nil)
        }
        if new.status?.phase == "Bound" {
            newSpecTree.editMember("resources") { resources in
                resources.editMember("requests") { requests in
                    requests.setMember("storage", oldSpecTree["resources"]?["requests"]?["storage"])
                }
            }
        }
        let before = oldSpecTree.prunedOfEmpty
        let after = newSpecTree.prunedOfEmpty
        if before != after {
            errors.append(
                .forbidden(
                    "spec",
                    "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n"
                        + PodValidation.specDiff(old: before, new: after, typeName: "core.PersistentVolumeClaimSpec")))
        }
        if let newSize = spec.resources?.requests?["storage"], let oldSize = oldSpec.resources?.requests?["storage"], newSize < oldSize {
            let capacity = old.status?.capacity?["storage"] ?? Quantity.zero
            if !(capacity < newSize) {
                errors.append(.forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"))
            }
        }
        if spec.volumeMode != oldSpec.volumeMode {
            errors.append(.immutable("volumeMode", .optionalString(spec.volumeMode)))
        }
        return errors
    }
}
