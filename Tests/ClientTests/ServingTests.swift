import Testing
@testable import Client

@Suite("Status server and metrics")
struct ServingTests {
    @Test func metricsRenderInPrometheusTextFormat() {
        let metrics = MetricsRegistry()
        metrics.register("attempts_total", help: "Attempts.", type: "counter", labels: ["result", "profile"])
        metrics.register("latency_seconds", help: "Latency.", type: "histogram", buckets: [0.1, 1])
        metrics.increment("attempts_total", labels: ["scheduled", "default-scheduler"])
        metrics.increment("attempts_total", labels: ["scheduled", "default-scheduler"], by: 2)
        metrics.increment("attempts_total", labels: ["error", "a\"b"])
        metrics.observe("latency_seconds", 0.05)
        metrics.observe("latency_seconds", 0.5)
        metrics.observe("latency_seconds", 5)
        #expect(metrics.render() == """
        # HELP attempts_total Attempts.
        # TYPE attempts_total counter
        attempts_total{result="error",profile="a\\"b"} 1
        attempts_total{result="scheduled",profile="default-scheduler"} 3
        # HELP latency_seconds Latency.
        # TYPE latency_seconds histogram
        latency_seconds_bucket{le="0.1"} 1
        latency_seconds_bucket{le="1"} 2
        latency_seconds_bucket{le="+Inf"} 3
        latency_seconds_sum 5.55
        latency_seconds_count 3

        """)
        #expect(MetricsRegistry.exponentialBuckets(start: 0.001, factor: 2, count: 3) == [0.001, 0.002, 0.004])
    }

    @Test func statusServerAnswersRoutesAnd404() async throws {
        let server = try await StatusServer(host: "127.0.0.1", port: 0, routes: [
            "/healthz": { .init(body: "ok") },
            "/metrics": { .init(contentType: "text/plain; version=0.0.4", body: "m 1\n") },
        ])
        let rest = try RESTClient(config: RESTConfig(server: "http://127.0.0.1:\(server.port)"))
        let health = try await rest.send(RESTRequest(method: .get, path: "/healthz"))
        #expect(String(decoding: health.body, as: UTF8.self) == "ok")
        let metrics = try await rest.send(RESTRequest(method: .get, path: "/metrics", query: [("x", "1")]))
        #expect(metrics.header("content-type") == "text/plain; version=0.0.4")
        await #expect(throws: APIError.self) { try await rest.send(RESTRequest(method: .get, path: "/nope")) }
        do {
            _ = try await rest.send(RESTRequest(method: .post, path: "/healthz", body: []))
            Issue.record("POST must be refused")
        } catch let error as APIError {
            #expect(error.code == 405)
        }
        try await rest.shutdown()
        await server.close()
    }
}
