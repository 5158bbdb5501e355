import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

@Suite("ServiceAccounts controller")
struct ServiceAccountsControllerTests {
    typealias F = Fixtures

    struct Harness {
        let namespaces = ThreadSafeStore<CoreV1.Namespace>()
        let accounts = ThreadSafeStore<CoreV1.ServiceAccount>()
        let client = FakeControllerClient()
        let controller: ServiceAccountsController

        init(_ namespaces: [CoreV1.Namespace]) {
            controller = ServiceAccountsController(
                namespaces: Lister(store: self.namespaces), serviceAccounts: Lister(store: accounts), client: client,
                clock: ManualClock(), logger: F.logger)
            client.mirror(self.namespaces)
            client.mirror(accounts)
            for namespace in namespaces { client.seed(namespace) }
        }
    }

    @Test("creates the default ServiceAccount in an active namespace that lacks it")
    func createsDefault() async throws {
        let h = Harness([F.namespace("team-a")])
        try await h.controller.sync("team-a")
        #expect(h.client.actions == [.create(kind: "ServiceAccount", namespace: "team-a", name: "default")])
        let account = try #require(h.accounts.get(key: "team-a/default"))
        #expect(account.apiVersion == "v1" && account.kind == "ServiceAccount")
        // Level-triggered: the next sync sees it and does nothing.
        try await h.controller.sync("team-a")
        #expect(h.client.actions.count == 1)
    }

    @Test("an existing default ServiceAccount is left alone")
    func existingAccount() async throws {
        let h = Harness([F.namespace("team-a")])
        h.client.seed(CoreV1.ServiceAccount(metadata: MetaV1.ObjectMeta(name: "default", namespace: "team-a")))
        try await h.controller.sync("team-a")
        #expect(h.client.actions.isEmpty)
    }

    @Test("a terminating or missing namespace gets nothing", arguments: [true, false])
    func terminatingNamespace(byTimestamp: Bool) async throws {
        var namespace = F.namespace("going", terminating: true)
        if !byTimestamp { namespace.metadata?.deletionTimestamp = nil }
        let h = Harness([namespace])
        try await h.controller.sync("going")
        try await h.controller.sync("absent")
        #expect(h.client.actions.isEmpty)
    }

    @Test("AlreadyExists from a lagging informer is tolerated")
    func alreadyExists() async throws {
        let h = Harness([F.namespace("team-a")])
        // The apiserver has it; the informer has not seen it yet.
        h.client.seed(CoreV1.ServiceAccount(metadata: MetaV1.ObjectMeta(name: "default", namespace: "team-a")), mirror: false)
        try await h.controller.sync("team-a")
        #expect(h.client.actions == [.create(kind: "ServiceAccount", namespace: "team-a", name: "default")])
    }

    @Test("a refusal because the namespace is terminating is not an error; other refusals are")
    func refusals() async throws {
        let h = Harness([F.namespace("team-a")])
        h.client.failCreates(after: 0, with: .namespaceTerminating("team-a"))
        try await h.controller.sync("team-a")
        h.client.failCreates(after: 0, with: .quotaExceeded())
        await #expect(throws: StatusError.self) { try await h.controller.sync("team-a") }
    }
}
