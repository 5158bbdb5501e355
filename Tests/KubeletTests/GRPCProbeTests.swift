import APIMachinery
import Component
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing
@testable import Kubelet

/// gRPC probes against a real in-process gRPC server on loopback: the health service's answer
/// decides, with upstream's messages for the ways it can fail.
struct GRPCProbeTests {
    /// Answers SERVING for "" and "web", NOT_SERVING for "db", SERVICE_UNKNOWN otherwise.
    struct Health: Grpc_Health_V1_Health.SimpleServiceProtocol {
        func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
            var response = Grpc_Health_V1_HealthCheckResponse()
            switch request.service {
            case "", "web": response.status = .serving
            case "db": response.status = .notServing
            default: response.status = .serviceUnknown
            }
            return response
        }
    }

    /// Runs `body` with the port of a gRPC server offering `services` on 127.0.0.1.
    static func withServer(_ services: [any RegistrableRPCService], _ body: (Int) async throws -> Void) async throws {
        let server = GRPCServer(
            transport: HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext),
            services: services)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            let address = try await server.listeningAddress
            try await body(address?.ipv4?.port ?? 0)
            server.beginGracefulShutdown()
        }
    }

    static let runner = ProbeRunner(runtime: FakeRuntime(clock: ManualClock()))

    static func probe(port: Int, service: String? = nil) async -> String? {
        await runner.grpc(CoreV1.GRPCAction(port: Int32(port), service: service), podIP: "127.0.0.1", timeout: 2)
    }

    @Test func servingIsHealthyAndOtherStatusesAreNot() async throws {
        try await Self.withServer([Health()]) { port in
            #expect(await Self.probe(port: port) == nil)
            #expect(await Self.probe(port: port, service: "web") == nil)
            #expect(await Self.probe(port: port, service: "db") == "service unhealthy (responded with \"NOT_SERVING\")")
            #expect(await Self.probe(port: port, service: "other") == "service unhealthy (responded with \"SERVICE_UNKNOWN\")")
        }
    }

    @Test func aServerWithoutTheHealthServiceSaysSo() async throws {
        try await Self.withServer([]) { port in
            let failure = await Self.probe(port: port)
            #expect(failure?.hasPrefix("this server doesn't implement the grpc health protocol (grpc.health.v1.Health): ") == true, "\(failure ?? "nil")")
        }
    }

    @Test func nothingListeningIsAFailureToConnect() async throws {
        var port = 0
        try await Self.withServer([]) { port = $0 }
        let failure = await Self.probe(port: port)
        #expect(failure?.hasPrefix("timeout: failed to connect service \"127.0.0.1:\(port)\" within 2s: ") == true, "\(failure ?? "nil")")
    }
}
