import APIMachinery
import Testing
@testable import Controllers

@Suite("Discovery and metadata-only objects")
struct ServerResourcesTests {
    @Test("a discovery document yields its top-level resources with group, version and scope")
    func resourcesOfList() {
        let apps = MetaV1.APIResourceList(groupVersion: "apps/v1", resources: [
            MetaV1.APIResource(kind: "Deployment", name: "deployments", namespaced: true, shortNames: ["deploy"], singularName: "deployment",
                               verbs: ["create", "delete", "list", "watch"]),
            MetaV1.APIResource(kind: "Deployment", name: "deployments/status", namespaced: true, verbs: ["get", "patch"]),
            MetaV1.APIResource(kind: "Scale", group: "autoscaling", name: "deployments/scale", namespaced: true, verbs: ["get"], version: "v1"),
        ])
        let resources = ServerResources.resources(of: apps)
        #expect(resources.count == 1)
        let deployments = resources[0]
        #expect(deployments.gvk == GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"))
        #expect(deployments.plural == "deployments" && deployments.singular == "deployment" && deployments.namespaced)
        #expect(deployments.verbs == ["create", "delete", "list", "watch"] && deployments.shortNames == ["deploy"])

        let core = MetaV1.APIResourceList(groupVersion: "v1", resources: [
            MetaV1.APIResource(kind: "Namespace", name: "namespaces", namespaced: false, singularName: "namespace", verbs: ["list"]),
        ])
        #expect(ServerResources.resources(of: core).map(\.gvr) == [GroupVersionResource(group: "", version: "v1", resource: "namespaces")])
        #expect(ServerResources.resources(of: core).first?.namespaced == false)
    }

    @Test("ObjectMetadata keeps type and object metadata, dropping managed fields and everything else")
    func objectMetadataDecoding() throws {
        let json = """
            {"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web","namespace":"default","uid":"rs-1",
             "resourceVersion":"12","finalizers":["orphan"],"managedFields":[{"manager":"kubectl","operation":"Apply"}],
             "ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"d-1","controller":true}]},
             "spec":{"replicas":3},"status":{"replicas":3}}
            """
        let object = try JSONCodec.decode(ObjectMetadata.self, from: Array(json.utf8))
        #expect(object.apiVersion == "apps/v1" && object.kind == "ReplicaSet")
        #expect(object.objectKey == "default/web" && object.objectResourceVersion == "12")
        #expect(object.metadata.managedFields == nil)
        #expect(object.metadata.finalizers == ["orphan"])
        #expect(object.metadata.ownerReferences?.first?.uid == "d-1")
        let tree = JSONCodec.tree(of: object)
        #expect(tree["spec"] == nil && tree["status"] == nil)
        #expect(try JSONCodec.decode(ObjectMetadata.self, from: tree) == object)
    }
}
