import APIMachinery

/// PersistentVolumes (`ValidatePersistentVolume` / `ValidatePersistentVolumeUpdate`): access
/// modes, a positive `storage` capacity and nothing else, a known reclaim policy and volume
/// mode, a valid required node affinity, exactly one volume source with its own required
/// fields (see `StorageValidation+VolumeSources`), and a DNS-subdomain class name. After
/// creation the volume source (except a newly added CSI `controllerExpandSecretRef`), the
/// volume mode and the node affinity (except beta-to-GA label keys) are fixed.
///
/// `claimRef` has no rules upstream outside inline volumes. `volumeAttributesClassName` is
/// ignored: its feature gate is off by default in 1.32, where the field is dropped on write.
extension StorageValidation {
    static let reclaimPolicies = ["Delete", "Recycle", "Retain"]

    /// Beta node label keys that node affinity may be rewritten to on update.
    static let betaToGALabels = [
        "failure-domain.beta.kubernetes.io/zone": "topology.kubernetes.io/zone",
        "failure-domain.beta.kubernetes.io/region": "topology.kubernetes.io/region",
        "beta.kubernetes.io/os": "kubernetes.io/os",
        "beta.kubernetes.io/arch": "kubernetes.io/arch",
        "beta.kubernetes.io/instance-type": "node.kubernetes.io/instance-type",
    ]

    /// The JSON names of the members of `PersistentVolumeSource` in a PV spec.
    static let persistentVolumeSourceKeys: Set<String> = [
        "gcePersistentDisk", "awsElasticBlockStore", "hostPath", "glusterfs", "nfs", "rbd", "iscsi", "cinder", "cephfs", "fc",
        "flocker", "flexVolume", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
        "portworxVolume", "scaleIO", "local", "storageos", "csi",
    ]

    static func validatePersistentVolume(_ volume: CoreV1.PersistentVolume, allowInvalidNodeAffinityValues: Bool = false) -> [FieldError] {
        persistentVolumeSpec(
            volume.spec ?? CoreV1.PersistentVolumeSpec(), name: volume.metadata?.name ?? "",
            allowInvalidNodeAffinityValues: allowInvalidNodeAffinityValues, path: "spec")
    }

    /// `ValidatePersistentVolumeSpec` for a stand-alone (not inline) volume.
    static func persistentVolumeSpec(
        _ spec: CoreV1.PersistentVolumeSpec, name: String, allowInvalidNodeAffinityValues: Bool, path: Path
    ) -> [FieldError] {
        var errors: [FieldError] = []
        let modes = spec.accessModes ?? []
        if modes.isEmpty { errors.append(.required(path.child("accessModes"))) }
        errors += accessModeErrors(modes, path: path.child("accessModes"))

        let capacityPath = path.child("capacity")
        let capacity = spec.capacity ?? [:]
        if capacity.isEmpty { errors.append(.required(capacityPath)) }
        if capacity["storage"] == nil || capacity.count > 1 {
            errors.append(.notSupported(capacityPath, .goResourceList(spec.capacity), ["storage"]))
        }
        for resource in capacity.keys.sorted() {
            guard let quantity = capacity[resource] else { continue }
            let itemPath = capacityPath.key(resource)
            if quantity.value() < 0 {
                errors.append(.invalid(itemPath, .int(quantity.value()), "must be a valid resource quantity"))
            }
            errors += ResourceValidation.positiveQuantity(quantity, path: itemPath)
        }

        if let policy = spec.persistentVolumeReclaimPolicy, !policy.isEmpty, !reclaimPolicies.contains(policy) {
            errors.append(.notSupported(path.child("persistentVolumeReclaimPolicy"), .string(policy), reclaimPolicies))
        }

        let nodeAffinityPath = path.child("nodeAffinity")
        if let affinity = spec.nodeAffinity {
            if let required = affinity.required {
                errors += NodeSelectorValidation.nodeSelector(
                    required, allowInvalidLabelValues: allowInvalidNodeAffinityValues, path: nodeAffinityPath.child("required"))
            } else {
                errors.append(.required(nodeAffinityPath.child("required"), "must specify required node constraints"))
            }
        }

        errors += persistentVolumeSources(spec, name: name, path: path)

        if let hostPath = spec.hostPath, cleanPath(hostPath.path) == "/", spec.persistentVolumeReclaimPolicy == "Recycle" {
            errors.append(.forbidden(path.child("persistentVolumeReclaimPolicy"), "may not be 'recycle' for a hostPath mount of '/'"))
        }
        if let className = spec.storageClassName, !className.isEmpty {
            errors += ValidationFormats.dns1123Subdomain(className).map {
                FieldError.invalid(path.child("storageClassName"), .string(className), $0)
            }
        }
        if let mode = spec.volumeMode, !volumeModes.contains(mode) {
            errors.append(.notSupported(path.child("volumeMode"), .string(mode), volumeModes))
        }
        return errors
    }

    /// The new object's rules (node affinity label values are not re-checked when the old
    /// volume already held invalid ones), then what may not change.
    static func validatePersistentVolumeUpdate(
        _ new: CoreV1.PersistentVolume, old: CoreV1.PersistentVolume, newTree: JSONValue, oldTree: JSONValue
    ) -> [FieldError] {
        let spec = new.spec ?? CoreV1.PersistentVolumeSpec()
        let oldSpec = old.spec ?? CoreV1.PersistentVolumeSpec()
        let allowInvalid = NodeSelectorValidation.hasInvalidLabelValues(oldSpec.nodeAffinity?.required?.nodeSelectorTerms ?? [])
        var errors = validatePersistentVolume(new, allowInvalidNodeAffinityValues: allowInvalid)

        var newSource = volumeSourceTree(newTree["spec"])
        let oldSource = volumeSourceTree(oldTree["spec"])
        if oldSpec.csi != nil && oldSpec.csi?.controllerExpandSecretRef == nil && spec.csi?.controllerExpandSecretRef != nil {
            newSource.editMember("csi") { $0.setMember("controllerExpandSecretRef", nil) }
        }
        let before = oldSource.prunedOfEmpty
        let after = newSource.prunedOfEmpty
        if before != after {
            errors.append(
                .forbidden(
                    "spec.persistentvolumesource",
                    "spec.persistentvolumesource is immutable after creation\n"
                        + PodValidation.specDiff(old: before, new: after, typeName: "core.PersistentVolumeSource")))
        }
        if spec.volumeMode != oldSpec.volumeMode {
            errors.append(.immutable("volumeMode", .optionalString(spec.volumeMode)))
        }
        if let oldAffinity = oldSpec.nodeAffinity, !sameNodeAffinity(new: spec.nodeAffinity, old: oldAffinity) {
            let rendered: FieldError.Value
            if let affinity = spec.nodeAffinity {
                rendered = .raw(
                    "core.VolumeNodeAffinity{Required:(*core.NodeSelector)(\(affinity.required == nil ? "nil" : "…"))}")
            } else {
                rendered = .null
            }
            errors.append(.invalid("nodeAffinity", rendered, FieldError.immutableMessage + ", except for updating from beta label to GA"))
        }
        return errors
    }

    /// The members of a PV spec tree that make up its `PersistentVolumeSource`.
    static func volumeSourceTree(_ specTree: JSONValue?) -> JSONValue {
        guard case .object(let spec)? = specTree else { return .object(JSONObject()) }
        return .object(JSONObject(members: spec.members.filter { persistentVolumeSourceKeys.contains($0.key) }))
    }

    /// Semantic equality of node affinities where an old beta label key may have become its GA key.
    static func sameNodeAffinity(new: CoreV1.VolumeNodeAffinity?, old: CoreV1.VolumeNodeAffinity) -> Bool {
        guard let new else { return false }
        guard let newRequired = new.required, let oldRequired = old.required else {
            return new.required == nil && old.required == nil
        }
        let newTerms = newRequired.nodeSelectorTerms
        let oldTerms = oldRequired.nodeSelectorTerms
        guard newTerms.count == oldTerms.count else { return false }
        func same(_ new: [CoreV1.NodeSelectorRequirement]?, _ old: [CoreV1.NodeSelectorRequirement]?) -> Bool {
            let new = new ?? []
            let old = old ?? []
            guard new.count == old.count else { return false }
            return zip(new, old).allSatisfy { newRequirement, oldRequirement in
                let keyMatches = newRequirement.key == oldRequirement.key || betaToGALabels[oldRequirement.key] == newRequirement.key
                return keyMatches && newRequirement.operator == oldRequirement.operator
                    && (newRequirement.values ?? []) == (oldRequirement.values ?? [])
            }
        }
        return zip(newTerms, oldTerms).allSatisfy { newTerm, oldTerm in
            same(newTerm.matchExpressions, oldTerm.matchExpressions) && same(newTerm.matchFields, oldTerm.matchFields)
        }
    }

    /// Go's `path.Clean` for the purpose of recognising `/`.
    static func cleanPath(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." {
                if parts.last.map({ $0 != ".." }) ?? false {
                    parts.removeLast()
                } else if !path.hasPrefix("/") {
                    parts.append(part)
                }
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if path.hasPrefix("/") { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
