import APIMachinery
import Component
import Foundation
import Logging

/// The apiserver's request pipeline: non-resource paths (health, version, discovery, OpenAPI,
/// metrics) and resource requests (decode → default → validate → store, reads from the caches).
public final class APIHandler: RequestHandler, Sendable {
    public let registry: ResourceRegistry
    public let stores: StoreRegistry
    public let discovery: Discovery
    public let metrics: APIMetrics
    /// `/healthz`, `/livez`, `/readyz` (with the `etcd` check this handler adds).
    public let health: HealthChecks
    public let logger: Logger
    /// Requests being handled (watches count until their stream is set up).
    private let inFlight = InFlightRequests()
    public let openAPI: OpenAPIDocumentSet
    /// `/api` and `/apis`, legacy and aggregated, encoded once (the registry is fixed).
    private let coreVersions: [UInt8], groupList: [UInt8], aggregatedCore: [UInt8], aggregatedGroups: [UInt8]
    public let services: ServiceAllocator
    /// The admission plugins every write goes through.
    public let admission: AdmissionChain
    /// Stamps objects (creation, deletion, conditions) with its wall time.
    let clock: any ComponentClock
    /// Who a request is from (reviews ask; nothing is enforced yet).
    public let authenticator: any RequestAuthenticator
    /// What a user may do (reviews ask; nothing is enforced yet).
    public let authorizer: any RequestAuthorizer
    /// Whether `bootstrap()` creates and reconciles Kubernetes' bootstrap RBAC objects.
    let bootstrapRBAC: Bool

    public init(
        registry: ResourceRegistry = .builtin, kv: any KeyValueStore, serviceCIDR: String = "10.96.0.0/12",
        nodePortRange: String = "30000-32767", clock: any ComponentClock = SystemClock(),
        metrics: MetricsRegistry = MetricsRegistry(), health: HealthChecks = HealthChecks(),
        logger: Logger = Logger(label: "apiserver", factory: { _ in SwiftLogNoOpLogHandler() }),
        enableAdmissionPlugins: [String] = [], disableAdmissionPlugins: [String] = [],
        authenticator: any RequestAuthenticator = AnonymousAuthenticator(),
        authorizer: any RequestAuthorizer = AlwaysAllowAuthorizer(),
        bootstrapRBAC: Bool = true
    ) throws {
        self.logger = logger
        self.bootstrapRBAC = bootstrapRBAC
        self.authenticator = authenticator
        self.authorizer = authorizer
        self.services = try ServiceAllocator(serviceCIDR: serviceCIDR, nodePortRange: nodePortRange, kv: kv, logger: logger)
        self.registry = registry
        self.stores = StoreRegistry(kv: kv, clock: clock, logger: logger)
        self.admission = try AdmissionChain(
            enable: enableAdmissionPlugins, disable: disableAdmissionPlugins, registry: registry, stores: stores)
        self.discovery = Discovery(registry: registry)
        self.metrics = APIMetrics(registry: metrics)
        self.health = health
        self.openAPI = OpenAPIDocumentSet(registry: registry)
        self.coreVersions = JSONCodec.encode(discovery.apiVersions())
        self.groupList = JSONCodec.encode(discovery.groupList())
        self.aggregatedCore = JSONCodec.encode(discovery.aggregated(core: true))
        self.aggregatedGroups = JSONCodec.encode(discovery.aggregated(core: false))
        self.clock = clock
        self.metrics.exportWatchers(stores)
        let stores = stores
        health.add("etcd", .all) {
            do {
                _ = try await stores.kv.currentRevision()
                return nil
            } catch {
                return "\(error)"
            }
        }
    }

    /// How `resource` is written.
    func strategy(for resource: ResourceInfo) -> any ResourceStrategy {
        Strategies.strategy(for: resource, services: services, clock: clock)
    }

    /// The wall time objects are stamped with.
    func now() -> Date { Date(timeIntervalSince1970: clock.wallNow.secondsSinceEpoch) }

    /// Requests being handled now.
    public var requestsInFlight: Int { inFlight.count }

    /// Waits until no request is being handled, or `timeout` passes; returns whether none is.
    public func drain(timeout: Swift.Duration) async -> Bool {
        await inFlight.waitUntilIdle(timeout: timeout, clock: clock)
    }

    public func handle(_ request: APIRequest) async -> APIResponse {
        inFlight.enter()
        defer { inFlight.leave() }
        let started = ContinuousClock.now
        let watchParameter = request.flag("watch") ?? false
        let info = RequestInfo(method: request.method, path: request.path, watchParameter: watchParameter)
        let response: APIResponse
        do {
            if let info {
                response = try await handleResource(request, info)
            } else {
                response = try await handleNonResource(request)
            }
        } catch let error as StatusError {
            response = error.status.response
        } catch let error as StoreError {
            response = Self.status(for: error).response
        } catch {
            response = StatusError.internalError("\(error)").status.response
        }
        if case .full = response {
            metrics.record(
                verb: info?.verb ?? request.method, resource: info?.resource ?? "", subresource: info?.subresource ?? "",
                code: response.status, seconds: (ContinuousClock.now - started).seconds)
        }
        return response
    }

    static func status(for error: StoreError) -> MetaV1.Status {
        switch error {
        case .unavailable(let message):
            return .failure(.internalError, message: "Internal error occurred: \(message)")
        case .compacted:
            return .failure(.gone, message: "The resourceVersion for the provided list is too old.")
        case .futureRevision:
            return .failure(.timeout, message: "Too large resource version")
        case .keyExists(let key), .keyNotFound(let key):
            return .failure(.internalError, message: "Internal error occurred: unexpected store state for \(key)")
        case .conflict:
            return .failure(.conflict, message: "the object has been modified; please apply your changes to the latest version and try again")
        }
    }

    // MARK: non-resource paths

    private func handleNonResource(_ request: APIRequest) async throws -> APIResponse {
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        let aggregated = (request.headers.first(name: "Accept") ?? "").contains("as=APIGroupDiscoveryList")
        if let answer = await health.answer(path: path, query: request.query) {
            return Responses.text(answer.status, answer.body)
        }
        switch path {
        case "/version":
            return Responses.json(200, Self.version)
        case "/metrics":
            return .full(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: await metrics.registry.render())
        case "/api":
            if aggregated { return Responses.json(200, aggregatedCore, contentType: Discovery.aggregatedType) }
            return Responses.json(200, coreVersions)
        case "/apis":
            if aggregated { return Responses.json(200, aggregatedGroups, contentType: Discovery.aggregatedType) }
            return Responses.json(200, groupList)
        case "/openapi/v2":
            let accept = request.headers.first(name: "Accept") ?? ""
            if accept.contains("protobuf") {
                return .full(status: 200, headers: [
                    ("Content-Type", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"),
                    ("ETag", "\"\(openAPI.v2Protobuf.hash)\""),
                ], body: openAPI.v2Protobuf.bytes)
            }
            return .full(status: 200, headers: [("Content-Type", "application/json"), ("ETag", "\"\(openAPI.v2.hash)\"")], body: openAPI.v2.bytes)
        case "/openapi/v3":
            return Responses.json(200, openAPI.v3Index.bytes)
        default:
            break
        }
        if path.hasPrefix("/openapi/v3/") {
            let documentPath = String(path.dropFirst("/openapi/v3/".count))
            guard let document = openAPI.v3(path: documentPath) else { return Self.notFoundPath.response }
            if let hash = request.parameter("hash"), hash != document.hash {
                return .full(status: 301, headers: [("Location", "/openapi/v3/\(documentPath)?hash=\(document.hash)")], body: [])
            }
            var headers = [("Content-Type", "application/json"), ("ETag", "\"\(document.hash)\"")]
            if request.parameter("hash") != nil { headers.append(("Cache-Control", "public, immutable")) }
            return .full(status: 200, headers: headers, body: document.bytes)
        }
        let segments = path.split(separator: "/").map(String.init)
        if segments.count == 2 && segments[0] == "api", let list = discovery.resourceList(group: "", version: segments[1]) {
            return Responses.json(200, list)
        }
        if segments.count == 2 && segments[0] == "apis", let group = discovery.group(segments[1]) {
            return Responses.json(200, group)
        }
        if segments.count == 3 && segments[0] == "apis", let list = discovery.resourceList(group: segments[1], version: segments[2]) {
            return Responses.json(200, list)
        }
        return Self.notFoundPath.response
    }

    static let notFoundPath = MetaV1.Status.failure(.notFound, message: "the server could not find the requested resource")

    static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-skiff", "gitCommit": "", "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "swift6", "compiler": "swiftc", "platform": "linux/amd64",
    ]

    // MARK: resource requests

    private func handleResource(_ request: APIRequest, _ info: RequestInfo) async throws -> APIResponse {
        let gvr = GroupVersionResource(group: info.group, version: info.version, resource: info.resource)
        guard let resource = registry.info(for: gvr) else { throw StatusError(Self.notFoundPath) }
        if info.namespace != nil && !resource.namespaced { throw StatusError(Self.notFoundPath) }
        let allowed: Bool
        if let sub = info.subresource {
            guard let subresource = resource.subresource(sub) else { throw StatusError(Self.notFoundPath) }
            allowed = subresource.verbs.contains(info.verb) || (info.verb == "create" && subresource.verbs.contains("create"))
        } else {
            allowed = resource.supports(info.verb)
        }
        guard allowed else {
            throw StatusError(.failure(.methodNotAllowed, message: "the server does not allow this method on the requested resource"))
        }
        // The query options of a write are read and checked once, before anything is read or stored.
        let writeOptions: WriteOptions
        switch info.verb {
        case "create": writeOptions = try WriteOptions(query: request, kind: .create)
        case "update": writeOptions = try WriteOptions(query: request, kind: .update)
        case "patch":
            let type = (request.headers.first(name: "Content-Type") ?? "").lowercased()
            writeOptions = try WriteOptions(query: request, kind: .patch, applyPatch: type.hasPrefix("application/apply-patch"))
        default: writeOptions = WriteOptions()
        }
        let context = ResourceContext(
            request: request, info: info, resource: resource, store: stores.store(for: resource), handler: self,
            writeOptions: writeOptions)
        switch (info.verb, info.subresource) {
        case ("get", nil) where resource.gvk.group == "metrics.k8s.io", ("list", nil) where resource.gvk.group == "metrics.k8s.io":
            return try await context.metrics()
        case ("get", nil): return try await context.get()
        case ("list", nil): return try await context.list()
        case ("watch", nil): return try await context.watch()
        case ("create", nil) where resource.gvk.kind == "Binding": return try await bindingsCreate(request, info, writeOptions)
        case ("create", nil) where resource.storageVersion == nil: return try await context.review()
        case ("create", nil): return try await context.create()
        case ("update", nil), ("update", "status"): return try await context.update()
        case ("patch", nil), ("patch", "status"): return try await context.patch()
        case ("get", "status"): return try await context.get()
        case ("delete", nil): return try await context.delete()
        case ("deletecollection", nil): return try await context.deleteCollection()
        case (_, "scale"): return try await context.scale()
        case ("create", "binding"): return try await context.bind()
        case ("create", "eviction"): return try await context.evict()
        case ("update", "finalize"): return try await context.update()
        case ("get", "log") where resource.gvk.kind == "Pod": return try await context.podLog()
        case (_, "exec") where resource.gvk.kind == "Pod", (_, "attach") where resource.gvk.kind == "Pod",
             (_, "portforward") where resource.gvk.kind == "Pod":
            return try await context.podConnect(info.subresource ?? "")
        case (_, "proxy") where resource.gvk.kind == "Node" || resource.gvk.kind == "Pod": return try await context.proxy()
        default:
            throw StatusError(.failure(.methodNotAllowed, message: "the server does not allow this method on the requested resource"))
        }
    }

    /// `POST …/namespaces/<ns>/bindings`: the older form of `pods/<name>/binding`, the pod
    /// named by the Binding's `metadata.name`.
    private func bindingsCreate(_ request: APIRequest, _ info: RequestInfo, _ options: WriteOptions) async throws -> APIResponse {
        guard let pods = registry.info(for: GroupVersionResource(group: "", version: "v1", resource: "pods")) else {
            throw StatusError(Self.notFoundPath)
        }
        let body: JSONValue
        do { body = try JSONCodec.parse(request.body) } catch {
            throw StatusError.badRequest("the object provided is unrecognized (must be of type Binding): \(error)")
        }
        var podInfo = info
        podInfo.resource = "pods"
        podInfo.subresource = "binding"
        podInfo.name = body["metadata"]?["name"]?.stringValue
        let context = ResourceContext(
            request: request, info: podInfo, resource: pods, store: stores.store(for: pods), handler: self, writeOptions: options)
        return try await context.bind()
    }
}
