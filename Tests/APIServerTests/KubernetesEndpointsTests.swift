import APIMachinery
import Component
import Foundation
import NIOHTTP1
import Testing
@testable import APIServer

/// The apiserver's own endpoints for `default/kubernetes` (the lease endpoint reconciler).
@Suite("kubernetes Service endpoints")
struct KubernetesEndpointsTests {
    let store = InMemoryStore()
    let clock = ManualClock()
    let handler: APIHandler

    init() throws { handler = try APIHandler(kv: store, clock: clock, bootstrapRBAC: false) }

    func get(_ uri: String) async throws -> JSONValue {
        guard case .full(let status, _, let bytes) = await handler.handle(APIRequest(method: "GET", uri: uri, headers: HTTPHeaders(), body: [])), status == 200 else {
            throw StatusError.internalError("GET \(uri) failed")
        }
        return try JSONCodec.parse(bytes)
    }

    func addresses() async throws -> (endpoints: [String], slice: [String]) {
        let endpoints = try await get("/api/v1/namespaces/default/endpoints/kubernetes")
        let slice = try await get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes")
        return (
            endpoints["subsets"]?[0]?["addresses"]?.arrayValue?.compactMap { $0["ip"]?.stringValue } ?? [],
            slice["endpoints"]?.arrayValue?.compactMap { $0["addresses"]?[0]?.stringValue } ?? []
        )
    }

    @Test func publishesItselfInTheEndpointsAndTheSlice() async throws {
        try await handler.reconcileKubernetesEndpoints(ip: "192.0.2.1", port: 6443)
        let endpoints = try await get("/api/v1/namespaces/default/endpoints/kubernetes")
        #expect(endpoints["metadata"]?["labels"] == ["endpointslice.kubernetes.io/skip-mirror": "true"])
        #expect(endpoints["subsets"] == [["addresses": [["ip": "192.0.2.1"]], "ports": [["name": "https", "port": 6443, "protocol": "TCP"]]]])
        let slice = try await get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes")
        #expect(slice["addressType"] == "IPv4")
        #expect(slice["metadata"]?["labels"] == ["kubernetes.io/service-name": "kubernetes"])
        #expect(slice["endpoints"] == [["addresses": ["192.0.2.1"], "conditions": ["ready": true]]])
        #expect(slice["ports"] == [["name": "https", "port": 6443, "protocol": "TCP"]])
    }

    @Test func aPassWithNothingChangedWritesNothing() async throws {
        try await handler.reconcileKubernetesEndpoints(ip: "192.0.2.1", port: 6443)
        let before = try await get("/api/v1/namespaces/default/endpoints/kubernetes")["metadata"]?["resourceVersion"]
        try await handler.reconcileKubernetesEndpoints(ip: "192.0.2.1", port: 6443)
        #expect(try await get("/api/v1/namespaces/default/endpoints/kubernetes")["metadata"]?["resourceVersion"] == before)
    }

    @Test func everyLiveApiserverIsListedAndAnExpiredOneDropped() async throws {
        try await handler.reconcileKubernetesEndpoints(ip: "192.0.2.2", port: 6443, ttl: 15)
        try await handler.reconcileKubernetesEndpoints(ip: "192.0.2.1", port: 6443, ttl: 15)
        #expect(try await addresses() == (["192.0.2.1", "192.0.2.2"], ["192.0.2.1", "192.0.2.2"]))
        // 192.0.2.2 stops renewing; after its TTL only the renewing one is left.
        clock.advance(by: .seconds(16))
        try await handler.reconcileKubernetesEndpoints(ip: "192.0.2.1", port: 6443, ttl: 15)
        #expect(try await addresses() == (["192.0.2.1"], ["192.0.2.1"]))
        #expect(store.text(at: "/registry/masterleases/192.0.2.2") == nil)
    }

    @Test func aLeavingApiserverWithdrawsItself() async throws {
        try await handler.reconcileKubernetesEndpoints(ip: "192.0.2.1", port: 6443)
        try await handler.reconcileKubernetesEndpoints(ip: "192.0.2.2", port: 6443)
        try await handler.reconcileKubernetesEndpoints(ip: "192.0.2.2", port: 6443, leaving: true)
        #expect(try await addresses() == (["192.0.2.1"], ["192.0.2.1"]))
        try await handler.reconcileKubernetesEndpoints(ip: "192.0.2.1", port: 6443, leaving: true)
        let endpoints = try await get("/api/v1/namespaces/default/endpoints/kubernetes")
        #expect(endpoints["subsets"] == nil)
    }
}
