import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

@Suite("ClusterRole aggregation controller")
struct ClusterRoleAggregationControllerTests {
    typealias F = Fixtures

    static func rule(_ verb: String, _ resource: String) -> RBACV1.PolicyRule {
        RBACV1.PolicyRule(apiGroups: [""], resources: [resource], verbs: [verb])
    }

    static func role(_ name: String, labels: [String: String] = [:], rules: [RBACV1.PolicyRule]? = nil, selecting: [String: String]? = nil) -> RBACV1.ClusterRole {
        RBACV1.ClusterRole(
            metadata: MetaV1.ObjectMeta(labels: labels, name: name, resourceVersion: "1"),
            aggregationRule: selecting.map { RBACV1.AggregationRule(clusterRoleSelectors: [MetaV1.LabelSelector(matchLabels: $0)]) },
            rules: rules)
    }

    struct Harness {
        let roles = ThreadSafeStore<RBACV1.ClusterRole>()
        let client = FakeControllerClient()
        let controller: ClusterRoleAggregationController

        init(_ seeded: [RBACV1.ClusterRole]) {
            controller = ClusterRoleAggregationController(clusterRoles: Lister(store: roles), client: client, clock: ManualClock(), logger: F.logger)
            client.mirror(roles)
            for role in seeded { client.seed(role) }
        }
    }

    @Test("an aggregated role holds the rules of the roles it selects, by name, each once")
    func aggregates() async throws {
        let h = Harness([
            Self.role("view", selecting: ["agg": "view"]),
            Self.role("b-extra", labels: ["agg": "view"], rules: [Self.rule("get", "widgets"), Self.rule("get", "pods")]),
            Self.role("a-base", labels: ["agg": "view"], rules: [Self.rule("get", "pods")]),
            Self.role("unrelated", rules: [Self.rule("delete", "pods")]),
        ])
        try await h.controller.sync("view")
        let view = try #require(h.roles.get(key: "view"))
        #expect(view.rules == [Self.rule("get", "pods"), Self.rule("get", "widgets")])
        #expect(h.client.actions.count == 1)
        // Level-triggered: nothing to write the second time.
        try await h.controller.sync("view")
        #expect(h.client.actions.count == 1)
    }

    @Test("a role that stops matching takes its rules out; a role without aggregationRule is never written")
    func shrinksAndIgnoresPlainRoles() async throws {
        let h = Harness([
            Self.role("view", rules: [Self.rule("get", "pods")], selecting: ["agg": "view"]),
            Self.role("plain", rules: [Self.rule("get", "pods")]),
        ])
        try await h.controller.sync("view")
        #expect(h.roles.get(key: "view")?.rules == [])
        try await h.controller.sync("plain")
        try await h.controller.sync("absent")
        #expect(h.client.actions.count == 1)
    }

    @Test("an aggregated role never aggregates itself, and chains through labelled aggregated roles")
    func chains() async throws {
        let h = Harness([
            Self.role("edit", labels: ["agg": "admin"], rules: [Self.rule("update", "pods")], selecting: ["agg": "edit"]),
            Self.role("admin", labels: ["agg": "edit"], selecting: ["agg": "admin"]),
        ])
        try await h.controller.sync("admin")
        #expect(h.roles.get(key: "admin")?.rules == [Self.rule("update", "pods")])
    }
}
