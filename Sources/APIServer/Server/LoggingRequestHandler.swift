import Logging

/// One log line per request at trace level (`--v=4` and above), as kube-apiserver's httplog:
/// verb, URI, user agent, response code and latency.
public struct LoggingRequestHandler: RequestHandler {
    let inner: any RequestHandler
    let logger: Logger

    public init(_ inner: any RequestHandler, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    public func handle(_ request: APIRequest) async -> APIResponse {
        let started = ContinuousClock.now
        let response = await inner.handle(request)
        let elapsed = ContinuousClock.now - started
        logger.trace("HTTP", metadata: [
            "verb": "\(request.method)", "URI": "\(request.path)", "resp": "\(response.status)",
            "latency": "\(elapsed)", "userAgent": "\(request.headers.first(name: "User-Agent") ?? "")",
        ])
        return response
    }
}
