import APIMachinery
import Foundation
import NIOCore
import Testing
@testable import Client

@Suite("Kubeconfig")
struct KubeconfigTests {
    let text = """
    apiVersion: v1
    kind: Config
    current-context: local
    clusters:
    - name: skiff
      cluster:
        server: https://127.0.0.1:6443
        certificate-authority-data: \(Data("CA-PEM".utf8).base64EncodedString())
    - name: other
      cluster:
        server: https://10.0.0.1
        insecure-skip-tls-verify: true
        certificate-authority: certs/ca.crt
    users:
    - name: admin
      user:
        token: secret-token
    - name: plugin
      user:
        exec:
          command: aws
    contexts:
    - name: local
      context: {cluster: skiff, user: admin, namespace: team-a}
    - name: remote
      context: {cluster: other, user: plugin}
    """

    @Test func resolvesCurrentContext() throws {
        let config = try Kubeconfig.parse(text, baseDirectory: "/etc/kube").restConfig()
        #expect(config.server == "https://127.0.0.1:6443")
        #expect(config.caPEM == Array("CA-PEM".utf8))
        #expect(config.bearerToken == "secret-token")
        #expect(config.namespace == "team-a")
        #expect(config.insecureSkipTLSVerify == false)
    }

    @Test func relativePathsAreResolvedAgainstTheFileAndPluginsRefused() throws {
        let kubeconfig = try Kubeconfig.parse(text, baseDirectory: "/etc/kube")
        #expect(kubeconfig.clusters["other"]?.certificateAuthority == "/etc/kube/certs/ca.crt")
        #expect(kubeconfig.clusters["other"]?.insecureSkipTLSVerify == true)
        #expect(throws: KubeconfigError.unsupported("user \"plugin\" needs an exec plugin")) { try kubeconfig.restConfig(context: "remote") }
        #expect(throws: KubeconfigError.missing("context", "nope")) { try kubeconfig.restConfig(context: "nope") }
    }

    @Test func kubeconfigVariableMergesFirstWins() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try text.write(toFile: dir + "/a", atomically: true, encoding: .utf8)
        try """
        current-context: second
        clusters: [{name: skiff, cluster: {server: "https://ignored"}}, {name: extra, cluster: {server: "http://127.0.0.1:8080"}}]
        contexts: [{name: second, context: {cluster: extra, user: admin}}]
        """.write(toFile: dir + "/b", atomically: true, encoding: .utf8)
        let merged = try Kubeconfig.load(environment: ["KUBECONFIG": "\(dir)/missing:\(dir)/a:\(dir)/b"])
        #expect(merged.currentContext == "local")
        #expect(merged.clusters["skiff"]?.server == "https://127.0.0.1:6443")
        #expect(try merged.restConfig(context: "second").server == "http://127.0.0.1:8080")
        #expect(throws: KubeconfigError.notFound("\(dir)/none")) { try Kubeconfig.load(environment: ["KUBECONFIG": "\(dir)/none"]) }
    }
}

@Suite("REST wire format")
struct RESTWireTests {
    @Test func queryValuesArePercentEncoded() {
        let request = RESTRequest(method: .get, path: "/api/v1/pods",
                                  query: [("labelSelector", "app in (a,b),tier!=db"), ("fieldSelector", "spec.nodeName=")])
        #expect(request.target == "/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Ddb&fieldSelector=spec.nodeName%3D")
    }

    @Test func paths() throws {
        let rest = try RESTClient(config: RESTConfig(server: "http://127.0.0.1:1/"))
        defer { Task { try? await rest.shutdown() } }
        #expect(rest.resource(CoreV1.Pod.self, namespace: "ns").path(name: "p", subresource: "binding") == "/api/v1/namespaces/ns/pods/p/binding")
        #expect(rest.resource(CoreV1.Pod.self).path() == "/api/v1/pods")
        #expect(rest.resource(CoreV1.Node.self, namespace: "ignored").path(name: "n") == "/api/v1/nodes/n")
        #expect(rest.resource(AppsV1.Deployment.self, namespace: "x").path() == "/apis/apps/v1/namespaces/x/deployments")
    }

    @Test func splitterFindsObjectsAcrossChunksAndIgnoresBracesInStrings() {
        var splitter = JSONStreamSplitter()
        let stream = Array(#"{"type":"ADDED","object":{"a":"}{\"x"}}"# .utf8) + Array("\n".utf8) + Array(#"{"b":1}{"c":{}}"#.utf8)
        var objects: [String] = []
        for chunk in stride(from: 0, to: stream.count, by: 7).map({ Array(stream[$0..<min($0 + 7, stream.count)]) }) {
            objects += splitter.feed(chunk).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(objects == [#"{"type":"ADDED","object":{"a":"}{\"x"}}"#, #"{"b":1}"#, #"{"c":{}}"#])
    }

    @Test func watchEventsDecodeInEitherKeyOrder() throws {
        typealias Pods = ResourceClient<CoreV1.Pod>
        let added = try Pods.event(from: ArraySlice(#"{"type":"ADDED","object":{"metadata":{"name":"p","resourceVersion":"5"}}}"#.utf8))
        #expect(added.resourceVersion == "5")
        let reversed = try Pods.event(from: ArraySlice(#"{"object":{"metadata":{"name":"p","resourceVersion":"6"}},"type":"DELETED"}"#.utf8))
        guard case .deleted(let pod) = reversed else { Issue.record("expected deleted, got \(reversed)"); return }
        #expect(pod.name == "p")
        let bookmark = try Pods.event(from: ArraySlice(#"{"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"9"}}}"#.utf8))
        #expect(bookmark == .bookmark(resourceVersion: "9"))
        let gone = #"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 1 (5)"}}"#
        do {
            _ = try Pods.event(from: ArraySlice(gone.utf8))
            Issue.record("an ERROR event must throw")
        } catch let error as StatusError {
            #expect(error.isExpired)
            #expect(error.description == "too old resource version: 1 (5)")
        }
    }

    @Test func listDecodesItemsAndContinue() throws {
        let list = try JSONCodec.decode(ObjectList<CoreV1.Pod>.self, from: Array(
            #"{"kind":"PodList","metadata":{"resourceVersion":"12","continue":"abc"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}"#.utf8))
        #expect(list.items.map(\.name) == ["a", "b"])
        #expect(list.resourceVersion == "12")
        #expect(list.continueToken == "abc")
    }

    @Test func errorsKeepTheServersStatusOrMakeOneFromTheCode() {
        let conflict = StatusError(code: 409, body: Array(#"{"kind":"Status","status":"Failure","reason":"Conflict","message":"the object has been modified"}"#.utf8))
        #expect(conflict.isConflict && !conflict.isNotFound)
        let plain = StatusError(code: 404, body: Array("404 page not found".utf8))
        #expect(plain.isNotFound)
        #expect(plain.description == "404 page not found")
    }

    @Test(arguments: [
        (RetryPolicy.Outcome.answered(status: 429, retryAfter: "3"), true, 0, Swift.Duration?.some(.seconds(3))),
        (.answered(status: 429, retryAfter: nil), false, 0, .seconds(1)),
        (.answered(status: 503, retryAfter: "2"), false, 0, .seconds(2)),
        (.answered(status: 500, retryAfter: nil), true, 0, nil),
        (.answered(status: 409, retryAfter: "1"), true, 0, nil),
        (.answered(status: 429, retryAfter: "600"), true, 0, .seconds(10)),
        (.transportFailure, true, 2, .milliseconds(800)),
        (.transportFailure, false, 0, nil),
        (.answered(status: 429, retryAfter: "1"), true, 10, nil),
    ])
    func retryRules(outcome: RetryPolicy.Outcome, idempotent: Bool, attempt: Int, expected: Swift.Duration?) {
        #expect(RetryPolicy(maxRetries: 10).delay(after: outcome, attempt: attempt, idempotent: idempotent) == expected)
    }
}

@Suite("REST body deadline")
struct RESTDeadlineTests {
    @Test func aBodyThatNeverEndsFailsAtThePassedDeadline() async {
        await #expect(throws: TransportError.self) {
            _ = try await RESTClient.withDeadline(.now()) {
                try await Task.sleep(for: .seconds(3600))
                return 1
            }
        }
    }

    @Test func aBodyThatEndsInTimeIsReturned() async throws {
        let value = try await RESTClient.withDeadline(.now() + .hours(1)) { 42 }
        #expect(value == 42)
    }

    @Test func aBodyErrorIsPassedOnAsItIs() async {
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            _ = try await RESTClient.withDeadline(.now() + .hours(1)) { () async throws -> Int in throw Boom() }
        }
    }

    @Test func cancellingTheCallerCancelsTheBody() async {
        let caller = Task {
            try await RESTClient.withDeadline(.now() + .hours(1)) {
                try await Task.sleep(for: .seconds(3600))
                return 1
            }
        }
        caller.cancel()
        await #expect(throws: CancellationError.self) { _ = try await caller.value }
    }
}
