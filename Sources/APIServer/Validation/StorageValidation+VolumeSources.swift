import APIMachinery

/// The volume source of a PersistentVolume: exactly one is set (a second one is `Forbidden` at
/// its own path, except that a FlexVolume is never reported as the extra one, as upstream),
/// and each has its required fields checked with upstream's paths, including the
/// `persistentDisk` path for GCE disks and `cephFS` for the second-source error.
extension StorageValidation {
    static let partitionMessage = ValidationFormats.inclusiveRangeError(1, 255)
    static let azureCachingModes = ["None", "ReadOnly", "ReadWrite"]
    static let azureDiskKinds = ["Dedicated", "Managed", "Shared"]

    static func persistentVolumeSources(_ spec: CoreV1.PersistentVolumeSpec, name: String, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        var count = 0
        /// Counts a set source; a second one is forbidden unless `alwaysCounted` (FlexVolume).
        func visit(_ forbiddenKey: String, alwaysCounted: Bool = false, _ check: () -> [FieldError]) {
            if count > 0 && !alwaysCounted {
                errors.append(.forbidden(path.child(forbiddenKey), "may not specify more than 1 volume type"))
                return
            }
            count += 1
            errors += check()
        }
        if let source = spec.hostPath {
            visit("hostPath") { hostPath(source, path: path.child("hostPath")) }
        }
        if let source = spec.gcePersistentDisk {
            visit("gcePersistentDisk") {
                var errors = requiredText(source.pdName, path.child("persistentDisk", "pdName"))
                errors += partition(source.partition, path: path.child("persistentDisk", "partition"))
                return errors
            }
        }
        if let source = spec.awsElasticBlockStore {
            visit("awsElasticBlockStore") {
                var errors = requiredText(source.volumeID, path.child("awsElasticBlockStore", "volumeID"))
                errors += partition(source.partition, path: path.child("awsElasticBlockStore", "partition"))
                return errors
            }
        }
        if let source = spec.glusterfs {
            visit("glusterfs") { glusterfs(source, path: path.child("glusterfs")) }
        }
        if let source = spec.flocker {
            visit("flocker") { flocker(source, path: path.child("flocker")) }
        }
        if let source = spec.nfs {
            visit("nfs") { nfs(source, path: path.child("nfs")) }
        }
        if let source = spec.rbd {
            visit("rbd") {
                (source.monitors.isEmpty ? [.required(path.child("rbd", "monitors"))] : [])
                    + requiredText(source.image, path.child("rbd", "image"))
            }
        }
        if let source = spec.quobyte {
            visit("quobyte") { quobyte(source, path: path.child("quobyte")) }
        }
        if let source = spec.cephfs {
            visit("cephFS") { source.monitors.isEmpty ? [.required(path.child("cephfs", "monitors"))] : [] }
        }
        if let source = spec.iscsi {
            visit("iscsi") { iscsi(source, volumeName: name, path: path.child("iscsi")) }
        }
        if let source = spec.cinder {
            visit("cinder") {
                var errors = requiredText(source.volumeID, path.child("cinder", "volumeID"))
                if let secret = source.secretRef {
                    errors += requiredText(secret.name ?? "", path.child("cinder", "secretRef", "name"))
                    errors += requiredText(secret.namespace ?? "", path.child("cinder", "secretRef", "namespace"))
                }
                return errors
            }
        }
        if let source = spec.fc {
            visit("fc") { fibreChannel(source, path: path.child("fc")) }
        }
        if let source = spec.flexVolume {
            visit("flexVolume", alwaysCounted: true) { flexVolume(source, path: path.child("flexVolume")) }
        }
        if let source = spec.azureFile {
            visit("azureFile") {
                var errors = requiredText(source.secretName, path.child("azureFile", "secretName"))
                errors += requiredText(source.shareName, path.child("azureFile", "shareName"))
                if let namespace = source.secretNamespace, namespace.isEmpty {
                    errors.append(.required(path.child("azureFile", "secretNamespace")))
                }
                return errors
            }
        }
        if let source = spec.vsphereVolume {
            visit("vsphereVolume") { requiredText(source.volumePath, path.child("vsphereVolume", "volumePath")) }
        }
        if let source = spec.photonPersistentDisk {
            visit("photonPersistentDisk") { requiredText(source.pdID, path.child("photonPersistentDisk", "pdID")) }
        }
        if let source = spec.portworxVolume {
            visit("portworxVolume") { requiredText(source.volumeID, path.child("portworxVolume", "volumeID")) }
        }
        if let source = spec.azureDisk {
            visit("azureDisk") { azureDisk(source, path: path.child("azureDisk")) }
        }
        if let source = spec.scaleIO {
            visit("scaleIO") {
                requiredText(source.gateway, path.child("scaleIO", "gateway"))
                    + requiredText(source.system, path.child("scaleIO", "system"))
                    + requiredText(source.volumeName ?? "", path.child("scaleIO", "volumeName"))
            }
        }
        if let source = spec.local {
            visit("local") {
                let localPath = path.child("local", "path")
                var errors = source.path.isEmpty ? [FieldError.required(localPath)] : PodValidation.noBacksteps(source.path, path: localPath)
                if spec.nodeAffinity == nil {
                    errors.append(.required(path.child("nodeAffinity"), "Local volume requires node affinity"))
                }
                return errors
            }
        }
        if let source = spec.storageos {
            visit("storageos") { storageOS(source, path: path.child("storageos")) }
        }
        if let source = spec.csi {
            visit("csi") { csi(source, path: path.child("csi")) }
        }
        if count == 0 { errors.append(.required(path, "must specify a volume type")) }
        return errors
    }

    // MARK: Sources

    private static func requiredText(_ value: String, _ path: Path) -> [FieldError] {
        value.isEmpty ? [.required(path)] : []
    }

    private static func partition(_ partition: Int32?, path: Path) -> [FieldError] {
        guard let partition, partition < 0 || partition > 255 else { return [] }
        return [.invalid(path, .int(partition), partitionMessage)]
    }

    static func hostPath(_ source: CoreV1.HostPathVolumeSource, path: Path) -> [FieldError] {
        if source.path.isEmpty { return [.required(path.child("path"))] }
        var errors = PodValidation.noBacksteps(source.path, path: path.child("path"))
        if let type = source.type, !PodValidation.hostPathTypes.contains(type) {
            errors.append(.notSupported(path.child("type"), .string(type), PodValidation.hostPathTypes))
        }
        return errors
    }

    static func glusterfs(_ source: CoreV1.GlusterfsPersistentVolumeSource, path: Path) -> [FieldError] {
        var errors = requiredText(source.endpoints, path.child("endpoints"))
        errors += requiredText(source.path, path.child("path"))
        if let namespace = source.endpointsNamespace {
            let namespacePath = path.child("endpointsNamespace")
            if namespace.isEmpty {
                errors.append(
                    .invalid(namespacePath, .string(namespace), "if the endpointnamespace is set, it must be a valid namespace name"))
            } else {
                errors += ValidationFormats.dns1123Label(namespace).map { FieldError.invalid(namespacePath, .string(namespace), $0) }
            }
        }
        return errors
    }

    static func flocker(_ source: CoreV1.FlockerVolumeSource, path: Path) -> [FieldError] {
        let name = source.datasetName ?? ""
        let uuid = source.datasetUUID ?? ""
        var errors: [FieldError] = []
        if name.isEmpty && uuid.isEmpty {
            errors.append(.required(path, "one of datasetName and datasetUUID is required"))
        }
        if !name.isEmpty && !uuid.isEmpty {
            errors.append(.invalid(path, .string("resource"), "datasetName and datasetUUID can not be specified simultaneously"))
        }
        if name.contains("/") { errors.append(.invalid(path.child("datasetName"), .string(name), "must not contain '/'")) }
        return errors
    }

    static func nfs(_ source: CoreV1.NFSVolumeSource, path: Path) -> [FieldError] {
        var errors = requiredText(source.server, path.child("server"))
        errors += requiredText(source.path, path.child("path"))
        if !source.path.hasPrefix("/") {
            errors.append(.invalid(path.child("path"), .string(source.path), "must be an absolute path"))
        }
        return errors
    }

    static func quobyte(_ source: CoreV1.QuobyteVolumeSource, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let registryMessage = "must be a host:port pair or multiple pairs separated by commas"
        if source.registry.isEmpty {
            errors.append(.required(path.child("registry"), registryMessage))
        } else if (source.tenant ?? "").utf8.count >= 65 {
            errors.append(.required(path.child("tenant"), "must be a UUID and may not exceed a length of 64 characters"))
        } else {
            for pair in source.registry.split(separator: ",", omittingEmptySubsequences: false) where !isHostPort(pair) {
                errors.append(.invalid(path.child("registry"), .string(source.registry), registryMessage))
            }
        }
        errors += requiredText(source.volume, path.child("volume"))
        return errors
    }

    /// Whether Go's `net.SplitHostPort` accepts the text: `host:port` or `[host]:port`, with
    /// no other colon outside brackets.
    static func isHostPort(_ text: Substring) -> Bool {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return false }
            let rest = text[text.index(after: close)...]
            return rest.hasPrefix(":") && !rest.dropFirst().contains(":") && !rest.contains("[") && !rest.contains("]")
                && !text[text.index(after: text.startIndex)..<close].contains("[")
        }
        guard let colon = text.lastIndex(of: ":") else { return false }
        return !text[..<colon].contains(":") && !text.contains("[") && !text.contains("]")
    }

    static func iscsi(_ source: CoreV1.ISCSIPersistentVolumeSource, volumeName: String, path: Path) -> [FieldError] {
        var errors = requiredText(source.targetPortal, path.child("targetPortal"))
        if source.initiatorName != nil && (volumeName + ":" + source.targetPortal).utf8.count > 64 {
            errors.append(
                .invalid(
                    path.child("targetportal"), .string(source.targetPortal),
                    "Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified."))
        }
        if source.iqn.isEmpty {
            errors.append(.required(path.child("iqn")))
        } else if !isISCSIName(source.iqn) {
            errors.append(.invalid(path.child("iqn"), .string(source.iqn), "must be valid format"))
        }
        if source.lun < 0 || source.lun > 255 {
            errors.append(.invalid(path.child("lun"), .int(source.lun), ValidationFormats.inclusiveRangeError(0, 255)))
        }
        if (source.chapAuthDiscovery == true || source.chapAuthSession == true) && source.secretRef == nil {
            errors.append(.required(path.child("secretRef")))
        }
        if let secret = source.secretRef {
            errors += requiredText(secret.name ?? "", path.child("secretRef", "name"))
        }
        if let initiator = source.initiatorName {
            let initiatorPath = path.child("initiatorname")
            let prefixed = ["iqn", "eui", "naa"].contains { initiator.hasPrefix($0) }
            if !prefixed { errors.append(.invalid(initiatorPath, .string(initiator), "must be valid format")) }
            if prefixed && !isISCSIName(initiator) {
                errors.append(.invalid(initiatorPath, .string(initiator), "must be valid format"))
            }
        }
        return errors
    }

    /// An `iqn.YYYY-MM.naming-authority:unique` name, `eui.` + 16 alphanumerics or
    /// `naa.` + 32 alphanumerics (upstream's regular expressions, written out).
    static func isISCSIName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let isAlnum = ValidationFormats.isAlphanumeric
        if name.hasPrefix("eui") { return bytes.count == 20 && bytes[4...].allSatisfy(isAlnum) }
        if name.hasPrefix("naa") { return bytes.count == 36 && bytes[4...].allSatisfy(isAlnum) }
        guard name.hasPrefix("iqn") else { return false }
        // Unanchored at the start: some "iqn." occurrence must begin a match reaching the end.
        for start in bytes.indices where bytes[start...].starts(with: Array("iqn.".utf8)) {
            let rest = bytes[(start + 4)...]
            guard rest.count > 8 else { continue }
            let date = Array(rest.prefix(8))
            let dateOK = date[0..<4].allSatisfy(ValidationFormats.isDigit) && date[4] == UInt8(ascii: "-")
                && date[5..<7].allSatisfy(ValidationFormats.isDigit) && date[7] == UInt8(ascii: ".")
            guard dateOK else { continue }
            let tail = rest.dropFirst(8)
            guard let colon = tail.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let authority = tail[..<colon]
            let unique = tail[(colon + 1)...]
            let authorityOK = !authority.isEmpty
                && authority.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
            let uniqueOK = !unique.isEmpty && unique.allSatisfy { !Array(",;*&$| \t\n\r\u{0C}".utf8).contains($0) }
            if authorityOK && uniqueOK { return true }
        }
        return false
    }

    static func fibreChannel(_ source: CoreV1.FCVolumeSource, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let wwns = source.targetWWNs ?? []
        let wwids = source.wwids ?? []
        if wwns.isEmpty && wwids.isEmpty {
            errors.append(.required(path.child("targetWWNs"), "must specify either targetWWNs or wwids, but not both"))
        }
        if !wwns.isEmpty && !wwids.isEmpty {
            errors.append(
                .invalid(
                    path.child("targetWWNs"), .stringSlice(source.targetWWNs), "targetWWNs and wwids can not be specified simultaneously"))
        }
        if !wwns.isEmpty {
            if let lun = source.lun {
                if lun < 0 || lun > 255 {
                    errors.append(.invalid(path.child("lun"), .int(lun), ValidationFormats.inclusiveRangeError(0, 255)))
                }
            } else {
                errors.append(.required(path.child("lun"), "lun is required if targetWWNs is specified"))
            }
        }
        return errors
    }

    static func flexVolume(_ source: CoreV1.FlexPersistentVolumeSource, path: Path) -> [FieldError] {
        var errors = requiredText(source.driver, path.child("driver"))
        for key in (source.options ?? [:]).keys.sorted() {
            let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            let domain = parts.count == 2 ? String(parts[0]) : key
            let normalized = "." + domain.lowercased()
            if normalized.hasSuffix(".kubernetes.io") || normalized.hasSuffix(".k8s.io") {
                errors.append(.invalid(path.child("options").key(key), .string(key), "kubernetes.io and k8s.io namespaces are reserved"))
            }
        }
        return errors
    }

    static func azureDisk(_ source: CoreV1.AzureDiskVolumeSource, path: Path) -> [FieldError] {
        var errors = requiredText(source.diskName, path.child("diskName"))
        errors += requiredText(source.diskURI, path.child("diskURI"))
        if let mode = source.cachingMode, !azureCachingModes.contains(mode) {
            errors.append(.notSupported(path.child("cachingMode"), .string(mode), azureCachingModes))
        }
        if let kind = source.kind {
            if !azureDiskKinds.contains(kind) {
                errors.append(.notSupported(path.child("kind"), .string(kind), azureDiskKinds))
            }
            if kind == "Managed" && !source.diskURI.hasPrefix("/subscriptions/") {
                errors.append(
                    .notSupported(
                        path.child("diskURI"), .string(source.diskURI),
                        ["/subscriptions/{sub-id}/resourcegroups/{group-name}/providers/microsoft.compute/disks/{disk-id}"]))
            }
            if kind != "Managed" && !source.diskURI.hasPrefix("https://") {
                errors.append(
                    .notSupported(
                        path.child("diskURI"), .string(source.diskURI),
                        ["https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd"]))
            }
        }
        return errors
    }

    static func storageOS(_ source: CoreV1.StorageOSPersistentVolumeSource, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let name = source.volumeName ?? ""
        if name.isEmpty {
            errors.append(.required(path.child("volumeName")))
        } else {
            errors += ValidationFormats.dns1123Label(name).map { FieldError.invalid(path.child("volumeName"), .string(name), $0) }
        }
        if let namespace = source.volumeNamespace, !namespace.isEmpty {
            errors += ValidationFormats.dns1123Label(namespace).map {
                FieldError.invalid(path.child("volumeNamespace"), .string(namespace), $0)
            }
        }
        if let secret = source.secretRef {
            errors += requiredText(secret.name ?? "", path.child("secretRef", "name"))
            errors += requiredText(secret.namespace ?? "", path.child("secretRef", "namespace"))
        }
        return errors
    }

    static func csi(_ source: CoreV1.CSIPersistentVolumeSource, path: Path) -> [FieldError] {
        var errors = csiDriverName(source.driver, path: path.child("driver"))
        errors += requiredText(source.volumeHandle, path.child("volumeHandle"))
        let references: [(String, CoreV1.SecretReference?)] = [
            ("controllerPublishSecretRef", source.controllerPublishSecretRef),
            ("controllerExpandSecretRef", source.controllerExpandSecretRef),
            ("nodePublishSecretRef", source.nodePublishSecretRef),
            ("nodeExpandSecretRef", source.nodeExpandSecretRef),
        ]
        for (key, reference) in references {
            guard let reference else { continue }
            let referencePath = path.child(key)
            let name = reference.name ?? ""
            if name.isEmpty {
                errors.append(.required(referencePath.child("name")))
            } else {
                errors += ValidationFormats.dns1123Subdomain(name).map {
                    FieldError.invalid(referencePath.child("name"), .string(name), $0)
                }
            }
            let namespace = reference.namespace ?? ""
            if namespace.isEmpty {
                errors.append(.required(referencePath.child("namespace")))
            } else {
                errors += ValidationFormats.dns1123Label(namespace).map {
                    FieldError.invalid(referencePath.child("namespace"), .string(namespace), $0)
                }
            }
        }
        return errors
    }

    /// `ValidateCSIDriverName`: required, at most 63 bytes, a DNS subdomain once lowercased.
    static func csiDriverName(_ driver: String, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        if driver.isEmpty { errors.append(.required(path)) }
        if driver.utf8.count > 63 { errors.append(.tooLong(path, max: 63)) }
        errors += ValidationFormats.dns1123Subdomain(driver.lowercased()).map { FieldError.invalid(path, .string(driver), $0) }
        return errors
    }
}
