import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

@Suite("ResourceQuota controller")
struct ResourceQuotaControllerTests {
    typealias F = Fixtures

    static func q(_ text: String) -> Quantity { try! Quantity(text) }

    static func pod(_ name: String, requests: [String: String] = [:], limits: [String: String] = [:], phase: String = "Running",
                    deadline: Int64? = nil, priorityClass: String? = nil, initRequests: [String: String]? = nil) -> CoreV1.Pod {
        var pod = F.pod(name, phase: phase)
        let resources = CoreV1.ResourceRequirements(limits: limits.isEmpty ? nil : limits.mapValues(q), requests: requests.isEmpty ? nil : requests.mapValues(q))
        pod.spec?.containers[0].resources = resources
        if let initRequests {
            pod.spec?.initContainers = [CoreV1.Container(image: "busybox", name: "init", resources: CoreV1.ResourceRequirements(requests: initRequests.mapValues(q)))]
        }
        pod.spec?.activeDeadlineSeconds = deadline
        pod.spec?.priorityClassName = priorityClass
        return pod
    }

    struct Harness {
        let quotas = ThreadSafeStore<CoreV1.ResourceQuota>()
        let pods = ThreadSafeStore<CoreV1.Pod>()
        let services = ThreadSafeStore<CoreV1.Service>()
        let claims = ThreadSafeStore<CoreV1.PersistentVolumeClaim>()
        let configMaps = ThreadSafeStore<CoreV1.ConfigMap>()
        let secrets = ThreadSafeStore<CoreV1.Secret>()
        let controllers = ThreadSafeStore<CoreV1.ReplicationController>()
        let client = FakeControllerClient()
        let dynamic: FakeDynamicClient
        let controller: ResourceQuotaController

        init(hard: [String: String], scopes: [String]? = nil, selector: CoreV1.ScopeSelector? = nil, resources: [ResourceInfo] = []) {
            dynamic = FakeDynamicClient(resources: resources)
            controller = ResourceQuotaController(
                quotas: Lister(store: quotas), pods: Lister(store: pods), services: Lister(store: services), claims: Lister(store: claims),
                configMaps: Lister(store: configMaps), secrets: Lister(store: secrets), replicationControllers: Lister(store: controllers),
                dynamic: dynamic, client: client, clock: ManualClock(), logger: F.logger)
            client.mirror(quotas)
            client.seed(CoreV1.ResourceQuota(
                metadata: MetaV1.ObjectMeta(name: "q", namespace: F.namespace, resourceVersion: "1", uid: "uid-q"),
                spec: CoreV1.ResourceQuotaSpec(hard: hard.mapValues(ResourceQuotaControllerTests.q), scopeSelector: selector, scopes: scopes)
            ).withTypeMeta())
        }

        func used() -> [String: String] {
            (quotas.get(key: "\(F.namespace)/q")?.status?.used ?? [:]).mapValues(\.canonical)
        }
    }

    @Test("pods count with their effective requests and limits; finished pods do not")
    func podUsage() async throws {
        let h = Harness(hard: ["pods": "10", "requests.cpu": "4", "cpu": "4", "requests.memory": "8Gi", "limits.memory": "8Gi", "count/pods": "10"])
        h.pods.add(Self.pod("a", requests: ["cpu": "250m", "memory": "64Mi"], limits: ["memory": "128Mi"]))
        // An init container asking for more than the containers together sets the pod's request.
        h.pods.add(Self.pod("b", requests: ["cpu": "100m"], initRequests: ["cpu": "1"]))
        h.pods.add(Self.pod("done", requests: ["cpu": "8"], phase: "Succeeded"))
        try await h.controller.sync("\(F.namespace)/q")
        #expect(h.used() == [
            "pods": "2", "count/pods": "2", "requests.cpu": "1250m", "cpu": "1250m", "requests.memory": "64Mi", "limits.memory": "128Mi",
        ])
        #expect(h.quotas.get(key: "\(F.namespace)/q")?.status?.hard?["pods"] == Self.q("10"))
        // Level-triggered: nothing more to write.
        let writes = h.client.actions.count
        try await h.controller.sync("\(F.namespace)/q")
        #expect(h.client.actions.count == writes)
    }

    @Test("scopes and scope selectors narrow the pods counted", arguments: [
        (["BestEffort"], nil, 1), (["NotBestEffort"], nil, 2), (["Terminating"], nil, 1), (["NotTerminating"], nil, 2),
        ([], CoreV1.ScopeSelector(matchExpressions: [CoreV1.ScopedResourceSelectorRequirement(operator: "In", scopeName: "PriorityClass", values: ["high"])]), 1),
    ] as [([String], CoreV1.ScopeSelector?, Int)])
    func scopes(scopes: [String], selector: CoreV1.ScopeSelector?, expected: Int) async throws {
        let h = Harness(hard: ["pods": "10"], scopes: scopes.isEmpty ? nil : scopes, selector: selector)
        h.pods.add(Self.pod("idle"))
        h.pods.add(Self.pod("batch", requests: ["cpu": "1"], deadline: 60))
        h.pods.add(Self.pod("vip", requests: ["cpu": "1"], priorityClass: "high"))
        try await h.controller.sync("\(F.namespace)/q")
        #expect(h.used()["pods"] == "\(expected)")
    }

    @Test("services, node ports, claims per storage class, plain counts and count/<resource> of any served kind")
    func otherKinds() async throws {
        let deployments = ResourceInfo(
            gvk: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"), plural: "deployments", singular: "deployment",
            namespaced: true, verbs: ["list"])
        let h = Harness(hard: [
            "services": "5", "services.nodeports": "5", "services.loadbalancers": "5", "persistentvolumeclaims": "5", "requests.storage": "10Gi",
            "fast.storageclass.storage.k8s.io/requests.storage": "5Gi", "configmaps": "5", "secrets": "5", "count/deployments.apps": "5",
            "resourcequotas": "1",
        ], resources: [deployments])
        h.services.add(CoreV1.Service(metadata: MetaV1.ObjectMeta(name: "np", namespace: F.namespace), spec: CoreV1.ServiceSpec(
            ports: [CoreV1.ServicePort(port: 80), CoreV1.ServicePort(port: 443)], type: "NodePort")))
        h.services.add(CoreV1.Service(metadata: MetaV1.ObjectMeta(name: "lb", namespace: F.namespace), spec: CoreV1.ServiceSpec(
            ports: [CoreV1.ServicePort(port: 80)], type: "LoadBalancer")))
        h.claims.add(CoreV1.PersistentVolumeClaim(metadata: MetaV1.ObjectMeta(name: "c1", namespace: F.namespace), spec: CoreV1.PersistentVolumeClaimSpec(
            resources: CoreV1.VolumeResourceRequirements(requests: ["storage": Self.q("2Gi")]), storageClassName: "fast")))
        h.claims.add(CoreV1.PersistentVolumeClaim(metadata: MetaV1.ObjectMeta(name: "c2", namespace: F.namespace), spec: CoreV1.PersistentVolumeClaimSpec(
            resources: CoreV1.VolumeResourceRequirements(requests: ["storage": Self.q("1Gi")]))))
        h.configMaps.add(CoreV1.ConfigMap(metadata: MetaV1.ObjectMeta(name: "cm", namespace: F.namespace)))
        h.dynamic.seed(deployments, ObjectMetadata(apiVersion: "apps/v1", kind: "Deployment", metadata: MetaV1.ObjectMeta(name: "d1", namespace: F.namespace)))
        h.dynamic.seed(deployments, ObjectMetadata(apiVersion: "apps/v1", kind: "Deployment", metadata: MetaV1.ObjectMeta(name: "d2", namespace: F.namespace)))
        h.dynamic.seed(deployments, ObjectMetadata(apiVersion: "apps/v1", kind: "Deployment", metadata: MetaV1.ObjectMeta(name: "elsewhere", namespace: "other")))
        try await h.controller.sync("\(F.namespace)/q")
        #expect(h.used() == [
            "services": "2", "services.nodeports": "3", "services.loadbalancers": "1", "persistentvolumeclaims": "2",
            "requests.storage": "3Gi", "fast.storageclass.storage.k8s.io/requests.storage": "2Gi", "configmaps": "1", "secrets": "0",
            "count/deployments.apps": "2", "resourcequotas": "1",
        ])
    }
}
