import APIMachinery
import NIOHTTP1
import Testing

@testable import APIServer

private func object(_ text: String) throws -> JSONObject {
    try #require(try JSONCodec.parse(Array(text.utf8)).objectValue)
}

@Suite("Bootstrap RBAC policy (kube-apiserver's rbac/bootstrap-roles)")
struct BootstrapPolicyTests {
    let policy = BootstrapPolicy.kubernetes

    @Test func theEmbeddedPolicyIsKubernetes132s() throws {
        #expect(policy.clusterRoles.count == 65)
        #expect(policy.clusterRoleBindings.count == 46)
        #expect(policy.roles.count == 7)
        #expect(policy.roleBindings.count == 7)
        let admin = try #require(policy.clusterRoles.first { $0.objectMember("metadata")["name"] == "cluster-admin" })
        #expect(admin["rules"] == [["verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]], ["verbs": ["*"], "nonResourceURLs": ["*"]]])
        for name in ["admin", "edit", "view"] {
            let role = try #require(policy.clusterRoles.first { $0.objectMember("metadata")["name"]?.stringValue == name })
            #expect(role["aggregationRule"] != nil, "\(name)")
        }
        // Every binding names a role the policy has (or, for RoleBindings, a ClusterRole).
        let clusterRoleNames = Set(policy.clusterRoles.compactMap { $0.objectMember("metadata")["name"]?.stringValue })
        let roleNames = Set(policy.roles.compactMap { role -> String? in
            guard let name = role.objectMember("metadata")["name"]?.stringValue else { return nil }
            return "\(role.objectMember("metadata")["namespace"]?.stringValue ?? "")/\(name)"
        })
        for binding in policy.clusterRoleBindings {
            #expect(clusterRoleNames.contains(binding["roleRef"]?["name"]?.stringValue ?? ""), "\(binding)")
        }
        for binding in policy.roleBindings {
            let name = binding["roleRef"]?["name"]?.stringValue ?? ""
            let namespace = binding.objectMember("metadata")["namespace"]?.stringValue ?? ""
            let found = binding["roleRef"]?["kind"] == "ClusterRole" ? clusterRoleNames.contains(name) : roleNames.contains("\(namespace)/\(name)")
            #expect(found, "\(binding)")
        }
    }

    static let expectedRole = """
        {"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"r","labels":{"a":"1","b":"2"},"annotations":{"rbac.authorization.kubernetes.io/autoupdate":"true"}},
         "rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods","pods/log"]},{"verbs":["get"],"nonResourceURLs":["/healthz"]}]}
        """

    @Test func aMissingRoleIsCreatedAndAnEqualOneLeftAlone() throws {
        let expected = try object(Self.expectedRole)
        #expect(BootstrapPolicy.reconcileRole(expected: expected, existing: nil) == .create(expected))
        #expect(BootstrapPolicy.reconcileRole(expected: expected, existing: expected) == .none)
    }

    @Test func widerRulesCoverTheExpectedOnes() throws {
        let expected = try object(Self.expectedRole)
        var existing = expected
        existing["rules"] = [
            ["verbs": ["*"], "apiGroups": [""], "resources": ["pods", "pods/*"]], ["verbs": ["get"], "nonResourceURLs": ["/health*"]],
        ]
        #expect(BootstrapPolicy.reconcileRole(expected: expected, existing: existing) == .none)
    }

    @Test func missingRulesAreAppendedBrokenDownAndExtrasKept() throws {
        let expected = try object(Self.expectedRole)
        var existing = expected
        existing["rules"] = [["verbs": ["get"], "apiGroups": [""], "resources": ["pods"]], ["verbs": ["delete"], "apiGroups": ["apps"], "resources": ["deployments"]]]
        var metadata = existing.objectMember("metadata")
        metadata["labels"] = ["a": "mine"]
        existing["metadata"] = .object(metadata)
        guard case .update(let result) = BootstrapPolicy.reconcileRole(expected: expected, existing: existing) else {
            Issue.record("expected an update")
            return
        }
        #expect(result["rules"] == [
            ["verbs": ["get"], "apiGroups": [""], "resources": ["pods"]], ["verbs": ["delete"], "apiGroups": ["apps"], "resources": ["deployments"]],
            ["verbs": ["list"], "apiGroups": [""], "resources": ["pods"]], ["verbs": ["get"], "apiGroups": [""], "resources": ["pods/log"]],
            ["verbs": ["list"], "apiGroups": [""], "resources": ["pods/log"]], ["verbs": ["get"], "nonResourceURLs": ["/healthz"]],
        ])
        // Labels: what the object has wins, what it lacks is added.
        #expect(result.objectMember("metadata")["labels"] == ["a": "mine", "b": "2"])
    }

    @Test func autoupdateFalseIsLeftAlone() throws {
        let expected = try object(Self.expectedRole)
        var existing = expected
        existing["rules"] = []
        existing["metadata"] = ["name": "r", "annotations": ["rbac.authorization.kubernetes.io/autoupdate": "false"]]
        #expect(BootstrapPolicy.reconcileRole(expected: expected, existing: existing) == .none)
    }

    @Test func aggregationSelectorsAreAddedAndFilledRulesKept() throws {
        let expected = try object("""
            {"kind":"ClusterRole","metadata":{"name":"view"},"rules":null,"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"x":"true"}}]}}
            """)
        var existing = expected
        existing["rules"] = [["verbs": ["get"], "apiGroups": [""], "resources": ["pods"]]]
        #expect(BootstrapPolicy.reconcileRole(expected: expected, existing: existing) == .none)
        existing["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": ["mine": "true"]]]]
        guard case .update(let result) = BootstrapPolicy.reconcileRole(expected: expected, existing: existing) else {
            Issue.record("expected an update")
            return
        }
        #expect(result["aggregationRule"] == ["clusterRoleSelectors": [["matchLabels": ["mine": "true"]], ["matchLabels": ["x": "true"]]]])
        #expect(result["rules"] == existing["rules"])
    }

    @Test func bindingsGetMissingSubjectsAndAChangedRoleRefIsReplaced() throws {
        let expected = try object("""
            {"kind":"ClusterRoleBinding","metadata":{"name":"b"},"subjects":[{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"system:masters"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"}}
            """)
        var existing = expected
        existing["subjects"] = [["kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice"]]
        guard case .update(let result) = BootstrapPolicy.reconcileBinding(expected: expected, existing: existing) else {
            Issue.record("expected an update")
            return
        }
        #expect(result["subjects"]?.arrayValue?.count == 2)
        existing["roleRef"] = ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"]
        guard case .replace(let replacement) = BootstrapPolicy.reconcileBinding(expected: expected, existing: existing) else {
            Issue.record("expected a replacement")
            return
        }
        #expect(replacement["roleRef"] == expected["roleRef"])
        #expect(replacement["subjects"]?.arrayValue?.count == 2)
    }

    /// Through the apiserver: a start creates every object; a later start restores a rule an
    /// admin removed and keeps what the admin added, unless the role opts out.
    @Test func startsCreateAndReconcile() async throws {
        let store = InMemoryStore()
        let handler = try APIHandler(kv: store)
        try await handler.bootstrap()
        #expect(store.text(at: "/registry/rbac.authorization.k8s.io/clusterroles/cluster-admin") != nil)
        #expect(store.text(at: "/registry/rbac.authorization.k8s.io/rolebindings/kube-system/system::leader-locking-kube-scheduler") != nil)

        let uri = "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:heapster"
        var role = try #require(try JSONCodec.parse(Array(await body(handler, "GET", uri).utf8)).objectValue)
        let original = role["rules"]
        role["rules"] = [["verbs": ["watch"], "apiGroups": ["example.com"], "resources": ["widgets"]]]
        _ = await body(handler, "PUT", uri, JSONCodec.encodeToString(JSONValue.object(role)))
        try await handler.bootstrap()
        let restored = try JSONCodec.parse(Array(await body(handler, "GET", uri).utf8))
        let rules = restored["rules"]?.arrayValue ?? []
        #expect(rules.first == ["verbs": ["watch"], "apiGroups": ["example.com"], "resources": ["widgets"]])
        for rule in original?.arrayValue ?? [] {
            for part in PolicyRuleCoverage.breakdown(rule) { #expect(PolicyRuleCoverage.covers(rules, part), "\(part)") }
        }
    }

    private func body(_ handler: APIHandler, _ method: String, _ uri: String, _ text: String = "") async -> String {
        var headers = HTTPHeaders()
        if !text.isEmpty { headers.add(name: "Content-Type", value: "application/json") }
        guard case .full(_, _, let bytes) = await handler.handle(APIRequest(method: method, uri: uri, headers: headers, body: Array(text.utf8))) else {
            return ""
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
