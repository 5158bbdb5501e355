import APIMachinery
import APIServer
import Testing

/// PersistentVolumes: spec rules on create and what may not change on update.
struct PersistentVolumeValidationTests {
    static let kind = GroupVersionKind(group: "", version: "v1", kind: "PersistentVolume")

    static let nfs = #""nfs":{"server":"nfs.example.com","path":"/exports/a"}"#
    static let capacity = #""capacity":{"storage":"10Gi"}"#
    static let modes = #""accessModes":["ReadWriteOnce"]"#

    static func pvJSON(_ spec: String, name: String = "pv-1") -> String {
        #"{"kind":"PersistentVolume","metadata":{"name":"\#(name)"},"spec":{\#(spec)}}"#
    }

    /// A valid volume plus `extra` spec members.
    static func nfsVolume(_ extra: String = "") -> String {
        pvJSON([capacity, modes, nfs, extra].filter { !$0.isEmpty }.joined(separator: ","))
    }

    static let affinity =
        #""nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":["node-1"]}]}]}}"#

    static let cases: [KindValidationCase] = [
        KindValidationCase("valid nfs volume", nfsVolume(#""storageClassName":"standard","persistentVolumeReclaimPolicy":"Recycle""#), []),
        KindValidationCase(
            "valid local volume", pvJSON([capacity, modes, #""local":{"path":"/mnt/disks/ssd1"}"#, affinity].joined(separator: ",")), []),
        KindValidationCase(
            "valid csi volume",
            pvJSON(
                [
                    capacity, #""accessModes":["ReadWriteOncePod"]"#, #""volumeMode":"Block""#,
                    #""csi":{"driver":"ebs.csi.aws.com","volumeHandle":"vol-1","nodePublishSecretRef":{"name":"creds","namespace":"kube-system"}}"#,
                ].joined(separator: ",")), []),
        KindValidationCase(
            "valid iscsi volume",
            pvJSON([capacity, modes, #""iscsi":{"targetPortal":"10.0.0.1:3260","iqn":"iqn.2001-04.com.example:storage.disk1","lun":0}"#].joined(separator: ",")),
            []),
        KindValidationCase(
            "empty spec", pvJSON(""),
            [
                "spec.accessModes: Required value",
                "spec.capacity: Required value",
                #"spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage""#,
                "spec: Required value: must specify a volume type",
            ]),
        KindValidationCase(
            "access modes and capacity",
            pvJSON([#""capacity":{"storage":"0","cpu":"1"}"#, #""accessModes":["ReadWriteOncePod","ReadWriteOnce","Sometimes"]"#, nfs].joined(separator: ",")),
            [
                #"spec.accessModes: Unsupported value: "Sometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod""#,
                "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes",
                #"spec.capacity: Unsupported value: core.ResourceList{"cpu":resource.Quantity{i:resource.int64Amount{value:1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1", Format:"DecimalSI"}, "storage":resource.Quantity{i:resource.int64Amount{value:0, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"0", Format:"DecimalSI"}}: supported values: "storage""#,
                #"spec.capacity[storage]: Invalid value: "0": must be greater than zero"#,
            ]),
        KindValidationCase(
            "negative capacity", pvJSON([#""capacity":{"storage":"-1Gi"}"#, modes, nfs].joined(separator: ",")),
            [
                "spec.capacity[storage]: Invalid value: -1073741824: must be a valid resource quantity",
                #"spec.capacity[storage]: Invalid value: "-1Gi": must be greater than zero"#,
            ]),
        KindValidationCase(
            "reclaim policy and volume mode", nfsVolume(#""persistentVolumeReclaimPolicy":"Keep","volumeMode":"Raw""#),
            [
                #"spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain""#,
                #"spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem""#,
            ]),
        KindValidationCase(
            "two volume sources", nfsVolume(#""hostPath":{"path":"/data"}"#),
            ["spec.nfs: Forbidden: may not specify more than 1 volume type"]),
        KindValidationCase(
            "csi driver and handle", pvJSON([capacity, modes, #""csi":{"driver":"","volumeHandle":""}"#].joined(separator: ",")),
            [
                "spec.csi.driver: Required value",
                #"spec.csi.driver: Invalid value: "": "# + KindValidation.subdomainMessage,
                "spec.csi.volumeHandle: Required value",
            ]),
        KindValidationCase(
            "csi secret reference",
            pvJSON([capacity, modes, #""csi":{"driver":"Example.COM","volumeHandle":"v","controllerPublishSecretRef":{"name":"Creds"}}"#].joined(separator: ",")),
            [
                #"spec.csi.controllerPublishSecretRef.name: Invalid value: "Creds": "# + KindValidation.subdomainMessage,
                "spec.csi.controllerPublishSecretRef.namespace: Required value",
            ]),
        KindValidationCase(
            "local volume needs node affinity", pvJSON([capacity, modes, #""local":{"path":"/mnt/a/../b"}"#].joined(separator: ",")),
            [
                #"spec.local.path: Invalid value: "/mnt/a/../b": must not contain '..'"#,
                "spec.nodeAffinity: Required value: Local volume requires node affinity",
            ]),
        KindValidationCase(
            "node affinity without terms", nfsVolume(#""nodeAffinity":{"required":{"nodeSelectorTerms":[]}}"#),
            ["spec.nodeAffinity.required.nodeSelectorTerms: Required value: must have at least one node selector term"]),
        KindValidationCase(
            "node affinity without required", nfsVolume(#""nodeAffinity":{}"#),
            ["spec.nodeAffinity.required: Required value: must specify required node constraints"]),
        KindValidationCase(
            "node selector requirements",
            nfsVolume(
                #""nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"Near","values":["a"]},{"key":"rack","operator":"Exists","values":["x"]},{"key":"gen","operator":"Gt","values":["1","2"]},{"key":"disk","operator":"In","values":["-ssd"]}],"matchFields":[{"key":"metadata.uid","operator":"In","values":["a","b"]}]}]}}"#
            ),
            [
                #"spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator"#,
                "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[2].values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'",
                #"spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[3].values[0]: Invalid value: "-ssd": "# + KindValidation.labelValueMessage,
                "spec.nodeAffinity.required.nodeSelectorTerms[0].matchFields[0].values: Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
                #"spec.nodeAffinity.required.nodeSelectorTerms[0].matchFields[0].key: Invalid value: "metadata.uid": not a valid field selector key"#,
            ]),
        KindValidationCase(
            "recycling a hostPath of /",
            pvJSON([capacity, modes, #""hostPath":{"path":"/"}"#, #""persistentVolumeReclaimPolicy":"Recycle""#].joined(separator: ",")),
            ["spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'"]),
        KindValidationCase(
            "gce disk errors use the persistentDisk path",
            pvJSON([capacity, modes, #""gcePersistentDisk":{"pdName":"","partition":300}"#].joined(separator: ",")),
            [
                "spec.persistentDisk.pdName: Required value",
                "spec.persistentDisk.partition: Invalid value: 300: must be between 1 and 255, inclusive",
            ]),
        KindValidationCase(
            "iscsi fields",
            pvJSON([capacity, modes, #""iscsi":{"targetPortal":"10.0.0.1:3260","iqn":"iqn.bad","lun":256,"chapAuthSession":true}"#].joined(separator: ",")),
            [
                #"spec.iscsi.iqn: Invalid value: "iqn.bad": must be valid format"#,
                "spec.iscsi.lun: Invalid value: 256: must be between 0 and 255, inclusive",
                "spec.iscsi.secretRef: Required value",
            ]),
        KindValidationCase(
            "nfs and storage class", pvJSON([capacity, modes, #""nfs":{"server":"","path":"exports"}"#, #""storageClassName":"Fast""#].joined(separator: ",")),
            [
                "spec.nfs.server: Required value",
                #"spec.nfs.path: Invalid value: "exports": must be an absolute path"#,
                #"spec.storageClassName: Invalid value: "Fast": "# + KindValidation.subdomainMessage,
            ]),
        KindValidationCase(
            "rbd comes before fibre channel",
            pvJSON([capacity, modes, #""fc":{"targetWWNs":["500a0982991b8dc5"],"wwids":["x"]}"#, #""rbd":{"monitors":[],"image":""}"#].joined(separator: ",")),
            [
                "spec.rbd.monitors: Required value",
                "spec.rbd.image: Required value",
                "spec.fc: Forbidden: may not specify more than 1 volume type",
            ]),
        KindValidationCase(
            "fibre channel", pvJSON([capacity, modes, #""fc":{"targetWWNs":["500a0982991b8dc5"],"wwids":["x"]}"#].joined(separator: ",")),
            [
                #"spec.fc.targetWWNs: Invalid value: []string{"500a0982991b8dc5"}: targetWWNs and wwids can not be specified simultaneously"#,
                "spec.fc.lun: Required value: lun is required if targetWWNs is specified",
            ]),
    ]

    @Test(arguments: cases)
    func create(_ testCase: KindValidationCase) throws {
        #expect(try KindValidation.errors(testCase.json, kind: Self.kind, namespaced: false) == testCase.expected)
    }

    // MARK: Updates

    @Test func volumeSourceIsImmutable() throws {
        let changed = Self.pvJSON([Self.capacity, Self.modes, #""nfs":{"server":"nfs.example.com","path":"/exports/b"}"#].joined(separator: ","))
        let errors = try KindValidation.errors(changed, kind: Self.kind, namespaced: false, old: Self.nfsVolume())
        #expect(errors.count == 1)
        let message = try #require(errors.first)
        #expect(message.hasPrefix("spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\n"))
        #expect(message.contains("- \tnfs.path: \"/exports/a\"\n+ \tnfs.path: \"/exports/b\""))
    }

    @Test func capacityClassAndPolicyMayChange() throws {
        let resized = Self.pvJSON(
            [#""capacity":{"storage":"20Gi"}"#, #""accessModes":["ReadWriteMany"]"#, Self.nfs, #""persistentVolumeReclaimPolicy":"Delete""#]
                .joined(separator: ","))
        #expect(try KindValidation.errors(resized, kind: Self.kind, namespaced: false, old: Self.nfsVolume()) == [])
    }

    @Test func volumeModeIsImmutable() throws {
        let block = Self.nfsVolume(#""volumeMode":"Block""#)
        #expect(
            try KindValidation.errors(block, kind: Self.kind, namespaced: false, old: Self.nfsVolume()) == [
                #"volumeMode: Invalid value: "Block": field is immutable"#
            ])
    }

    @Test func nodeAffinityIsImmutableExceptBetaLabels() throws {
        func local(_ key: String, _ value: String) -> String {
            Self.pvJSON(
                [
                    Self.capacity, Self.modes, #""local":{"path":"/mnt/ssd"}"#,
                    #""nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"\#(key)","operator":"In","values":["\#(value)"]}]}]}}"#,
                ].joined(separator: ","))
        }
        let old = local("failure-domain.beta.kubernetes.io/zone", "us-east-1a")
        #expect(try KindValidation.errors(local("topology.kubernetes.io/zone", "us-east-1a"), kind: Self.kind, namespaced: false, old: old) == [])
        // Upstream prints the pointer's address where the `…` is.
        #expect(
            try KindValidation.errors(local("topology.kubernetes.io/zone", "us-east-1b"), kind: Self.kind, namespaced: false, old: old) == [
                "nodeAffinity: Invalid value: core.VolumeNodeAffinity{Required:(*core.NodeSelector)(…)}: field is immutable, except for updating from beta label to GA"
            ])
        // Setting an affinity where there was none is allowed.
        let withAffinity = Self.nfsVolume(Self.affinity)
        #expect(try KindValidation.errors(withAffinity, kind: Self.kind, namespaced: false, old: Self.nfsVolume()) == [])
    }

    @Test func csiExpandSecretMayBeAdded() throws {
        func csi(_ extra: String) -> String {
            Self.pvJSON([Self.capacity, Self.modes, #""csi":{"driver":"ebs.csi.aws.com","volumeHandle":"vol-1"\#(extra)}"#].joined(separator: ","))
        }
        let withSecret = csi(#","controllerExpandSecretRef":{"name":"expand","namespace":"kube-system"}"#)
        #expect(try KindValidation.errors(withSecret, kind: Self.kind, namespaced: false, old: csi("")) == [])
        let otherHandle = Self.pvJSON([Self.capacity, Self.modes, #""csi":{"driver":"ebs.csi.aws.com","volumeHandle":"vol-2"}"#].joined(separator: ","))
        let errors = try KindValidation.errors(otherHandle, kind: Self.kind, namespaced: false, old: csi(""))
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("spec.persistentvolumesource: Forbidden: ") == true)
    }
}
