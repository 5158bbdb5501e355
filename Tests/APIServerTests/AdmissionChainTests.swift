import APIMachinery
import APIServer
import NIOHTTP1
import Testing

/// `--enable-admission-plugins` / `--disable-admission-plugins` as kube-apiserver reads them.
@Suite struct AdmissionChainTests {
    @Test func defaultsAndFlags() throws {
        let store = InMemoryStore()
        let stores = StoreRegistry(kv: store)
        #expect(try AdmissionChain(registry: .builtin, stores: stores).enabled == ["NamespaceLifecycle", "Priority"])
        #expect(try AdmissionChain(disable: ["Priority"], registry: .builtin, stores: stores).enabled == ["NamespaceLifecycle"])
        #expect(try AdmissionChain(enable: ["Priority"], registry: .builtin, stores: stores).enabled == ["NamespaceLifecycle", "Priority"])
        do {
            _ = try AdmissionChain(enable: ["LimitRanger"], registry: .builtin, stores: stores)
            Issue.record("a plugin Skiff does not have must be refused, not skipped")
        } catch let error as AdmissionConfigurationError {
            #expect(error.message.contains("\"LimitRanger\" is unknown or not implemented by Skiff"))
        }
    }

    @Test func withoutNamespaceLifecycleCreatesInMissingNamespacesAreAllowed() async throws {
        let handler = try APIHandler(kv: InMemoryStore(), disableAdmissionPlugins: ["NamespaceLifecycle"])
        let response = await handler.handle(APIRequest(
            method: "POST", uri: "/api/v1/namespaces/nowhere/configmaps",
            headers: ["Content-Type": "application/json"], body: Array(#"{"metadata":{"name":"c"}}"#.utf8)))
        #expect(response.status == 201)
    }
}
