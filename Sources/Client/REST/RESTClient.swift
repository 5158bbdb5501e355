import Component
import APIMachinery
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The HTTP side of the client: sends `RESTRequest`s to one apiserver over a pooled
/// AsyncHTTPClient (HTTP/2 over TLS when the server offers it, so every request and watch of a
/// process shares one connection), with authentication headers and client-go's retry rules
/// (`RetryPolicy`). Thread-safe; create one per process and `shutdown()` it at exit.
///
/// Non-2xx answers throw `StatusError`; failures to reach the server throw `TransportError`.
public final class RESTClient: Sendable {
    public let config: RESTConfig
    let http: HTTPClient
    let baseURL: String
    let clock: any ComponentClock
    let retry: RetryPolicy
    /// `config.rateLimit` as a token bucket; nil without a limit.
    let limiter: BucketRateLimiter<Int>?

    public init(config: RESTConfig, clock: any ComponentClock = SystemClock()) throws {
        self.config = config
        self.clock = clock
        self.retry = RetryPolicy(maxRetries: config.maxRetries)
        self.limiter = config.rateLimit.map { BucketRateLimiter(qps: $0.qps, burst: max($0.burst, 1), clock: clock) }
        var server = config.server
        while server.hasSuffix("/") { server.removeLast() }
        self.baseURL = server
        var configuration = HTTPClient.Configuration()
        if server.hasPrefix("https://") { configuration.tlsConfiguration = try Self.tlsConfiguration(config) }
        configuration.timeout = .init(connect: Self.timeAmount(config.connectTimeout))
        configuration.connectionPool = .init(idleTimeout: .seconds(90), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        self.http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    private init(sharing other: RESTClient, rateLimit: (qps: Double, burst: Int)) {
        var config = other.config
        config.rateLimit = rateLimit
        self.config = config
        self.clock = other.clock
        self.retry = other.retry
        self.baseURL = other.baseURL
        self.http = other.http
        self.limiter = BucketRateLimiter(qps: rateLimit.qps, burst: max(rateLimit.burst, 1), clock: other.clock)
    }

    /// A client over the same connections with its own token bucket (client-go's per-client
    /// QPS and Burst): kube-controller-manager gives each controller its own. Shut down the
    /// client it came from, not this one.
    public func withRateLimit(qps: Double, burst: Int) -> RESTClient {
        RESTClient(sharing: self, rateLimit: (qps, burst))
    }

    /// Builds a client from the default kubeconfig (`--kubeconfig`, `$KUBECONFIG`, `~/.kube/config`).
    public convenience init(kubeconfig path: String? = nil, context: String? = nil, userAgent: String? = nil) throws {
        var config = try Kubeconfig.load(explicitPath: path).restConfig(context: context)
        if let userAgent { config.userAgent = userAgent }
        try self.init(config: config)
    }

    /// Closes every connection; requests in flight fail.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    static func tlsConfiguration(_ config: RESTConfig) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if config.insecureSkipTLSVerify {
            tls.certificateVerification = .none
        } else if let ca = config.caPEM {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
        }
        if let certificate = config.clientCertificatePEM, let key = config.clientKeyPEM {
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
        }
        return tls
    }

    // MARK: Requests

    /// Sends `request` and returns the whole 2xx answer; retries per `RetryPolicy`.
    public func send(_ request: RESTRequest) async throws -> RESTResponse {
        try await withRetries(request) { response in
            // AsyncHTTPClient's deadline ends with the response head; the body gets its own.
            let deadline = NIODeadline.now() + Self.timeAmount(config.requestTimeout)
            let body = try await Self.withDeadline(deadline, on: http.eventLoopGroup) { try await response.body.collect(upTo: 1 << 30) }
            return RESTResponse(status: Int(response.status.code), headers: Self.headers(response.headers),
                                body: Array(body.readableBytesView))
        }
    }

    /// Sends `request` and returns the 2xx answer's head with its body as a stream of chunks
    /// as they arrive (watches). Retries apply until the head arrives, never after.
    public func stream(_ request: RESTRequest) async throws -> (status: Int, body: HTTPClientResponse.Body) {
        try await withRetries(request) { response in (Int(response.status.code), response.body) }
    }

    private func withRetries<T>(_ request: RESTRequest, _ accept: (HTTPClientResponse) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            if let limiter {
                let wait = limiter.when(0)
                if wait > .zero { try await clock.sleep(until: clock.now + wait) }
            }
            let outcome: RetryPolicy.Outcome
            let failure: any Error
            do {
                let response = try await http.execute(httpRequest(request), timeout: Self.timeAmount(config.requestTimeout))
                let status = Int(response.status.code)
                if (200..<300).contains(status) { return try await accept(response) }
                let body = try await response.body.collect(upTo: 4 << 20)
                failure = StatusError(code: status, body: Array(body.readableBytesView))
                outcome = .answered(status: status, retryAfter: response.headers.first(name: "Retry-After"))
            } catch let error as CancellationError {
                throw error
            } catch {
                if Task.isCancelled { throw CancellationError() }
                failure = TransportError("\(request.method.rawValue) \(request.path): \(error)")
                outcome = .transportFailure
            }
            guard let wait = retry.delay(after: outcome, attempt: attempt, idempotent: request.isIdempotent) else { throw failure }
            attempt += 1
            try await clock.sleep(until: clock.now + wait)
        }
    }

    /// Runs `body`, throwing `TransportError` if it has not finished by `deadline` (the body is
    /// cancelled). The deadline is a task scheduled on an event loop of `group` and removed
    /// when the body ends first: a cancelled `Task.sleep` would keep its dispatch timer until
    /// the deadline, and one per request kept an idle process waking for the next 30 s.
    static func withDeadline<T: Sendable>(
        _ deadline: NIODeadline, on group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let work = Task { try await body() }
        let expired = Atomic(false)
        let timer = group.next().scheduleTask(deadline: deadline) {
            expired.store(true, ordering: .sequentiallyConsistent)
            work.cancel()
        }
        defer { timer.cancel() }
        let result = await withTaskCancellationHandler { await work.result } onCancel: { work.cancel() }
        if expired.load(ordering: .sequentiallyConsistent) {
            throw TransportError("the response body did not arrive within the request timeout")
        }
        return try result.get()
    }

    func httpRequest(_ request: RESTRequest) -> HTTPClientRequest {
        var http = HTTPClientRequest(url: baseURL + request.target)
        http.method = HTTPMethod(rawValue: request.method.rawValue)
        http.headers.add(name: "User-Agent", value: config.userAgent)
        http.headers.add(name: "Accept", value: request.accept)
        if let token = config.bearerToken {
            http.headers.add(name: "Authorization", value: "Bearer \(token)")
        } else if let basic = config.basicAuth {
            let credentials = Data("\(basic.username):\(basic.password)".utf8).base64EncodedString()
            http.headers.add(name: "Authorization", value: "Basic \(credentials)")
        }
        if let body = request.body {
            http.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
            http.body = .bytes(ByteBuffer(bytes: body))
        }
        return http
    }

    static func timeAmount(_ duration: Swift.Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    static func headers(_ headers: HTTPHeaders) -> [(String, String)] {
        headers.map { ($0.name.lowercased(), $0.value) }
    }
}
