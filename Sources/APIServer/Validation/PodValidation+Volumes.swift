import APIMachinery

/// Pod volumes: unique DNS-label names, exactly one source, and the common sources'
/// required fields (core's `ValidateVolumes` / `validateVolumeSource`).
extension PodValidation {
    static let fileModeMessage = "must be a number between 0 and 0777 (octal), both inclusive"
    static let hostPathTypes = [
        "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket",
    ]

    /// Returns the valid volumes by name (value: the JSON name of their source, e.g.
    /// `persistentVolumeClaim`) and the errors; volumes with errors are left out of the map,
    /// as upstream does, so mounts of them report `Not found`.
    static func validateVolumes(_ volumes: [CoreV1.Volume], path: Path) -> ([String: String], [FieldError]) {
        var valid: [String: String] = [:]
        var errors: [FieldError] = []
        var names: Set<String> = []
        for (index, volume) in volumes.enumerated() {
            let itemPath = path.index(index)
            let (kind, sourceErrors) = volumeSource(volume, path: itemPath)
            var itemErrors = sourceErrors
            if volume.name.isEmpty {
                itemErrors.append(.required(itemPath.child("name")))
            } else {
                for message in ValidationFormats.dns1123Label(volume.name) {
                    itemErrors.append(.invalid(itemPath.child("name"), .string(volume.name), message))
                }
            }
            if names.contains(volume.name) {
                itemErrors.append(.duplicate(itemPath.child("name"), .string(volume.name)))
            }
            if itemErrors.isEmpty {
                names.insert(volume.name)
                valid[volume.name] = kind ?? ""
            } else {
                errors += itemErrors
            }
        }
        return (valid, errors)
    }

    /// The source's JSON name and its errors. A second source is `Forbidden` at its own path
    /// (upstream spells two of those paths `cephFS` and `downwarAPI`).
    static func volumeSource(_ volume: CoreV1.Volume, path: Path) -> (String?, [FieldError]) {
        let sources: [(key: String, forbiddenPath: String, isSet: Bool)] = [
            ("emptyDir", "emptyDir", volume.emptyDir != nil),
            ("hostPath", "hostPath", volume.hostPath != nil),
            ("gitRepo", "gitRepo", volume.gitRepo != nil),
            ("gcePersistentDisk", "gcePersistentDisk", volume.gcePersistentDisk != nil),
            ("awsElasticBlockStore", "awsElasticBlockStore", volume.awsElasticBlockStore != nil),
            ("secret", "secret", volume.secret != nil),
            ("nfs", "nfs", volume.nfs != nil),
            ("iscsi", "iscsi", volume.iscsi != nil),
            ("glusterfs", "glusterfs", volume.glusterfs != nil),
            ("flocker", "flocker", volume.flocker != nil),
            ("persistentVolumeClaim", "persistentVolumeClaim", volume.persistentVolumeClaim != nil),
            ("rbd", "rbd", volume.rbd != nil),
            ("cinder", "cinder", volume.cinder != nil),
            ("cephfs", "cephFS", volume.cephfs != nil),
            ("quobyte", "quobyte", volume.quobyte != nil),
            ("downwardAPI", "downwarAPI", volume.downwardAPI != nil),
            ("fc", "fc", volume.fc != nil),
            ("flexVolume", "flexVolume", volume.flexVolume != nil),
            ("configMap", "configMap", volume.configMap != nil),
            ("azureFile", "azureFile", volume.azureFile != nil),
            ("vsphereVolume", "vsphereVolume", volume.vsphereVolume != nil),
            ("photonPersistentDisk", "photonPersistentDisk", volume.photonPersistentDisk != nil),
            ("portworxVolume", "portworxVolume", volume.portworxVolume != nil),
            ("azureDisk", "azureDisk", volume.azureDisk != nil),
            ("storageos", "storageos", volume.storageos != nil),
            ("projected", "projected", volume.projected != nil),
            ("scaleIO", "scaleIO", volume.scaleIO != nil),
            ("csi", "csi", volume.csi != nil),
            ("ephemeral", "ephemeral", volume.ephemeral != nil),
            ("image", "image", volume.image != nil),
        ]
        var kind: String?
        var errors: [FieldError] = []
        for source in sources where source.isSet {
            if kind != nil {
                errors.append(.forbidden(path.child(source.forbiddenPath), "may not specify more than 1 volume type"))
                continue
            }
            kind = source.key
            errors += sourceFields(volume, key: source.key, path: path.child(source.key))
        }
        if kind == nil { errors.append(.required(path, "must specify a volume type")) }
        return (kind, errors)
    }

    static func sourceFields(_ volume: CoreV1.Volume, key: String, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        switch key {
        case "emptyDir":
            if let limit = volume.emptyDir?.sizeLimit, limit.sign < 0 {
                errors.append(.forbidden(path.child("sizeLimit"), "SizeLimit field must be a valid resource quantity"))
            }
        case "hostPath":
            guard let source = volume.hostPath else { break }
            if source.path.isEmpty { return [.required(path.child("path"))] }
            errors += noBacksteps(source.path, path: path.child("path"))
            if let type = source.type, !hostPathTypes.contains(type) {
                errors.append(.notSupported(path.child("type"), .string(type), hostPathTypes))
            }
        case "gitRepo":
            guard let source = volume.gitRepo else { break }
            if source.repository.isEmpty { errors.append(.required(path.child("repository"))) }
            errors += localDescendingPath(source.directory ?? "", path: path.child("directory"))
        case "secret":
            guard let source = volume.secret else { break }
            if (source.secretName ?? "").isEmpty { errors.append(.required(path.child("secretName"))) }
            errors += fileMode(source.defaultMode, path: path.child("defaultMode"))
            errors += keyToPaths(source.items ?? [], path: path.child("items"))
        case "configMap":
            guard let source = volume.configMap else { break }
            if (source.name ?? "").isEmpty { errors.append(.required(path.child("name"))) }
            errors += fileMode(source.defaultMode, path: path.child("defaultMode"))
            errors += keyToPaths(source.items ?? [], path: path.child("items"))
        case "nfs":
            guard let source = volume.nfs else { break }
            if source.server.isEmpty { errors.append(.required(path.child("server"))) }
            if source.path.isEmpty {
                errors.append(.required(path.child("path")))
            } else if !source.path.hasPrefix("/") {
                errors.append(.invalid(path.child("path"), .string(source.path), "must be an absolute path"))
            }
        case "persistentVolumeClaim":
            if (volume.persistentVolumeClaim?.claimName ?? "").isEmpty {
                errors.append(.required(path.child("claimName")))
            }
        case "downwardAPI":
            errors += fileMode(volume.downwardAPI?.defaultMode, path: path.child("defaultMode"))
            for (index, item) in (volume.downwardAPI?.items ?? []).enumerated() {
                let itemPath = path.child("items").index(index)
                if item.path.isEmpty { errors.append(.required(itemPath.child("path"))) }
                errors += localDescendingPath(item.path, path: itemPath.child("path"))
                errors += fileMode(item.mode, path: itemPath.child("mode"))
            }
        case "projected":
            errors += fileMode(volume.projected?.defaultMode, path: path.child("defaultMode"))
        case "csi":
            if (volume.csi?.driver ?? "").isEmpty { errors.append(.required(path.child("driver"))) }
        case "ephemeral":
            if volume.ephemeral?.volumeClaimTemplate == nil {
                errors.append(.required(path.child("volumeClaimTemplate")))
            }
        default:
            break
        }
        return errors
    }

    static func fileMode(_ mode: Int32?, path: Path) -> [FieldError] {
        guard let mode, mode < 0 || mode > 0o777 else { return [] }
        return [.invalid(path, .int(mode), fileModeMessage)]
    }

    static func keyToPaths(_ items: [CoreV1.KeyToPath], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, item) in items.enumerated() {
            let itemPath = path.index(index)
            if item.key.isEmpty { errors.append(.required(itemPath.child("key"))) }
            if item.path.isEmpty { errors.append(.required(itemPath.child("path"))) }
            errors += localDescendingPath(item.path, path: itemPath.child("path"))
            errors += fileMode(item.mode, path: itemPath.child("mode"))
        }
        return errors
    }
}
