import APIMachinery
import Testing

@testable import APIServer

/// The pieces of `pods/log`, `pods/exec`, `pods/attach` and `pods/portforward` that need no
/// kubelet: which container a request is for, where the node's kubelet listens, the URLs and
/// queries sent on to it, and `PodLogOptions` validation (upstream's wording and 422).
@Suite("Pod subresources: container choice and kubelet address")
struct PodSubresourceTests {
    static func json(_ text: String) throws -> JSONValue { try JSONCodec.parse(Array(text.utf8)) }

    static func pod(_ spec: String) throws -> JSONValue {
        try json(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d"},"spec":"# + spec + "}")
    }

    static func container(_ pod: JSONValue, _ name: String?) throws -> String {
        try ResourceContext.container(in: pod, named: name, podName: "p")
    }

    @Test("the only container is used when none is named")
    func onlyContainerDefaulted() throws {
        let pod = try Self.pod(#"{"containers":[{"name":"app","image":"nginx"}],"initContainers":[{"name":"init"}]}"#)
        #expect(try Self.container(pod, nil) == "app")
        #expect(try Self.container(pod, "") == "app")
    }

    @Test("a pod without containers needs a name")
    func noContainers() throws {
        let pod = try Self.pod("{}")
        let error = try #require(throws: StatusError.self) { try Self.container(pod, nil) }
        #expect(error.status.code == 400)
        #expect(error.status.message == "a container name must be specified for pod p")
    }

    @Test("several containers: the message lists the containers, then init and ephemeral containers")
    func severalContainers() throws {
        let plain = try Self.pod(#"{"containers":[{"name":"a"},{"name":"b"}]}"#)
        let plainError = try #require(throws: StatusError.self) { try Self.container(plain, nil) }
        #expect(plainError.status.code == 400)
        #expect(plainError.status.message == "a container name must be specified for pod p, choose one of: [a b]")

        let all = try Self.pod(#"""
            {"containers":[{"name":"a"},{"name":"b"}],"initContainers":[{"name":"i1"},{"name":"i2"}],
             "ephemeralContainers":[{"name":"debug"}]}
            """#)
        let allError = try #require(throws: StatusError.self) { try Self.container(all, "") }
        #expect(allError.status.message == "a container name must be specified for pod p, choose one of: [i1 i2 a b debug]")
    }

    @Test("a named container must be one of the pod's containers, init or ephemeral ones included")
    func namedContainer() throws {
        let pod = try Self.pod(#"""
            {"containers":[{"name":"a"},{"name":"b"}],"initContainers":[{"name":"init"}],
             "ephemeralContainers":[{"name":"debug"}]}
            """#)
        #expect(try Self.container(pod, "b") == "b")
        #expect(try Self.container(pod, "init") == "init")
        #expect(try Self.container(pod, "debug") == "debug")
        let error = try #require(throws: StatusError.self) { try Self.container(pod, "nope") }
        #expect(error.status.code == 400)
        #expect(error.status.message == "container nope is not valid for pod p")
    }

    @Test("the kubelet is reached at the InternalIP first, then ExternalIP, then Hostname")
    func addressPreference() throws {
        let all = try Self.json(#"""
            {"metadata":{"name":"n1"},"status":{"addresses":[
              {"type":"Hostname","address":"n1.example"},{"type":"ExternalIP","address":"203.0.113.7"},
              {"type":"InternalIP","address":"10.0.0.7"},{"type":"InternalIP","address":"10.0.0.8"}],
             "daemonEndpoints":{"kubeletEndpoint":{"Port":10255}}}}
            """#)
        let preferred = try #require(ResourceContext.kubeletAddress(node: all))
        #expect(preferred.host == "10.0.0.7")
        #expect(preferred.port == 10255)

        let external = try Self.json(#"""
            {"status":{"addresses":[{"type":"Hostname","address":"n1.example"},{"type":"ExternalIP","address":"203.0.113.7"}]}}
            """#)
        #expect(ResourceContext.kubeletAddress(node: external)?.host == "203.0.113.7")

        let hostname = try Self.json(#"{"status":{"addresses":[{"type":"Hostname","address":"n1.example"}]}}"#)
        #expect(ResourceContext.kubeletAddress(node: hostname)?.host == "n1.example")
    }

    @Test("the port defaults to 10250 without a kubelet endpoint or with port 0")
    func defaultPort() throws {
        let unset = try Self.json(#"{"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.7"}]}}"#)
        #expect(ResourceContext.kubeletAddress(node: unset)?.port == 10250)
        let zero = try Self.json(#"""
            {"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.7"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":0}}}}
            """#)
        #expect(ResourceContext.kubeletAddress(node: zero)?.port == 10250)
    }

    @Test("no usable address: nil", arguments: [
        #"{"metadata":{"name":"n1"}}"#,
        #"{"status":{}}"#,
        #"{"status":{"addresses":[]}}"#,
        #"{"status":{"addresses":[{"type":"InternalDNS","address":"n1.internal"}]}}"#,
    ])
    func noAddress(node: String) throws {
        let value = try Self.json(node)
        #expect(ResourceContext.kubeletAddress(node: value)?.host == nil)
    }

    @Test("kubelet URLs are HTTPS, IPv6 hosts in brackets")
    func kubeletURL() {
        #expect(ResourceContext.kubeletURL((host: "10.0.0.7", port: 10250), path: "/containerLogs/d/p/app?follow=true")
            == "https://10.0.0.7:10250/containerLogs/d/p/app?follow=true")
        #expect(ResourceContext.kubeletURL((host: "fd00::7", port: 10255), path: "/exec/d/p/app")
            == "https://[fd00::7]:10255/exec/d/p/app")
        #expect(ResourceContext.kubeletURL((host: "n1.example", port: 10250), path: "/portForward/d/p")
            == "https://n1.example:10250/portForward/d/p")
    }

    @Test("query values are percent-encoded; unreserved characters stay")
    func queryString() {
        #expect(ResourceContext.queryString([]) == "")
        #expect(ResourceContext.queryString([("command", "ls -l /tmp"), ("command", "a&b=c?d"), ("input", "1")])
            == "?command=ls%20-l%20%2Ftmp&command=a%26b%3Dc%3Fd&input=1")
        #expect(ResourceContext.queryString([("command", "a-b_c.d~e+f")]) == "?command=a-b_c.d~e%2Bf")
    }

    @Test("path segments are escaped, slashes included")
    func pathSegments() {
        #expect(ResourceContext.escape("web-0") == "web-0")
        #expect(ResourceContext.escape("a b/c") == "a%20b%2Fc")
    }
}

@Suite("Pod log options")
struct PodLogQueryTests {
    static func query(_ parameters: String) throws -> PodLogQuery {
        try PodLogQuery(request: APIRequest(method: "GET", uri: "/api/v1/namespaces/d/pods/p/log?" + parameters), name: "p")
    }

    @Test("no options: no container and no query")
    func noOptions() throws {
        let options = try PodLogQuery(request: APIRequest(method: "GET", uri: "/api/v1/namespaces/d/pods/p/log"), name: "p")
        #expect(options.container == nil)
        #expect(options.kubeletQuery == "")
    }

    @Test("flags that are true and numbers are passed on; the container is kept apart")
    func passedOn() throws {
        let options = try Self.query("container=app&follow=true&previous=false&timestamps=1&tailLines=10&limitBytes=500&sinceSeconds=60")
        #expect(options.container == "app")
        #expect(options.kubeletQuery == "?follow=true&timestamps=true&tailLines=10&limitBytes=500&sinceSeconds=60")
    }

    @Test("sinceTime is passed on encoded; zero tail lines are allowed")
    func sinceTime() throws {
        let options = try Self.query("previous=true&tailLines=0&sinceTime=2024-01-02T03:04:05Z")
        #expect(options.container == nil)
        #expect(options.kubeletQuery == "?previous=true&tailLines=0&sinceTime=2024-01-02T03%3A04%3A05Z")
    }

    @Test("invalid options are a 422 naming the field", arguments: [
        ("tailLines=-1", "tailLines", "tailLines: Invalid value: -1: must be greater than or equal to 0"),
        ("limitBytes=0", "limitBytes", "limitBytes: Invalid value: 0: must be greater than 0"),
        ("sinceSeconds=0", "sinceSeconds", "sinceSeconds: Invalid value: 0: must be greater than 0"),
        ("sinceSeconds=10&sinceTime=2024-01-02T03:04:05Z", "sinceSeconds",
         "sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"),
        ("sinceTime=yesterday", "sinceTime", #"sinceTime: Invalid value: "yesterday": must be an RFC 3339 time"#),
        ("tailLines=ten", "tailLines", #"tailLines: Invalid value: "ten": must be an integer"#),
    ])
    func invalid(parameters: String, field: String, detail: String) throws {
        let error = try #require(throws: StatusError.self) { try Self.query(parameters) }
        #expect(error.code == 422)
        #expect(error.status.code == 422)
        #expect(error.status.reason == "Invalid")
        #expect(error.status.message == #"PodLogOptions "p" is invalid: "# + detail)
        #expect(error.status.details?.kind == "PodLogOptions")
        #expect(error.status.details?.name == "p")
        #expect(error.status.details?.causes?.map(\.field) == [field])
    }

    @Test("several invalid options are reported together")
    func severalInvalid() throws {
        let error = try #require(throws: StatusError.self) { try Self.query("tailLines=-5&limitBytes=-1") }
        #expect(error.status.code == 422)
        #expect(error.status.message == #"PodLogOptions "p" is invalid: ["#
            + "tailLines: Invalid value: -5: must be greater than or equal to 0, limitBytes: Invalid value: -1: must be greater than 0]")
        #expect(error.status.details?.causes?.map(\.field) == ["tailLines", "limitBytes"])
    }
}

/// `[<scheme>:]<name>[:<port>]` of `nodes/…/proxy` and `pods/…/proxy`.
struct ProxyNameTests {
    @Test func schemeNameAndPort() throws {
        #expect(try ResourceContext.proxyName("web") == (nil, "web", nil))
        #expect(try ResourceContext.proxyName("web:8080") == (nil, "web", 8080))
        #expect(try ResourceContext.proxyName("https:web:8443") == ("https", "web", 8443))
        #expect(try ResourceContext.proxyName("http:web:") == ("http", "web", nil))
        #expect(throws: StatusError.self) { try ResourceContext.proxyName("web:0") }
        #expect(throws: StatusError.self) { try ResourceContext.proxyName("web:http") }
        #expect(throws: StatusError.self) { try ResourceContext.proxyName("ftp:web:21") }
        #expect(throws: StatusError.self) { try ResourceContext.proxyName("a:b:c:d") }
    }
}
