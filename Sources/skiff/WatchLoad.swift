import Component
import APIMachinery
import ArgumentParser
import Client
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// `skiff bench watch-load`: the watch phase of `scripts/bench/apiserver.sh`. Opens `--watchers`
/// watches on the pods of `--namespace`, each on its own HTTP/1.1 TLS connection (as many
/// separate clients would), from the list's resourceVersion; then patches `--updates` pods at
/// `--rate` per second, each patch stamping its send time (wall clock) into an annotation, and
/// measures per event the delay from that stamp to its arrival at each watcher. Watchers are
/// read on one event-loop thread that only scans the bytes for the stamp, so the harness stays
/// light next to the server on a small machine. Prints one JSON object.
struct WatchLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch-load",
        abstract: "Watchers plus rate-limited updates against an apiserver; event delay percentiles as JSON."
    )

    @Option(help: "apiserver host (loopback).") var host = "127.0.0.1"
    @Option(help: "apiserver HTTPS port.") var port: Int
    @Option(help: "CA certificate (PEM) of the apiserver.") var cacert: String
    @Option(help: "Bearer token.") var token = "skiff-local-admin"
    @Option(help: "Namespace whose pods pod-0… exist.") var namespace = "bench"
    @Option(help: "Pods pod-0 … pod-(N-1) to update, round robin.") var pods = 10_000
    @Option(help: "Concurrent watch connections.") var watchers = 500
    @Option(help: "Updates to send.") var updates = 1_000
    @Option(help: "Updates per second (0: as fast as possible).") var rate = 100.0
    @Option(help: "Concurrent update clients.") var concurrency = 16
    @Flag(help: "Progress on stderr.") var verbose = false

    /// Progress lines, in the components' log format, only with `--verbose`.
    func log(_ text: String) {
        if verbose { Self.logger.info("\(text)") }
    }

    static let logger = ComponentLogging.bootstrap(component: "skiff", verbosity: 0)

    func run() async throws {
        var config = RESTConfig(server: "https://\(host):\(port)")
        guard let ca = FileManager.default.contents(atPath: cacert) else { throw ValidationError("cannot read \(cacert)") }
        config.caPEM = Array(ca)
        config.bearerToken = token
        let rest = try RESTClient(config: config, clock: SystemClock())
        let podClient = rest.resource(CoreV1.Pod.self, namespace: namespace)
        let resourceVersion = try await podClient.list(ListOptions(limit: 1)).resourceVersion

        // Watchers: one thread reads them all.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca)))
        tls.certificateVerification = .noHostnameVerification
        tls.shutdownTimeout = .milliseconds(200)
        let context = try NIOSSLContext(configuration: tls)
        let request = "GET /api/v1/namespaces/\(namespace)/pods?watch=true&resourceVersion=\(resourceVersion)&timeoutSeconds=900 HTTP/1.1\r\n"
            + "Host: \(host)\r\nAccept: application/json\r\nAuthorization: Bearer \(token)\r\n\r\n"
        let results = DelayResults(watchers: watchers, expected: updates)
        var channels: [any Channel] = []
        for _ in 0..<watchers {
            let channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                        try channel.pipeline.syncOperations.addHandler(StampScanner(results: results))
                    }
                }
                .connect(host: host, port: port).get()
            try await channel.writeAndFlush(ByteBuffer(string: request)).get()
            channels.append(channel)
        }
        log("connected \(channels.count) watchers")
        try await results.waitForHeads()
        log("all heads seen")

        // Updates at the asked rate.
        let start = ContinuousClock.now
        let interval = rate > 0 ? 1.0 / rate : 0
        let updateLatencies = try await withThrowingTaskGroup(of: [Double].self) { tasks in
            for worker in 0..<max(1, concurrency) {
                tasks.addTask { [updates, pods, podClient] in
                    var latencies: [Double] = []
                    // Worker w sends updates w, w + concurrency, …, each at its own time slot.
                    for index in stride(from: worker, to: updates, by: max(1, concurrency)) {
                        if interval > 0 { try await Task.sleep(until: start + .seconds(Double(index) * interval), clock: .continuous) }
                        let sent = Date().timeIntervalSince1970
                        let body = Array(#"{"metadata":{"annotations":{"bench/sent":"\#(sent)"}}}"#.utf8)
                        let began = ContinuousClock.now
                        _ = try await podClient.patch("pod-\(index % pods)", type: .merge, body: body)
                        let took = ContinuousClock.now - began
                        latencies.append(Double(took.components.attoseconds) / 1e18 + Double(took.components.seconds))
                    }
                    return latencies
                }
            }
            var all: [Double] = []
            for try await latencies in tasks { all += latencies }
            return all.sorted()
        }
        let updateSeconds = (ContinuousClock.now - start)
        log("updates sent")
        await results.waitForAll(timeout: .seconds(verbose ? 5 : 120))
        log("watchers finished: \(results.finishedCount) of \(watchers), delays \(results.delays.count)")
        // All at once: a TLS close waits (up to shutdownTimeout) for the server's close_notify.
        try? await EventLoopFuture.andAllComplete(channels.map { $0.close() }, on: group.next()).get()
        log("watch connections closed")
        try? await group.shutdownGracefully()
        log("event loop stopped")
        try? await rest.shutdown()
        log("client stopped")

        let delays = results.delays.sorted()
        func percentile(_ values: [Double], _ p: Double) -> Double {
            values.isEmpty ? 0 : values[min(values.count - 1, Int(Double(values.count) * p))] * 1000
        }
        let seconds = Double(updateSeconds.components.seconds) + Double(updateSeconds.components.attoseconds) / 1e18
        let figures: [String: Double] = [
            "updates": Double(updates), "update_rate_asked": rate, "update_per_s": Double(updates) / seconds,
            "update_p50_ms": percentile(updateLatencies, 0.5), "update_p99_ms": percentile(updateLatencies, 0.99),
            "watchers": Double(watchers), "watch_events": Double(delays.count),
            "watch_delay_p50_ms": percentile(delays, 0.5), "watch_delay_p99_ms": percentile(delays, 0.99),
        ]
        let data = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

/// Delays seen by every watcher, and the points the driver waits for.
final class DelayResults: Sendable {
    private struct State {
        var heads = 0
        var finished = 0
        var delays: [Double] = []
    }
    private let state = Mutex(State())
    let watchers: Int
    let expected: Int

    init(watchers: Int, expected: Int) {
        self.watchers = watchers
        self.expected = expected
    }

    func headSeen() { state.withLock { $0.heads += 1 } }
    func finished(_ delays: [Double]) {
        state.withLock {
            $0.finished += 1
            $0.delays += delays
        }
    }
    var delays: [Double] { state.withLock { $0.delays } }
    var finishedCount: Int { state.withLock { $0.finished } }

    func waitForHeads() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while state.withLock({ $0.heads }) < watchers {
            guard ContinuousClock.now < deadline else { throw ValidationError("watchers did not all start within 60 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func waitForAll(timeout: Swift.Duration) async {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.finished }) < watchers && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Reads one watch response: after the header, finds each `"bench/sent":"<seconds>"` stamp
/// and records now − stamp; reports its delays once `expected` stamps arrived or the stream ends.
final class StampScanner: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private static let marker = Array(#""bench/sent":""#.utf8)
    private static let headerEnd = Array("\r\n\r\n".utf8)
    private let results: DelayResults
    private var pending: [UInt8] = []
    private var inBody = false
    private var delays: [Double] = []
    private var reported = false

    init(results: DelayResults) { self.results = results }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = Date().timeIntervalSince1970
        let buffer = unwrapInboundIn(data)
        pending.append(contentsOf: buffer.readableBytesView)
        if !inBody {
            guard let end = Self.find(Self.headerEnd, in: pending, from: 0) else { return }
            pending.removeSubrange(0..<(end + Self.headerEnd.count))
            inBody = true
            results.headSeen()
        }
        var position = 0
        var keepFrom = max(0, pending.count - Self.marker.count)
        while let at = Self.find(Self.marker, in: pending, from: position) {
            let valueStart = at + Self.marker.count
            guard let close = pending[valueStart...].firstIndex(of: UInt8(ascii: "\"")) else {
                keepFrom = at
                break
            }
            if let sent = Double(String(decoding: pending[valueStart..<close], as: UTF8.self)) { delays.append(now - sent) }
            position = close
            keepFrom = max(close, pending.count - Self.marker.count)
        }
        pending.removeSubrange(0..<min(keepFrom, pending.count))
        if delays.count >= results.expected { report() }
    }

    func channelInactive(context: ChannelHandlerContext) { report() }

    private func report() {
        guard !reported else { return }
        reported = true
        results.finished(delays)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        let first = needle[0]
        while index <= haystack.count - needle.count {
            if haystack[index] == first {
                var match = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    match = false
                    break
                }
                if match { return index }
            }
            index += 1
        }
        return nil
    }
}
