/// How to reach and authenticate to an apiserver; built from a kubeconfig
/// (`Kubeconfig.restConfig(context:)`) or by hand.
///
/// PEM material is held as bytes, already read from files. A request carries the bearer token
/// when one is set, else basic auth when set; client certificates are presented during the
/// TLS handshake. `insecureSkipTLSVerify` disables server certificate verification entirely
/// (kubeconfig's `insecure-skip-tls-verify`); otherwise the server is checked against `caPEM`,
/// or the system trust roots when `caPEM` is nil.
public struct RESTConfig: Sendable {
    /// `https://host:port` (or `http://` for a loopback insecure port), optionally with a path prefix.
    public var server: String
    public var caPEM: [UInt8]?
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public var insecureSkipTLSVerify = false
    public var tlsServerName: String?
    public var bearerToken: String?
    public var basicAuth: (username: String, password: String)?
    /// The context's default namespace, if the kubeconfig sets one.
    public var namespace: String?
    public var userAgent = ClientLibrary.userAgent(component: "skiff")
    /// Time allowed for a non-watch request's response head to arrive, and again for its body.
    public var requestTimeout: Swift.Duration = .seconds(30)
    /// Time allowed to open a connection (TCP and TLS).
    public var connectTimeout: Swift.Duration = .seconds(10)
    /// How often a request answered with 429, or a retryable 5xx, is tried again (client-go: 10).
    public var maxRetries = 10
    /// Client-side rate limit on requests (client-go's QPS and Burst: a token bucket holding
    /// `burst` tokens refilled at `qps` per second; every attempt, watches included, takes one);
    /// nil sends without limit. Components set upstream's defaults (`--kube-api-qps`).
    public var rateLimit: (qps: Double, burst: Int)?

    public init(server: String) {
        self.server = server
    }
}
