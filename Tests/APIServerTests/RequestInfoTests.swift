import APIServer
import Testing

/// How request paths and methods resolve to verb, group, version, namespace, resource, name and
/// subresource (kube-apiserver's RequestInfoFactory), and which paths are not resource requests.
struct RequestInfoTests {
    static func info(_ method: String, _ path: String, watch: Bool = false) -> RequestInfo? {
        RequestInfo(method: method, path: path, watchParameter: watch)
    }

    @Test func coreCollectionAcrossNamespaces() {
        #expect(Self.info("GET", "/api/v1/pods") == RequestInfo(verb: "list", group: "", version: "v1", resource: "pods"))
    }

    @Test func namespacedSubresource() {
        #expect(
            Self.info("PUT", "/api/v1/namespaces/ns/pods/p/status")
                == RequestInfo(
                    verb: "update", group: "", version: "v1", namespace: "ns", resource: "pods", name: "p",
                    subresource: "status"))
    }

    @Test func proxySubresourceKeepsTheRestOfThePath() {
        let node = Self.info("GET", "/api/v1/nodes/n1/proxy/stats/summary")
        #expect(node?.resource == "nodes")
        #expect(node?.name == "n1")
        #expect(node?.subresource == "proxy")
        #expect(node?.subpath == "stats/summary")
        let pod = Self.info("POST", "/api/v1/namespaces/ns/pods/web:8080/proxy/a/b")
        #expect(pod?.namespace == "ns")
        #expect(pod?.name == "web:8080")
        #expect(pod?.subresource == "proxy")
        #expect(pod?.subpath == "a/b")
        #expect(pod?.verb == "create")
        #expect(Self.info("GET", "/api/v1/nodes/n1/proxy")?.subpath == nil)
        // Only `proxy` may be followed by a path.
        #expect(Self.info("GET", "/api/v1/nodes/n1/status/extra") == nil)
    }

    @Test func groupResourceSubresource() {
        #expect(
            Self.info("GET", "/apis/apps/v1/namespaces/ns/deployments/d/scale")
                == RequestInfo(
                    verb: "get", group: "apps", version: "v1", namespace: "ns", resource: "deployments", name: "d",
                    subresource: "scale"))
    }

    @Test func namespaceObjectItself() {
        #expect(
            Self.info("GET", "/api/v1/namespaces/foo")
                == RequestInfo(verb: "get", group: "", version: "v1", resource: "namespaces", name: "foo"))
        #expect(
            Self.info("GET", "/api/v1/namespaces")
                == RequestInfo(verb: "list", group: "", version: "v1", resource: "namespaces"))
        #expect(
            Self.info("DELETE", "/api/v1/namespaces/foo")
                == RequestInfo(verb: "delete", group: "", version: "v1", resource: "namespaces", name: "foo"))
    }

    @Test(arguments: ["status", "finalize"])
    func namespaceSubresources(subresource: String) {
        #expect(
            Self.info("PUT", "/api/v1/namespaces/foo/\(subresource)")
                == RequestInfo(
                    verb: "update", group: "", version: "v1", resource: "namespaces", name: "foo",
                    subresource: subresource))
    }

    @Test func resourceNamedLikeANamespaceSubresourceIsStillNamespaced() {
        // Three segments after `namespaces` are a namespaced resource list, not a subresource.
        #expect(
            Self.info("GET", "/api/v1/namespaces/foo/pods")
                == RequestInfo(verb: "list", group: "", version: "v1", namespace: "foo", resource: "pods"))
    }

    @Test func watchPrefix() {
        #expect(
            Self.info("GET", "/api/v1/watch/namespaces/ns/pods")
                == RequestInfo(verb: "watch", group: "", version: "v1", namespace: "ns", resource: "pods"))
        #expect(
            Self.info("GET", "/apis/apps/v1/watch/namespaces/ns/deployments/d")
                == RequestInfo(
                    verb: "watch", group: "apps", version: "v1", namespace: "ns", resource: "deployments", name: "d"))
        #expect(Self.info("GET", "/api/v1/watch/nodes")?.verb == "watch")
    }

    @Test func watchParameter() {
        #expect(Self.info("GET", "/api/v1/namespaces/ns/pods", watch: true)?.verb == "watch")
        #expect(Self.info("GET", "/api/v1/namespaces/ns/pods", watch: false)?.verb == "list")
        // The parameter only turns reads into watches.
        #expect(Self.info("POST", "/api/v1/namespaces/ns/pods", watch: true)?.verb == "create")
    }

    @Test(arguments: [
        ("GET", "/api/v1/namespaces/ns/pods", "list"),
        ("HEAD", "/api/v1/namespaces/ns/pods", "list"),
        ("GET", "/api/v1/namespaces/ns/pods/p", "get"),
        ("HEAD", "/api/v1/namespaces/ns/pods/p", "get"),
        ("POST", "/api/v1/namespaces/ns/pods", "create"),
        ("POST", "/api/v1/namespaces/ns/pods/p/eviction", "create"),
        ("PUT", "/api/v1/namespaces/ns/pods/p", "update"),
        ("PATCH", "/api/v1/namespaces/ns/pods/p", "patch"),
        ("DELETE", "/api/v1/namespaces/ns/pods/p", "delete"),
        ("DELETE", "/api/v1/namespaces/ns/pods", "deletecollection"),
        ("DELETE", "/api/v1/nodes", "deletecollection"),
        ("OPTIONS", "/api/v1/nodes", "options"),
    ])
    func verbs(method: String, path: String, verb: String) {
        #expect(Self.info(method, path)?.verb == verb)
    }

    @Test func clusterScopedSubresource() {
        #expect(
            Self.info("PATCH", "/api/v1/nodes/n1/status")
                == RequestInfo(
                    verb: "patch", group: "", version: "v1", resource: "nodes", name: "n1", subresource: "status"))
    }

    @Test func emptySegmentsAreIgnored() {
        #expect(
            Self.info("GET", "//api//v1/namespaces/ns//pods/")
                == RequestInfo(verb: "list", group: "", version: "v1", namespace: "ns", resource: "pods"))
    }

    @Test(arguments: [
        "/", "/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/healthz", "/version", "/openapi/v2",
        "/api/v1/watch", "/apis/apps/v1/watch",
    ])
    func discoveryAndOtherPathsAreNotResources(path: String) {
        #expect(Self.info("GET", path) == nil)
    }

    @Test(arguments: [
        "/api/v1/namespaces/ns/pods/p/status/extra",
        "/apis/apps/v1/namespaces/ns/deployments/d/scale/x",
        "/api/v1/nodes/n1/status/extra",
    ])
    func tooDeepIsNotAResource(path: String) {
        #expect(Self.info("GET", path) == nil)
    }
}
