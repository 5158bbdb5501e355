import APIMachinery
import APIServer
import Testing

/// Every built-in kind named in the validation issue reaches a kind validator: an object with
/// a spec-level mistake yields that kind's own error, not only ObjectMeta checks.
struct KindCoverageValidationTests {
    struct Probe: Sendable, CustomTestStringConvertible {
        var kind: GroupVersionKind
        var namespaced: Bool
        var json: String
        var expected: String
        var testDescription: String { kind.kind }
    }

    static func gvk(_ group: String, _ version: String, _ kind: String) -> GroupVersionKind {
        GroupVersionKind(group: group, version: version, kind: kind)
    }

    static let probes: [Probe] = [
        Probe(
            kind: gvk("", "v1", "Endpoints"), namespaced: true,
            json: #"{"kind":"Endpoints","metadata":{"name":"a","namespace":"d"},"subsets":[{}]}"#,
            expected: "subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`"),
        Probe(
            kind: gvk("discovery.k8s.io", "v1", "EndpointSlice"), namespaced: true,
            json: #"{"kind":"EndpointSlice","metadata":{"name":"a","namespace":"d"},"endpoints":[]}"#, expected: "addressType: Required value"),
        Probe(
            kind: gvk("", "v1", "PersistentVolume"), namespaced: false,
            json: #"{"kind":"PersistentVolume","metadata":{"name":"a"},"spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"]}}"#,
            expected: "spec: Required value: must specify a volume type"),
        Probe(
            kind: gvk("networking.k8s.io", "v1", "NetworkPolicy"), namespaced: true,
            json: #"{"kind":"NetworkPolicy","metadata":{"name":"a","namespace":"d"},"spec":{"podSelector":{},"ingress":[{"from":[{}]}]}}"#,
            expected: "spec.ingress[0].from[0]: Required value: must specify a peer"),
        Probe(
            kind: gvk("autoscaling", "v2", "HorizontalPodAutoscaler"), namespaced: true,
            json: #"{"kind":"HorizontalPodAutoscaler","metadata":{"name":"a","namespace":"d"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"a"}}}"#,
            expected: "spec.maxReplicas: Invalid value: 0: must be greater than 0"),
        Probe(
            kind: gvk("autoscaling", "v1", "HorizontalPodAutoscaler"), namespaced: true,
            json: #"{"kind":"HorizontalPodAutoscaler","metadata":{"name":"a","namespace":"d"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"a"}}}"#,
            expected: "spec.maxReplicas: Invalid value: 0: must be greater than 0"),
        Probe(
            kind: gvk("policy", "v1", "PodDisruptionBudget"), namespaced: true,
            json: #"{"kind":"PodDisruptionBudget","metadata":{"name":"a","namespace":"d"},"spec":{"minAvailable":-1}}"#,
            expected: "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"),
        Probe(
            kind: gvk("storage.k8s.io", "v1", "StorageClass"), namespaced: false,
            json: #"{"kind":"StorageClass","metadata":{"name":"a"}}"#, expected: "provisioner: Required value"),
        Probe(
            kind: gvk("networking.k8s.io", "v1", "IngressClass"), namespaced: false,
            json: #"{"kind":"IngressClass","metadata":{"name":"a"},"spec":{}}"#, expected: "spec.controller: Required value"),
    ]

    @Test(arguments: probes)
    func kindHasValidator(_ probe: Probe) throws {
        let errors = try KindValidation.errors(probe.json, kind: probe.kind, namespaced: probe.namespaced)
        #expect(errors.contains(probe.expected), "\(errors)")
    }

    @Test func serviceAccountsGetObjectMetaRulesOnly() throws {
        let kind = Self.gvk("", "v1", "ServiceAccount")
        let valid = #"{"kind":"ServiceAccount","metadata":{"name":"builder","namespace":"ci"},"automountServiceAccountToken":false}"#
        #expect(try KindValidation.errors(valid, kind: kind, namespaced: true) == [])
        let badName = #"{"kind":"ServiceAccount","metadata":{"name":"Builder","namespace":"ci"}}"#
        #expect(
            try KindValidation.errors(badName, kind: kind, namespaced: true) == [
                #"metadata.name: Invalid value: "Builder": "# + KindValidation.subdomainMessage
            ])
    }
}
