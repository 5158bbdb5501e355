import APIMachinery

/// PersistentVolume defaults (core/v1, 1.32): the volume starts `Pending`, is retained when
/// released, and is a filesystem; its source gets the defaults of its kind: a host path's
/// type `""`, an iSCSI interface `default`, an Azure disk's caching `ReadWrite`, kind
/// `Shared`, filesystem `ext4` and `readOnly: false`, and a ScaleIO volume's storage mode
/// `ThinProvisioned` and filesystem `xfs`. Capacity quantities are not rounded (upstream
/// rounds them up to milli-units), and the phase transition time the registry stamps on
/// create is not set here.
extension CoreDefaults {
    static func persistentVolume(_ object: inout JSONValue) {
        object.editObjectMember("spec") { spec in
            spec.defaultZeroMember("persistentVolumeReclaimPolicy", "Retain")
            spec.defaultMember("volumeMode", "Filesystem")
            persistentVolumeSource(&spec)
        }
        object.editObjectMember("status") { $0.defaultZeroMember("phase", "Pending") }
    }

    /// The defaults of the volume sources a PersistentVolume spec can carry.
    static func persistentVolumeSource(_ spec: inout JSONValue) {
        spec.editMember("hostPath") { $0.defaultMember("type", "") }
        spec.editMember("iscsi") { $0.defaultZeroMember("iscsiInterface", "default") }
        spec.editMember("azureDisk") { disk in
            disk.defaultMember("cachingMode", "ReadWrite")
            disk.defaultMember("kind", "Shared")
            disk.defaultMember("fsType", "ext4")
            disk.defaultMember("readOnly", false)
        }
        spec.editMember("scaleIO") { source in
            source.defaultZeroMember("storageMode", "ThinProvisioned")
            source.defaultZeroMember("fsType", "xfs")
        }
    }
}
