import APIMachinery
import Client
import Component
import Foundation
import Logging
import Synchronization
import Testing

@Suite("Status server, health checks, metrics and log format")
struct ServingTests {
    @Test func metricsCarryHelpTypeAndValues() async {
        let metrics = MetricsRegistry()
        metrics.register("attempts_total", help: "Attempts.", .counter, labels: ["result", "profile"])
        metrics.register("latency_seconds", help: "Latency.", .histogram(buckets: [0.1, 1]))
        metrics.register("pending", help: "Pending.", .gauge)
        metrics.increment("attempts_total", labels: ["scheduled", "default-scheduler"])
        metrics.increment("attempts_total", labels: ["scheduled", "default-scheduler"], by: 2)
        metrics.increment("attempts_total", labels: ["error", "a\"b"])
        metrics.increment("attempts_total", labels: ["too", "many", "labels"])
        metrics.increment("undeclared_total")
        metrics.observe("latency_seconds", 0.05)
        metrics.observe("latency_seconds", 0.5)
        metrics.observe("latency_seconds", 5)
        metrics.onScrape { metrics.set("pending", to: 7) }
        let text = String(decoding: await metrics.render(), as: UTF8.self)
        for line in [
            "# HELP attempts_total Attempts.", "# TYPE attempts_total counter",
            #"attempts_total{result="scheduled",profile="default-scheduler"} 3"#,
            #"attempts_total{result="error",profile="a\"b"} 1"#,
            "# HELP latency_seconds Latency.", "# TYPE latency_seconds histogram",
            #"latency_seconds_bucket{le="0.1"} 1"#, #"latency_seconds_bucket{le="1.0"} 2"#, #"latency_seconds_bucket{le="+Inf"} 3"#,
            "latency_seconds_sum 5.55", "latency_seconds_count 3",
            "# HELP pending Pending.", "pending 7.0",
        ] {
            #expect(text.split(separator: "\n").contains(Substring(line)), "missing \(line) in\n\(text)")
        }
        #expect(!text.contains("undeclared_total") && !text.contains("many"))
        #expect(MetricsRegistry.exponentialBuckets(start: 0.001, factor: 2, count: 3) == [0.001, 0.002, 0.004])
    }

    @Test func healthEndpointsAnswerAsKubeAPIServer() async throws {
        let health = HealthChecks()
        let failing = Flag()
        health.add("etcd", .readyz) { failing.isSet ? "no leader" : nil }
        #expect(await health.answer(path: "/healthz", query: [:])?.body == "ok")
        #expect(await health.answer(path: "/readyz", query: ["verbose": [""]])?.body == "[+]ping ok\n[+]shutdown ok\n[+]etcd ok\nreadyz check passed\n")
        #expect(await health.answer(path: "/livez", query: ["verbose": [""]])?.body == "[+]ping ok\nlivez check passed\n")
        failing.set()
        let ready = try #require(await health.answer(path: "/readyz", query: [:]))
        #expect(ready.status == 500)
        #expect(ready.body == "[+]ping ok\n[+]shutdown ok\n[-]etcd failed: reason withheld\nreadyz check failed\n")
        #expect(await health.answer(path: "/readyz", query: ["exclude": ["etcd"]])?.status == 200)
        #expect(await health.answer(path: "/readyz/etcd", query: [:])?.status == 500)
        #expect(await health.answer(path: "/livez", query: [:])?.status == 200)
        #expect(await health.answer(path: "/readyz/nothing", query: [:]) == nil)
        health.markShuttingDown()
        #expect(await health.answer(path: "/readyz/shutdown", query: [:])?.status == 500)
    }

    @Test func statusServerServesHealthMetricsRoutesAnd404() async throws {
        let metrics = MetricsRegistry()
        metrics.register("m_total", help: "M.", .counter)
        let server = try await StatusServer(
            host: "127.0.0.1", port: 0, health: HealthChecks(), metrics: metrics,
            routes: ["/health": { _ in .init(contentType: "application/json", body: #"{"health":"true"}"#) }])
        let rest = try RESTClient(config: RESTConfig(server: "http://127.0.0.1:\(server.port)"))
        let health = try await rest.send(RESTRequest(method: .get, path: "/healthz"))
        #expect(String(decoding: health.body, as: UTF8.self) == "ok")
        let custom = try await rest.send(RESTRequest(method: .get, path: "/health"))
        #expect(String(decoding: custom.body, as: UTF8.self) == #"{"health":"true"}"#)
        let scraped = try await rest.send(RESTRequest(method: .get, path: "/metrics", query: [("x", "1")]))
        #expect(scraped.header("content-type") == "text/plain; version=0.0.4; charset=utf-8")
        #expect(String(decoding: scraped.body, as: UTF8.self).contains("m_total 0"))
        await #expect(throws: StatusError.self) { try await rest.send(RESTRequest(method: .get, path: "/nope")) }
        do {
            _ = try await rest.send(RESTRequest(method: .post, path: "/healthz", body: []))
            Issue.record("POST must be refused")
        } catch let error as StatusError {
            #expect(error.code == 405)
        }
        try await rest.shutdown()
        try await server.close()
    }

    @Test func logLinesHaveOneFormat() {
        let date = Date(timeIntervalSince1970: 1_767_225_600.25)
        let line = ComponentLogHandler.line(
            date: date, level: .notice, component: "kvstore", message: "member started",
            metadata: ["name": "m1", "peers": "a b", "quote": "say \"hi\"", "list": ["1", "2"]])
        #expect(line == "2026-01-01T00:00:00.250Z NOTICE kvstore: member started list=[1,2] name=m1 peers=\"a b\" quote=\"say \\\"hi\\\"\"\n")
    }

    @Test func verbosityMapsToLevelsAsKlog() {
        #expect(Verbosity.level(0) == .info)
        #expect(Verbosity.level(1) == .info)
        #expect(Verbosity.level(2) == .debug)
        #expect(Verbosity.level(4) == .trace)
        #expect(Verbosity.level(10) == .trace)
    }
}

/// A boolean set once and read from any task.
final class Flag: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
