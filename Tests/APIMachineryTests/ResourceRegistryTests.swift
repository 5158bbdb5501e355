import Testing
@testable import APIMachinery

/// A name kubectl accepts and the resource it must resolve to first.
struct RegistryResolveCase: Sendable, CustomTestStringConvertible {
    let input: String
    let apiVersion: String
    let plural: String
    var testDescription: String { "\(input) → \(apiVersion) \(plural)" }
    init(_ input: String, _ apiVersion: String, _ plural: String) {
        (self.input, self.apiVersion, self.plural) = (input, apiVersion, plural)
    }
}

struct RegistryScopeCase: Sendable, CustomTestStringConvertible {
    let apiVersion: String
    let kind: String
    let namespaced: Bool
    var testDescription: String { "\(apiVersion) \(kind)" }
    init(_ apiVersion: String, _ kind: String, _ namespaced: Bool) {
        (self.apiVersion, self.kind, self.namespaced) = (apiVersion, kind, namespaced)
    }
}

/// Every kind the built-in table must serve, as "apiVersion Kind".
private let expectedKinds: [String] = [
    "v1 Binding", "v1 ComponentStatus", "v1 ConfigMap", "v1 Endpoints", "v1 Event", "v1 LimitRange",
    "v1 Namespace", "v1 Node", "v1 PersistentVolumeClaim", "v1 PersistentVolume", "v1 Pod",
    "v1 PodTemplate", "v1 ReplicationController", "v1 ResourceQuota", "v1 Secret",
    "v1 ServiceAccount", "v1 Service",
    "apps/v1 ControllerRevision", "apps/v1 DaemonSet", "apps/v1 Deployment", "apps/v1 ReplicaSet",
    "apps/v1 StatefulSet",
    "batch/v1 CronJob", "batch/v1 Job",
    "autoscaling/v1 HorizontalPodAutoscaler", "autoscaling/v2 HorizontalPodAutoscaler",
    "networking.k8s.io/v1 IngressClass", "networking.k8s.io/v1 Ingress",
    "networking.k8s.io/v1 NetworkPolicy",
    "policy/v1 PodDisruptionBudget",
    "rbac.authorization.k8s.io/v1 ClusterRoleBinding", "rbac.authorization.k8s.io/v1 ClusterRole",
    "rbac.authorization.k8s.io/v1 RoleBinding", "rbac.authorization.k8s.io/v1 Role",
    "coordination.k8s.io/v1 Lease",
    "metrics.k8s.io/v1beta1 NodeMetrics", "metrics.k8s.io/v1beta1 PodMetrics",
    "discovery.k8s.io/v1 EndpointSlice",
    "events.k8s.io/v1 Event",
    "storage.k8s.io/v1 CSIDriver", "storage.k8s.io/v1 CSINode", "storage.k8s.io/v1 CSIStorageCapacity",
    "storage.k8s.io/v1 StorageClass", "storage.k8s.io/v1 VolumeAttachment",
    "scheduling.k8s.io/v1 PriorityClass",
    "node.k8s.io/v1 RuntimeClass",
    "apiextensions.k8s.io/v1 CustomResourceDefinition",
    "admissionregistration.k8s.io/v1 MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy",
    "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding",
    "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
    "authentication.k8s.io/v1 SelfSubjectReview", "authentication.k8s.io/v1 TokenReview",
    "authorization.k8s.io/v1 LocalSubjectAccessReview",
    "authorization.k8s.io/v1 SelfSubjectAccessReview",
    "authorization.k8s.io/v1 SelfSubjectRulesReview", "authorization.k8s.io/v1 SubjectAccessReview",
    "certificates.k8s.io/v1 CertificateSigningRequest",
]

private func gvk(_ apiVersion: String, _ kind: String) -> GroupVersionKind {
    GroupVersionKind(apiVersion: apiVersion, kind: kind)!
}

@Suite struct ResourceRegistryTests {
    let registry = ResourceRegistry.builtin

    // MARK: Resolution

    @Test(arguments: [
        RegistryResolveCase("po", "v1", "pods"),
        RegistryResolveCase("pod", "v1", "pods"),
        RegistryResolveCase("pods", "v1", "pods"),
        RegistryResolveCase("Pod", "v1", "pods"),
        RegistryResolveCase("PODS", "v1", "pods"),
        RegistryResolveCase("svc", "v1", "services"),
        RegistryResolveCase("cm", "v1", "configmaps"),
        RegistryResolveCase("ns", "v1", "namespaces"),
        RegistryResolveCase("no", "v1", "nodes"),
        RegistryResolveCase("sa", "v1", "serviceaccounts"),
        RegistryResolveCase("pv", "v1", "persistentvolumes"),
        RegistryResolveCase("pvc", "v1", "persistentvolumeclaims"),
        RegistryResolveCase("ep", "v1", "endpoints"),
        RegistryResolveCase("ev", "v1", "events"),
        RegistryResolveCase("events", "v1", "events"),
        RegistryResolveCase("cs", "v1", "componentstatuses"),
        RegistryResolveCase("limits", "v1", "limitranges"),
        RegistryResolveCase("quota", "v1", "resourcequotas"),
        RegistryResolveCase("rc", "v1", "replicationcontrollers"),
        RegistryResolveCase("deploy", "apps/v1", "deployments"),
        RegistryResolveCase("Deployment", "apps/v1", "deployments"),
        RegistryResolveCase("deployments.apps", "apps/v1", "deployments"),
        RegistryResolveCase("deploy.apps", "apps/v1", "deployments"),
        RegistryResolveCase("deployments.v1.apps", "apps/v1", "deployments"),
        RegistryResolveCase("rs", "apps/v1", "replicasets"),
        RegistryResolveCase("sts", "apps/v1", "statefulsets"),
        RegistryResolveCase("ds", "apps/v1", "daemonsets"),
        RegistryResolveCase("hpa", "autoscaling/v2", "horizontalpodautoscalers"),
        RegistryResolveCase("hpa.v1.autoscaling", "autoscaling/v1", "horizontalpodautoscalers"),
        RegistryResolveCase("cj", "batch/v1", "cronjobs"),
        RegistryResolveCase("job", "batch/v1", "jobs"),
        RegistryResolveCase("ing", "networking.k8s.io/v1", "ingresses"),
        RegistryResolveCase("netpol", "networking.k8s.io/v1", "networkpolicies"),
        RegistryResolveCase("pdb", "policy/v1", "poddisruptionbudgets"),
        RegistryResolveCase("crd", "apiextensions.k8s.io/v1", "customresourcedefinitions"),
        RegistryResolveCase("crds", "apiextensions.k8s.io/v1", "customresourcedefinitions"),
        RegistryResolveCase("csr", "certificates.k8s.io/v1", "certificatesigningrequests"),
        RegistryResolveCase("pc", "scheduling.k8s.io/v1", "priorityclasses"),
        RegistryResolveCase("sc", "storage.k8s.io/v1", "storageclasses"),
        RegistryResolveCase("ev.events.k8s.io", "events.k8s.io/v1", "events"),
        RegistryResolveCase("events.v1.events.k8s.io", "events.k8s.io/v1", "events"),
        RegistryResolveCase("Lease", "coordination.k8s.io/v1", "leases"),
    ])
    func resolvesFirstMatch(_ c: RegistryResolveCase) throws {
        let first = try #require(registry.resolve(c.input).first)
        #expect(first.gvk.apiVersion == c.apiVersion)
        #expect(first.plural == c.plural)
    }

    @Test func resolveOrdersByPriority() {
        #expect(registry.resolve("ev").map(\.gvk.apiVersion) == ["v1", "events.k8s.io/v1"])
        #expect(registry.resolve("hpa").map(\.gvk.apiVersion) == ["autoscaling/v2", "autoscaling/v1"])
        #expect(registry.resolve("hpa.autoscaling").map(\.gvk.apiVersion)
                == ["autoscaling/v2", "autoscaling/v1"])
        #expect(registry.resolve("deploy").count == 1)
    }

    @Test(arguments: [
        "", "nope", "pods.apps", "deployments.v2.apps.x", "po.", ".po", "deploy..apps", "Scale", "eviction",
    ])
    func unknownNamesResolveToNothing(_ name: String) {
        #expect(registry.resolve(name).isEmpty)
    }

    // MARK: Categories

    @Test func categoryAll() {
        let members = registry.resources(inCategory: "all")
        #expect(Set(members.map(\.plural)) == [
            "pods", "services", "replicationcontrollers", "daemonsets", "deployments", "replicasets",
            "statefulsets", "horizontalpodautoscalers", "jobs", "cronjobs",
        ])
        #expect(members.count == 10)
        #expect(members.first { $0.plural == "horizontalpodautoscalers" }?.gvk.version == "v2")
        #expect(members.first?.plural == "pods")
    }

    @Test func categoryAPIExtensions() {
        let members = Set(registry.resources(inCategory: "api-extensions").map(\.plural))
        #expect(members == [
            "customresourcedefinitions", "mutatingwebhookconfigurations",
            "validatingwebhookconfigurations", "validatingadmissionpolicies",
            "validatingadmissionpolicybindings",
        ])
        #expect(registry.resources(inCategory: "nope").isEmpty)
    }

    // MARK: Scope

    @Test(arguments: [
        RegistryScopeCase("v1", "Pod", true), RegistryScopeCase("v1", "Binding", true),
        RegistryScopeCase("v1", "Namespace", false), RegistryScopeCase("v1", "Node", false),
        RegistryScopeCase("v1", "PersistentVolume", false), RegistryScopeCase("v1", "PersistentVolumeClaim", true),
        RegistryScopeCase("v1", "ComponentStatus", false), RegistryScopeCase("v1", "Event", true),
        RegistryScopeCase("apps/v1", "Deployment", true), RegistryScopeCase("batch/v1", "CronJob", true),
        RegistryScopeCase("rbac.authorization.k8s.io/v1", "ClusterRole", false),
        RegistryScopeCase("rbac.authorization.k8s.io/v1", "Role", true),
        RegistryScopeCase("storage.k8s.io/v1", "StorageClass", false),
        RegistryScopeCase("storage.k8s.io/v1", "CSIStorageCapacity", true),
        RegistryScopeCase("networking.k8s.io/v1", "IngressClass", false),
        RegistryScopeCase("networking.k8s.io/v1", "Ingress", true),
        RegistryScopeCase("apiextensions.k8s.io/v1", "CustomResourceDefinition", false),
        RegistryScopeCase("authorization.k8s.io/v1", "LocalSubjectAccessReview", true),
        RegistryScopeCase("authorization.k8s.io/v1", "SubjectAccessReview", false),
        RegistryScopeCase("authentication.k8s.io/v1", "TokenReview", false),
        RegistryScopeCase("certificates.k8s.io/v1", "CertificateSigningRequest", false),
        RegistryScopeCase("coordination.k8s.io/v1", "Lease", true),
        RegistryScopeCase("scheduling.k8s.io/v1", "PriorityClass", false),
        RegistryScopeCase("node.k8s.io/v1", "RuntimeClass", false),
        RegistryScopeCase("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", false),
    ])
    func scope(_ c: RegistryScopeCase) throws {
        let info = try #require(registry.info(for: gvk(c.apiVersion, c.kind)))
        #expect(info.namespaced == c.namespaced)
    }

    // MARK: Subresources

    @Test func podSubresources() throws {
        let pods = try #require(registry.info(for: gvk("v1", "Pod")))
        #expect(pods.subresources.map(\.name) == [
            "attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward",
            "proxy", "status",
        ])
        #expect(pods.subresource("resize") == nil)  // alpha-gated in 1.32
        #expect(pods.subresource("eviction")?.kind == gvk("policy/v1", "Eviction"))
        #expect(pods.subresource("eviction")?.verbs == ["create"])
        #expect(pods.subresource("binding")?.kind == gvk("v1", "Binding"))
        #expect(pods.subresource("status")?.kind == gvk("v1", "Pod"))
        #expect(pods.subresource("ephemeralcontainers")?.kind == gvk("v1", "Pod"))
        #expect(pods.subresource("log")?.kind == nil)
        #expect(pods.subresource("log")?.verbs == ["get"])
        #expect(pods.subresource("exec")?.verbs == ["create", "get"])
        #expect(pods.subresource("proxy")?.verbs == ["create", "delete", "get", "patch", "update"])
    }

    @Test(arguments: ["Deployment", "ReplicaSet", "StatefulSet"])
    func scaleSubresource(_ kind: String) throws {
        let info = try #require(registry.info(for: gvk("apps/v1", kind)))
        let scale = try #require(info.subresource("scale"))
        #expect(scale.kind == gvk("autoscaling/v1", "Scale"))
        #expect(scale.verbs == ["get", "patch", "update"])
        #expect(info.subresource("status")?.kind == info.gvk)
    }

    @Test func otherSubresources() throws {
        let rc = try #require(registry.info(for: gvk("v1", "ReplicationController")))
        #expect(rc.subresource("scale")?.kind == gvk("autoscaling/v1", "Scale"))
        let sa = try #require(registry.info(for: gvk("v1", "ServiceAccount")))
        #expect(sa.subresource("token")?.kind == gvk("authentication.k8s.io/v1", "TokenRequest"))
        #expect(sa.subresource("token")?.verbs == ["create"])
        let ns = try #require(registry.info(for: gvk("v1", "Namespace")))
        #expect(ns.subresource("finalize")?.verbs == ["update"])
        let csr = try #require(registry.info(for: gvk("certificates.k8s.io/v1", "CertificateSigningRequest")))
        #expect(csr.subresources.map(\.name) == ["approval", "status"])
        let ds = try #require(registry.info(for: gvk("apps/v1", "DaemonSet")))
        #expect(ds.subresource("scale") == nil)
        #expect(registry.info(for: gvk("v1", "Node"))?.subresource("proxy")?.kind == nil)
    }

    // MARK: Verbs

    @Test func verbs() throws {
        let standard = ResourceInfo.standardVerbs
        #expect(registry.info(for: gvk("v1", "Binding"))?.verbs == ["create"])
        #expect(registry.info(for: gvk("v1", "ComponentStatus"))?.verbs == ["get", "list"])
        #expect(registry.info(for: gvk("apps/v1", "Deployment"))?.verbs == standard)
        let noCollection = standard.filter { $0 != "deletecollection" }
        #expect(registry.info(for: gvk("v1", "Namespace"))?.verbs == noCollection)
        #expect(registry.info(for: gvk("v1", "Service"))?.verbs == noCollection)
        for kind in ["authentication.k8s.io/v1 TokenReview", "authentication.k8s.io/v1 SelfSubjectReview",
                     "authorization.k8s.io/v1 SubjectAccessReview",
                     "authorization.k8s.io/v1 LocalSubjectAccessReview",
                     "authorization.k8s.io/v1 SelfSubjectAccessReview",
                     "authorization.k8s.io/v1 SelfSubjectRulesReview"] {
            let parts = kind.split(separator: " ").map(String.init)
            #expect(registry.info(for: gvk(parts[0], parts[1]))?.verbs == ["create"], "\(kind)")
        }
    }

    // MARK: Table integrity

    @Test func everyKindPresent() {
        for entry in expectedKinds {
            let parts = entry.split(separator: " ").map(String.init)
            #expect(registry.info(for: gvk(parts[0], parts[1])) != nil, "\(entry)")
        }
        #expect(registry.all.count == expectedKinds.count)
        #expect(ResourceRegistry.builtinResources.count == expectedKinds.count)
    }

    @Test func noDuplicates() {
        let table = ResourceRegistry.builtinResources
        #expect(Set(table.map(\.gvk)).count == table.count)
        #expect(Set(table.map(\.gvr)).count == table.count)
        let byGroup = Dictionary(grouping: table, by: \.gvk.group)
        for (group, infos) in byGroup {
            // Distinct resources of one group must not share a short name, nor use another's plural.
            var owner: [String: String] = [:]
            for info in infos {
                for short in info.shortNames {
                    if let other = owner[short] { #expect(other == info.plural, "\(group): \(short)") }
                    owner[short] = info.plural
                }
            }
            let plurals = Set(infos.map(\.plural))
            for (short, plural) in owner where plurals.contains(short) {
                #expect(short == plural, "\(group): short name \(short) is another plural")
            }
        }
        for info in table {
            #expect(Set(info.subresources.map(\.name)).count == info.subresources.count, "\(info.plural)")
            #expect(info.singular == info.gvk.kind.lowercased())
        }
    }

    @Test func gvrRoundTrip() {
        for info in registry.all {
            #expect(registry.info(for: info.gvr) == info)
            #expect(registry.info(for: info.gvk) == info)
            #expect(registry.resolve("\(info.plural).\(info.gvk.version).\(info.gvk.group)").first == info
                    || info.gvk.group.isEmpty)
        }
    }

    // MARK: Group versions

    @Test func groupVersions() {
        let gvs = registry.groupVersions
        #expect(gvs.first == "v1")
        #expect(gvs.count == Set(gvs).count)
        #expect(gvs.firstIndex(of: "autoscaling/v2")! < gvs.firstIndex(of: "autoscaling/v1")!)
        #expect(gvs.firstIndex(of: "apps/v1")! < gvs.firstIndex(of: "batch/v1")!)
        #expect(gvs.count == 20)
        #expect(registry.preferredVersion(ofGroup: "") == "v1")
        #expect(registry.preferredVersion(ofGroup: "autoscaling") == "v2")
        #expect(registry.preferredVersion(ofGroup: "apps") == "v1")
        #expect(registry.preferredVersion(ofGroup: "example.com") == nil)
    }

    @Test func versionPriority() {
        let sorted = ["v1alpha1", "v1", "foo", "v2beta1", "v10", "v1beta2", "v2", "v11alpha2"]
            .sorted(by: ResourceRegistry.versionPrecedes)
        #expect(sorted == ["v10", "v2", "v1", "v2beta1", "v1beta2", "v11alpha2", "v1alpha1", "foo"])
    }

    @Test func customGroupsSortAfterBuiltins() {
        let crd = ResourceInfo(
            gvk: GroupVersionKind(group: "example.com", version: "v1beta1", kind: "Widget"),
            plural: "widgets", singular: "widget", namespaced: true, verbs: ResourceInfo.standardVerbs,
            shortNames: ["wd"], categories: ["all"])
        let crdV1 = ResourceInfo(
            gvk: GroupVersionKind(group: "example.com", version: "v1", kind: "Widget"),
            plural: "widgets", singular: "widget", namespaced: true, verbs: ResourceInfo.standardVerbs)
        let reg = ResourceRegistry(ResourceRegistry.builtinResources + [crd, crdV1, crd])
        #expect(reg.all.count == expectedKinds.count + 2)  // duplicate GVR dropped
        #expect(reg.groupVersions.suffix(2) == ["example.com/v1", "example.com/v1beta1"])
        #expect(reg.resolve("wd").first?.gvk.version == "v1beta1")
        #expect(reg.resolve("widget").map(\.gvk.version) == ["v1", "v1beta1"])
        #expect(reg.resources(inCategory: "all").last?.plural == "widgets")
    }

    // MARK: GVK / GVR values

    @Test func apiVersionParsing() {
        #expect(GroupVersionKind(apiVersion: "v1", kind: "Pod")
                == GroupVersionKind(group: "", version: "v1", kind: "Pod"))
        #expect(GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")?.group == "apps")
        for bad in ["", "/v1", "apps/", "a/b/c"] {
            #expect(GroupVersionKind(apiVersion: bad, kind: "X") == nil, "\(bad)")
        }
        #expect(GroupVersionKind(apiVersion: "v1", kind: "") == nil)
        #expect(gvk("apps/v1", "Deployment").description == "apps/v1, Kind=Deployment")
        #expect(gvk("v1", "Pod").apiVersion == "v1")
        let gvr = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
        #expect(gvr.description == "apps/v1, Resource=deployments")
        #expect(GroupVersionResource(apiVersion: "v1", resource: "pods")?.group == "")
    }
}
