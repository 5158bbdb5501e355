import APIMachinery
import Client

/// Reads and writes of any served resource by its `ResourceInfo`, seen as `ObjectMetadata`:
/// what the garbage collector and the namespace controller need for kinds they do not know
/// at compile time.
public protocol DynamicClient: Sendable {
    /// Every top-level resource the apiserver serves (discovery).
    func serverResources() async throws -> [ResourceInfo]
    /// The objects of `resource` in `namespace` (nil: all namespaces, or cluster-scoped).
    func list(_ resource: ResourceInfo, namespace: String?) async throws -> [ObjectMetadata]
    /// The object, or nil when absent.
    func get(_ resource: ResourceInfo, namespace: String, name: String) async throws -> ObjectMetadata?
    /// Deletes every object of `resource` in `namespace`.
    func deleteCollection(_ resource: ResourceInfo, namespace: String) async throws
    /// Deletes one object, if it still has `uid`, with the propagation policy given.
    func delete(_ resource: ResourceInfo, namespace: String, name: String, uid: String?, propagation: String?) async throws
    /// Applies a JSON merge patch.
    func patch(_ resource: ResourceInfo, namespace: String, name: String, merge: JSONValue) async throws
    /// Clears the namespace finalizer `kubernetes` (`PUT namespaces/{name}/finalize`).
    func finalize(_ namespace: CoreV1.Namespace) async throws
}

/// `DynamicClient` over the apiserver's REST API.
public struct RESTDynamicClient: DynamicClient {
    public let rest: RESTClient

    public init(rest: RESTClient) { self.rest = rest }

    func client(_ resource: ResourceInfo, _ namespace: String?) -> ResourceClient<ObjectMetadata> {
        ResourceClient(rest: rest, resource: resource, namespace: namespace)
    }

    public func serverResources() async throws -> [ResourceInfo] { try await ServerResources.fetch(rest) }

    public func list(_ resource: ResourceInfo, namespace: String?) async throws -> [ObjectMetadata] {
        try await client(resource, namespace).listAll().items
    }

    public func get(_ resource: ResourceInfo, namespace: String, name: String) async throws -> ObjectMetadata? {
        do {
            return try await client(resource, namespace).get(name)
        } catch let error as StatusError where error.isNotFound {
            return nil
        }
    }

    public func deleteCollection(_ resource: ResourceInfo, namespace: String) async throws {
        try await client(resource, namespace).deleteCollection()
    }

    public func delete(_ resource: ResourceInfo, namespace: String, name: String, uid: String?, propagation: String?) async throws {
        var options = MetaV1.DeleteOptions()
        if let uid { options.preconditions = MetaV1.Preconditions(uid: uid) }
        options.propagationPolicy = propagation
        try await client(resource, namespace).delete(name, options: options)
    }

    public func patch(_ resource: ResourceInfo, namespace: String, name: String, merge: JSONValue) async throws {
        _ = try await client(resource, namespace).patch(name, type: .merge, body: JSONCodec.encode(merge))
    }

    public func finalize(_ namespace: CoreV1.Namespace) async throws {
        let namespaces = rest.resource(CoreV1.Namespace.self)
        let request = RESTRequest(method: .put, path: namespaces.path(name: namespace.name, subresource: "finalize"),
                                  body: JSONCodec.encode(namespace.withTypeMeta()))
        _ = try await rest.send(request)
    }
}
