import APIMachinery
import Testing
@testable import Kubelet

/// `StaticPodSource`: manifests read as upstream's file source reads them, and mirror pods.
struct StaticPodSourceTests {
    static let manifest = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels: {app: web}
        spec:
          containers:
          - name: c
            image: busybox:1.36
        """

    static func pod(_ text: String = manifest, path: String = "/etc/manifests/web.yaml", node: String = "Node-A") throws -> CoreV1.Pod {
        try StaticPodSource.pod(path: path, contents: text, nodeName: node, seen: "2026-01-01T00:00:00.000000000Z")
    }

    @Test func theNodeNameIsAppendedTheNamespaceDefaultsAndThePodIsBoundHere() throws {
        let pod = try Self.pod()
        #expect(pod.metadata?.name == "web-node-a")
        #expect(pod.metadata?.namespace == "default")
        #expect(pod.spec?.nodeName == "node-a")
        #expect(pod.metadata?.labels == ["app": "web"])
        #expect(pod.spec?.tolerations == [CoreV1.Toleration(effect: "NoExecute", operator: "Exists")])
        let annotations = pod.metadata?.annotations ?? [:]
        #expect(annotations[StaticPodSource.hashAnnotation] == pod.metadata?.uid)
        #expect(annotations[StaticPodSource.sourceAnnotation] == "file")
        #expect(annotations[StaticPodSource.seenAnnotation] == "2026-01-01T00:00:00.000000000Z")
    }

    @Test func theUIDFollowsTheManifestTheNodeAndTheFile() throws {
        let uid = try Self.pod().metadata?.uid
        #expect(uid?.count == 32)
        #expect(try Self.pod().metadata?.uid == uid, "stable across reads")
        #expect(try Self.pod(Self.manifest + "\n    imagePullPolicy: Never").metadata?.uid != uid, "an edit is a new pod")
        #expect(try Self.pod(node: "node-b").metadata?.uid != uid)
        #expect(try Self.pod(path: "/etc/manifests/other.yaml").metadata?.uid != uid)
    }

    @Test func anExplicitNamespaceAndJSONManifestsAreKept() throws {
        let pod = try Self.pod(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"j","namespace":"kube-system"},"spec":{"containers":[{"name":"c","image":"i"}]}}"#)
        #expect(pod.metadata?.namespace == "kube-system")
        #expect(pod.metadata?.name == "j-node-a")
    }

    @Test func manifestsThatAreNotPodsAreRefusedWithTheFileNamed() {
        #expect(throws: StaticPodSource.Invalid.self) { try Self.pod("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n") }
        #expect(throws: StaticPodSource.Invalid(description: "/etc/manifests/web.yaml: metadata.name is required")) {
            try Self.pod("apiVersion: v1\nkind: Pod\nspec: {containers: [{name: c, image: i}]}\n")
        }
        #expect(throws: StaticPodSource.Invalid(description: "/etc/manifests/web.yaml: spec.containers is required")) {
            try Self.pod("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {}\n")
        }
        #expect(throws: StaticPodSource.Invalid.self) { try Self.pod("{{{ not yaml") }
    }

    @Test func onlyVisibleYAMLAndJSONFilesAreManifests() {
        #expect(StaticPodSource.isManifest("a.yaml"))
        #expect(StaticPodSource.isManifest("a.yml"))
        #expect(StaticPodSource.isManifest("a.json"))
        #expect(!StaticPodSource.isManifest(".a.yaml"))
        #expect(!StaticPodSource.isManifest("a.yaml.swp"))
        #expect(!StaticPodSource.isManifest("README"))
    }

    @Test func theMirrorCarriesTheSpecIsMarkedAndIsOwnedByTheNode() throws {
        let pod = try Self.pod()
        let node = CoreV1.Node(metadata: MetaV1.ObjectMeta(name: "node-a", uid: "node-uid"))
        let mirror = StaticPodSource.mirror(of: pod, node: node)
        #expect(StaticPodSource.isMirror(mirror))
        #expect(!StaticPodSource.isMirror(pod))
        #expect(mirror.metadata?.annotations?[StaticPodSource.mirrorAnnotation] == pod.metadata?.uid)
        #expect(mirror.metadata?.uid == nil)
        #expect(mirror.metadata?.name == "web-node-a")
        #expect(mirror.spec == pod.spec)
        #expect(mirror.metadata?.ownerReferences == [MetaV1.OwnerReference(kind: "Node", apiVersion: "v1", controller: false, name: "node-a", uid: "node-uid")])
        #expect(StaticPodSource.mirror(of: pod, node: nil).metadata?.ownerReferences == nil)
    }
}
