import APIMachinery
import APIServer
import Testing

/// One input object and the exact tree defaulting must produce for it (member order
/// included: defaults follow the members the client sent).
struct DefaultingCase: Sendable, CustomTestStringConvertible {
    var name: String
    var gvk: GroupVersionKind
    var input: String
    var expected: String
    var testDescription: String { name }

    init(_ name: String, _ gvk: GroupVersionKind, _ input: String, _ expected: String) {
        self.name = name
        self.gvk = gvk
        self.input = input
        self.expected = expected
    }
}

/// Kubernetes 1.32 defaults of NetworkPolicies, IngressClasses, HorizontalPodAutoscalers (v1
/// and v2), Endpoints, EndpointSlices, PersistentVolumes, StorageClasses and
/// PodDisruptionBudgets (which have none).
struct DefaultingMoreKindsTests {
    static let networkPolicy = GroupVersionKind(group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy")
    static let ingressClass = GroupVersionKind(group: "networking.k8s.io", version: "v1", kind: "IngressClass")
    static let hpaV1 = GroupVersionKind(group: "autoscaling", version: "v1", kind: "HorizontalPodAutoscaler")
    static let hpaV2 = GroupVersionKind(group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler")
    static let endpoints = GroupVersionKind(group: "", version: "v1", kind: "Endpoints")
    static let endpointSlice = GroupVersionKind(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice")
    static let persistentVolume = GroupVersionKind(group: "", version: "v1", kind: "PersistentVolume")
    static let storageClass = GroupVersionKind(group: "storage.k8s.io", version: "v1", kind: "StorageClass")
    static let budget = GroupVersionKind(group: "policy", version: "v1", kind: "PodDisruptionBudget")

    /// Compact JSON of a tree, in member order.
    static func text(_ tree: JSONValue) -> String { JSONCodec.encodeToString(tree) }

    // MARK: Tables

    static let scaleUpDefaults =
        #"{"stabilizationWindowSeconds":0,"selectPolicy":"Max","policies":[{"type":"Pods","value":4,"periodSeconds":15},{"type":"Percent","value":100,"periodSeconds":15}]}"#
    static let scaleDownDefaults = #"{"selectPolicy":"Max","policies":[{"type":"Percent","value":100,"periodSeconds":15}]}"#
    static let cpu80 = #"{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}}"#
    static let target = #""scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"}"#

    static func hpa(_ version: String, _ spec: String, metadata: String = #"{"name":"web","namespace":"default"}"#) -> String {
        #"{"apiVersion":"autoscaling/\#(version)","kind":"HorizontalPodAutoscaler","metadata":\#(metadata),"spec":{\#(spec)}}"#
    }

    static let networkingCases: [DefaultingCase] = [
        DefaultingCase(
            "ingress ports get TCP and the policy is Ingress", networkPolicy,
            #"{"kind":"NetworkPolicy","spec":{"podSelector":{},"ingress":[{"ports":[{"port":80},{"protocol":"UDP","port":53}]}]}}"#,
            #"{"kind":"NetworkPolicy","spec":{"podSelector":{},"ingress":[{"ports":[{"port":80,"protocol":"TCP"},{"protocol":"UDP","port":53}]}],"policyTypes":["Ingress"]}}"#
        ),
        DefaultingCase(
            "egress rules add Egress", networkPolicy,
            #"{"kind":"NetworkPolicy","spec":{"podSelector":{},"egress":[{"ports":[{"port":5432,"endPort":5440}]}]}}"#,
            #"{"kind":"NetworkPolicy","spec":{"podSelector":{},"egress":[{"ports":[{"port":5432,"endPort":5440,"protocol":"TCP"}]}],"policyTypes":["Ingress","Egress"]}}"#
        ),
        DefaultingCase(
            "an empty egress list is Ingress only", networkPolicy,
            #"{"kind":"NetworkPolicy","spec":{"podSelector":{},"egress":[]}}"#,
            #"{"kind":"NetworkPolicy","spec":{"podSelector":{},"egress":[],"policyTypes":["Ingress"]}}"#
        ),
        DefaultingCase(
            "an empty policyTypes list is computed", networkPolicy,
            #"{"kind":"NetworkPolicy","spec":{"podSelector":{},"policyTypes":[],"ingress":[{}],"egress":[{}]}}"#,
            #"{"kind":"NetworkPolicy","spec":{"podSelector":{},"policyTypes":["Ingress","Egress"],"ingress":[{}],"egress":[{}]}}"#
        ),
        DefaultingCase(
            "explicit policyTypes and an explicit empty protocol are kept", networkPolicy,
            #"{"kind":"NetworkPolicy","spec":{"podSelector":{},"policyTypes":["Egress"],"egress":[{"ports":[{"protocol":"","port":80}]}]}}"#,
            #"{"kind":"NetworkPolicy","spec":{"podSelector":{},"policyTypes":["Egress"],"egress":[{"ports":[{"protocol":"","port":80}]}]}}"#
        ),
        DefaultingCase(
            "a policy without a spec", networkPolicy, #"{"kind":"NetworkPolicy","metadata":{"name":"deny"}}"#,
            #"{"kind":"NetworkPolicy","metadata":{"name":"deny"},"spec":{"policyTypes":["Ingress"]}}"#
        ),
        DefaultingCase(
            "parameters without a scope are cluster-scoped", ingressClass,
            #"{"kind":"IngressClass","spec":{"controller":"example.com/lb","parameters":{"kind":"LBConfig","name":"main"}}}"#,
            #"{"kind":"IngressClass","spec":{"controller":"example.com/lb","parameters":{"kind":"LBConfig","name":"main","scope":"Cluster"}}}"#
        ),
        DefaultingCase(
            "a namespace scope is kept", ingressClass,
            #"{"kind":"IngressClass","spec":{"controller":"example.com/lb","parameters":{"kind":"LBConfig","name":"main","scope":"Namespace","namespace":"ingress"}}}"#,
            #"{"kind":"IngressClass","spec":{"controller":"example.com/lb","parameters":{"kind":"LBConfig","name":"main","scope":"Namespace","namespace":"ingress"}}}"#
        ),
        DefaultingCase(
            "a class without parameters gets none", ingressClass,
            #"{"kind":"IngressClass","spec":{"controller":"example.com/lb","parameters":null}}"#,
            #"{"kind":"IngressClass","spec":{"controller":"example.com/lb","parameters":null}}"#
        ),
    ]

    static let autoscalingCases: [DefaultingCase] = [
        DefaultingCase(
            "v1: one replica and 80% CPU", hpaV1, hpa("v1", target + #","maxReplicas":5"#),
            hpa("v1", target + #","maxReplicas":5,"minReplicas":1,"targetCPUUtilizationPercentage":80"#)
        ),
        DefaultingCase(
            "v1: explicit values are kept", hpaV1, hpa("v1", target + #","minReplicas":3,"maxReplicas":5,"targetCPUUtilizationPercentage":50"#),
            hpa("v1", target + #","minReplicas":3,"maxReplicas":5,"targetCPUUtilizationPercentage":50"#)
        ),
        DefaultingCase(
            "v1: metrics in the annotation suppress the CPU target", hpaV1,
            hpa(
                "v1", target + #","maxReplicas":5"#,
                metadata: #"{"name":"web","annotations":{"autoscaling.alpha.kubernetes.io/metrics":"[]"}}"#),
            hpa(
                "v1", target + #","maxReplicas":5,"minReplicas":1"#,
                metadata: #"{"name":"web","annotations":{"autoscaling.alpha.kubernetes.io/metrics":"[]"}}"#)
        ),
        DefaultingCase(
            "v2: one replica and 80% CPU, no behavior", hpaV2, hpa("v2", target + #","maxReplicas":5"#),
            hpa("v2", target + #","maxReplicas":5,"minReplicas":1,"metrics":[\#(cpu80)]"#)
        ),
        DefaultingCase(
            "v2: an empty metrics list gets the CPU metric", hpaV2, hpa("v2", target + #","minReplicas":2,"maxReplicas":5,"metrics":[]"#),
            hpa("v2", target + #","minReplicas":2,"maxReplicas":5,"metrics":[\#(cpu80)]"#)
        ),
        DefaultingCase(
            "v2: explicit metrics are kept", hpaV2,
            hpa("v2", target + #","maxReplicas":5,"metrics":[{"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"1Gi"}}}]"#),
            hpa(
                "v2", target + #","maxReplicas":5,"metrics":[{"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"1Gi"}}}],"minReplicas":1"#)
        ),
        DefaultingCase(
            "v2: an empty behavior gets both rules", hpaV2, hpa("v2", target + #","minReplicas":1,"maxReplicas":5,"metrics":[\#(cpu80)],"behavior":{}"#),
            hpa(
                "v2",
                target
                    + #","minReplicas":1,"maxReplicas":5,"metrics":[\#(cpu80)],"behavior":{"scaleUp":\#(scaleUpDefaults),"scaleDown":\#(scaleDownDefaults)}"#)
        ),
        DefaultingCase(
            "v2: a partial scale-down rule keeps its window", hpaV2,
            hpa("v2", target + #","minReplicas":1,"maxReplicas":5,"metrics":[\#(cpu80)],"behavior":{"scaleDown":{"stabilizationWindowSeconds":300}}"#),
            hpa(
                "v2",
                target
                    + #","minReplicas":1,"maxReplicas":5,"metrics":[\#(cpu80)],"behavior":{"scaleDown":{"stabilizationWindowSeconds":300,"selectPolicy":"Max","policies":[{"type":"Percent","value":100,"periodSeconds":15}]},"scaleUp":\#(scaleUpDefaults)}"#
            )
        ),
        DefaultingCase(
            "v2: set fields win, an empty policy list is kept", hpaV2,
            hpa(
                "v2",
                target
                    + #","minReplicas":1,"maxReplicas":5,"metrics":[\#(cpu80)],"behavior":{"scaleUp":{"policies":[]},"scaleDown":{"selectPolicy":"Disabled","policies":[{"type":"Pods","value":1,"periodSeconds":60}]}}"#
            ),
            hpa(
                "v2",
                target
                    + #","minReplicas":1,"maxReplicas":5,"metrics":[\#(cpu80)],"behavior":{"scaleUp":{"policies":[],"stabilizationWindowSeconds":0,"selectPolicy":"Max"},"scaleDown":{"selectPolicy":"Disabled","policies":[{"type":"Pods","value":1,"periodSeconds":60}]}}"#
            )
        ),
        DefaultingCase(
            "v2: null rules are filled, a null behavior is left", hpaV2,
            hpa("v2", target + #","minReplicas":1,"maxReplicas":5,"metrics":[\#(cpu80)],"behavior":{"scaleUp":null,"scaleDown":null}"#),
            hpa(
                "v2",
                target
                    + #","minReplicas":1,"maxReplicas":5,"metrics":[\#(cpu80)],"behavior":{"scaleUp":\#(scaleUpDefaults),"scaleDown":\#(scaleDownDefaults)}"#)
        ),
        DefaultingCase(
            "v2: a null behavior stays null", hpaV2, hpa("v2", target + #","minReplicas":1,"maxReplicas":5,"metrics":[\#(cpu80)],"behavior":null"#),
            hpa("v2", target + #","minReplicas":1,"maxReplicas":5,"metrics":[\#(cpu80)],"behavior":null"#)
        ),
    ]

    static let endpointAndStorageCases: [DefaultingCase] = [
        DefaultingCase(
            "endpoint ports get TCP", endpoints,
            #"{"kind":"Endpoints","subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80},{"port":53,"protocol":"UDP"},{"port":8080,"protocol":""}]}]}"#,
            #"{"kind":"Endpoints","subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80,"protocol":"TCP"},{"port":53,"protocol":"UDP"},{"port":8080,"protocol":"TCP"}]}]}"#
        ),
        DefaultingCase(
            "slice ports get an empty name and TCP; conditions have no defaults", endpointSlice,
            #"{"kind":"EndpointSlice","addressType":"IPv4","endpoints":[{"addresses":["10.0.0.1"],"conditions":{}},{"addresses":["10.0.0.2"]}],"ports":[{"port":80},{"name":"dns","port":53,"protocol":"UDP"}]}"#,
            #"{"kind":"EndpointSlice","addressType":"IPv4","endpoints":[{"addresses":["10.0.0.1"],"conditions":{}},{"addresses":["10.0.0.2"]}],"ports":[{"port":80,"name":"","protocol":"TCP"},{"name":"dns","port":53,"protocol":"UDP"}]}"#
        ),
        DefaultingCase(
            "a host-path volume", persistentVolume,
            #"{"kind":"PersistentVolume","metadata":{"name":"pv"},"spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"hostPath":{"path":"/data"}}}"#,
            #"{"kind":"PersistentVolume","metadata":{"name":"pv"},"spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"hostPath":{"path":"/data","type":""},"persistentVolumeReclaimPolicy":"Retain","volumeMode":"Filesystem"},"status":{"phase":"Pending"}}"#
        ),
        DefaultingCase(
            "explicit volume settings are kept", persistentVolume,
            #"{"kind":"PersistentVolume","spec":{"persistentVolumeReclaimPolicy":"Delete","volumeMode":"Block","hostPath":{"path":"/dev/sdb","type":"BlockDevice"}},"status":{"phase":"Bound"}}"#,
            #"{"kind":"PersistentVolume","spec":{"persistentVolumeReclaimPolicy":"Delete","volumeMode":"Block","hostPath":{"path":"/dev/sdb","type":"BlockDevice"}},"status":{"phase":"Bound"}}"#
        ),
        DefaultingCase(
            "an empty reclaim policy and phase are Go zero values", persistentVolume,
            #"{"kind":"PersistentVolume","spec":{"persistentVolumeReclaimPolicy":"","local":{"path":"/mnt"}},"status":{"phase":""}}"#,
            #"{"kind":"PersistentVolume","spec":{"persistentVolumeReclaimPolicy":"Retain","local":{"path":"/mnt"},"volumeMode":"Filesystem"},"status":{"phase":"Pending"}}"#
        ),
        DefaultingCase(
            "iSCSI, Azure disk and ScaleIO sources", persistentVolume,
            #"{"kind":"PersistentVolume","spec":{"iscsi":{"targetPortal":"10.0.0.1:3260","iqn":"iqn.2001-04.com.example:disk","lun":0},"azureDisk":{"diskName":"d","diskURI":"u","readOnly":true},"scaleIO":{"gateway":"gw","system":"s","secretRef":{"name":"x"},"storageMode":""},"volumeMode":"Filesystem","persistentVolumeReclaimPolicy":"Retain"},"status":{"phase":"Available"}}"#,
            #"{"kind":"PersistentVolume","spec":{"iscsi":{"targetPortal":"10.0.0.1:3260","iqn":"iqn.2001-04.com.example:disk","lun":0,"iscsiInterface":"default"},"azureDisk":{"diskName":"d","diskURI":"u","readOnly":true,"cachingMode":"ReadWrite","kind":"Shared","fsType":"ext4"},"scaleIO":{"gateway":"gw","system":"s","secretRef":{"name":"x"},"storageMode":"ThinProvisioned","fsType":"xfs"},"volumeMode":"Filesystem","persistentVolumeReclaimPolicy":"Retain"},"status":{"phase":"Available"}}"#
        ),
        DefaultingCase(
            "a storage class deletes and binds immediately", storageClass,
            #"{"kind":"StorageClass","metadata":{"name":"fast"},"provisioner":"example.com/csi"}"#,
            #"{"kind":"StorageClass","metadata":{"name":"fast"},"provisioner":"example.com/csi","reclaimPolicy":"Delete","volumeBindingMode":"Immediate"}"#
        ),
        DefaultingCase(
            "explicit storage class policies are kept", storageClass,
            #"{"kind":"StorageClass","provisioner":"example.com/csi","reclaimPolicy":"Retain","volumeBindingMode":"WaitForFirstConsumer"}"#,
            #"{"kind":"StorageClass","provisioner":"example.com/csi","reclaimPolicy":"Retain","volumeBindingMode":"WaitForFirstConsumer"}"#
        ),
        DefaultingCase(
            "disruption budgets have no defaults", budget,
            #"{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}}}}"#,
            #"{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}}}}"#
        ),
    ]

    static let allCases = networkingCases + autoscalingCases + endpointAndStorageCases

    // MARK: Tests

    @Test(arguments: allCases)
    func defaults(_ testCase: DefaultingCase) throws {
        let defaulted = Defaulting.apply(try JSONCodec.parse(testCase.input), gvk: testCase.gvk)
        #expect(Self.text(defaulted) == Self.text(try JSONCodec.parse(testCase.expected)))
    }

    @Test(arguments: allCases)
    func defaultingIsIdempotent(_ testCase: DefaultingCase) throws {
        let once = Defaulting.apply(try JSONCodec.parse(testCase.input), gvk: testCase.gvk)
        #expect(Self.text(Defaulting.apply(once, gvk: testCase.gvk)) == Self.text(once))
    }

    /// Complete objects that Kubernetes accepts once defaulted; validation, which now expects
    /// defaulted input, must accept them too.
    static let validSamples: [(String, GroupVersionKind, Bool)] = [
        (#"{"kind":"NetworkPolicy","metadata":{"name":"db","namespace":"default"},"spec":{"podSelector":{},"ingress":[{"ports":[{"port":5432}]}],"egress":[{"ports":[{"port":53}]}]}}"#, networkPolicy, true),
        (#"{"kind":"IngressClass","metadata":{"name":"lb"},"spec":{"controller":"example.com/lb","parameters":{"kind":"LBConfig","name":"main"}}}"#, ingressClass, false),
        (hpa("v1", target + #","maxReplicas":5"#), hpaV1, true),
        (hpa("v2", target + #","maxReplicas":5,"behavior":{"scaleDown":{"stabilizationWindowSeconds":60}}"#), hpaV2, true),
        (#"{"kind":"PersistentVolume","metadata":{"name":"pv"},"spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"hostPath":{"path":"/data"}}}"#, persistentVolume, false),
        (#"{"kind":"StorageClass","metadata":{"name":"fast"},"provisioner":"example.com/csi"}"#, storageClass, false),
        (#"{"kind":"EndpointSlice","metadata":{"name":"web-1","namespace":"default"},"addressType":"IPv4","endpoints":[{"addresses":["10.0.0.1"]}],"ports":[{"port":80}]}"#, endpointSlice, true),
        (#"{"kind":"Endpoints","metadata":{"name":"web","namespace":"default"},"subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80}]}]}"#, endpoints, true),
    ]

    @Test(arguments: validSamples)
    func defaultedSamplesAreValid(json: String, gvk: GroupVersionKind, namespaced: Bool) throws {
        let object = Defaulting.apply(try JSONCodec.parse(json), gvk: gvk)
        #expect(Validation.validate(object, old: nil, gvk: gvk, namespaced: namespaced).map(\.description) == [])
    }
}
