import APIMachinery

/// Typed access to one resource: CRUD, patch, subresources, paginated lists and watches.
///
/// `Object` is a generated kind (`CoreV1.Pod`) or `JSONValue` for dynamic access to any
/// resource. `namespace` scopes the calls of a namespaced resource; nil means all namespaces
/// for list, watch and deletecollection (create, get, update and delete then take the
/// namespace from the object or argument). Errors: `StatusError` for answers, `TransportError`
/// for connection failures, `JSONDecodeError` for answers that do not decode.
public struct ResourceClient<Object: JSONCodable & InformerObject>: Sendable {
    public let rest: RESTClient
    public let resource: ResourceInfo
    public let namespace: String?

    public init(rest: RESTClient, resource: ResourceInfo, namespace: String? = nil) {
        self.rest = rest
        self.resource = resource
        self.namespace = namespace
    }

    /// The same resource in another namespace (nil: all namespaces).
    public func inNamespace(_ namespace: String?) -> ResourceClient {
        ResourceClient(rest: rest, resource: resource, namespace: namespace)
    }

    // MARK: Paths

    /// `/api/v1[/namespaces/ns]/pods[/name[/sub]]` or `/apis/group/version/…`.
    public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        let gvk = resource.gvk
        var path = gvk.group.isEmpty ? "/api/\(gvk.version)" : "/apis/\(gvk.group)/\(gvk.version)"
        if resource.namespaced, let ns = namespace ?? self.namespace, !ns.isEmpty { path += "/namespaces/\(ns)" }
        path += "/\(resource.plural)"
        if let name { path += "/\(name)" }
        if let subresource { path += "/\(subresource)" }
        return path
    }

    private func objectPath(_ object: Object, subresource: String? = nil) -> String {
        path(namespace: object.objectNamespace.isEmpty ? nil : object.objectNamespace, name: object.objectName, subresource: subresource)
    }

    func decode<T: JSONDecodable>(_ type: T.Type, _ response: RESTResponse) throws -> T {
        try JSONCodec.decode(type, from: response.body)
    }

    // MARK: Reads

    public func get(_ name: String, namespace: String? = nil) async throws -> Object {
        try decode(Object.self, await rest.send(RESTRequest(method: .get, path: path(namespace: namespace, name: name))))
    }

    /// One page of the list.
    public func list(_ options: ListOptions = ListOptions()) async throws -> ObjectList<Object> {
        try decode(ObjectList<Object>.self, await rest.send(RESTRequest(method: .get, path: path(), query: options.query)))
    }

    /// The whole list, fetched in pages of `pageSize` at one resourceVersion (the first page's);
    /// a continue token that expired mid-way (410) restarts the list once without paging.
    public func listAll(_ options: ListOptions = ListOptions(), pageSize: Int = 500) async throws -> ObjectList<Object> {
        var query = options
        query.limit = pageSize
        var result = try await list(query)
        while let token = result.continueToken {
            query.continueToken = token
            query.resourceVersion = nil
            query.resourceVersionMatch = nil
            let page: ObjectList<Object>
            do {
                page = try await list(query)
            } catch let error as StatusError where error.isExpired {
                var whole = options
                whole.limit = nil
                return try await list(whole)
            }
            result.items += page.items
            result.metadata.continue = page.metadata.continue
        }
        return result
    }

    /// A watch as a stream of typed events, decoded as bytes arrive. The stream finishes when
    /// the server ends the watch (timeout, restart): the caller re-watches from the last
    /// resourceVersion it saw; an `ERROR` event is thrown as `StatusError` (410 → `isExpired`).
    /// Cancelling the consuming task closes the connection.
    public func watch(_ options: ListOptions = ListOptions()) async throws -> AsyncThrowingStream<WatchEvent<Object>, any Error> {
        var query = options.query
        query.insert(("watch", "true"), at: 0)
        let (_, body) = try await rest.stream(RESTRequest(method: .get, path: path(), query: query))
        let (stream, continuation) = AsyncThrowingStream<WatchEvent<Object>, any Error>.makeStream()
        let reader = Task {
            var splitter = JSONStreamSplitter()
            do {
                for try await chunk in body {
                    for frame in splitter.feed(chunk.readableBytesView) {
                        continuation.yield(try Self.event(from: frame))
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in reader.cancel() }
        return stream
    }

    static func event(from bytes: ArraySlice<UInt8>) throws -> WatchEvent<Object> {
        let frame = try JSONCodec.decode(WatchFrame<Object>.self, from: bytes)
        switch (frame.type, frame.payload) {
        case ("ADDED", .object(let object)): return .added(object)
        case ("MODIFIED", .object(let object)): return .modified(object)
        case ("DELETED", .object(let object)): return .deleted(object)
        case ("BOOKMARK", .object(let object)): return .bookmark(resourceVersion: object.objectResourceVersion)
        case ("ERROR", .status(let status)):
            throw StatusError(code: Int(status.code ?? 500), status: status)
        default:
            throw TransportError("watch: unexpected event \"\(frame.type)\"")
        }
    }

    // MARK: Writes

    public func create(_ object: Object, options: WriteOptions = WriteOptions()) async throws -> Object {
        let ns = object.objectNamespace.isEmpty ? nil : object.objectNamespace
        let request = RESTRequest(method: .post, path: path(namespace: ns), query: options.query, body: JSONCodec.encode(object))
        return try decode(Object.self, await rest.send(request))
    }

    /// PUT of the whole object; its resourceVersion (when set) makes it a compare-and-swap.
    public func update(_ object: Object, options: WriteOptions = WriteOptions()) async throws -> Object {
        let request = RESTRequest(method: .put, path: objectPath(object), query: options.query, body: JSONCodec.encode(object))
        return try decode(Object.self, await rest.send(request))
    }

    /// PUT to `/status`: only the status is written.
    public func updateStatus(_ object: Object, options: WriteOptions = WriteOptions()) async throws -> Object {
        let request = RESTRequest(method: .put, path: objectPath(object, subresource: "status"), query: options.query, body: JSONCodec.encode(object))
        return try decode(Object.self, await rest.send(request))
    }

    public func patch(_ name: String, namespace: String? = nil, type: PatchType, body: [UInt8], subresource: String? = nil,
                      options: WriteOptions = WriteOptions()) async throws -> Object {
        let request = RESTRequest(method: .patch, path: path(namespace: namespace, name: name, subresource: subresource),
                                  query: options.query, body: body, contentType: type.rawValue)
        return try decode(Object.self, await rest.send(request))
    }

    /// POSTs `body` to a subresource (`binding`, `eviction`) and returns the raw answer body.
    @discardableResult
    public func create<Body: JSONEncodable>(subresource: String, of name: String, namespace: String? = nil, body: Body,
                                            options: WriteOptions = WriteOptions()) async throws -> [UInt8] {
        let request = RESTRequest(method: .post, path: path(namespace: namespace, name: name, subresource: subresource),
                                  query: options.query, body: JSONCodec.encode(body))
        return try await rest.send(request).body
    }

    /// Deletes `name`; `options` is sent as the DeleteOptions body (grace period,
    /// preconditions, propagation policy).
    public func delete(_ name: String, namespace: String? = nil, options: MetaV1.DeleteOptions? = nil) async throws {
        let request = RESTRequest(method: .delete, path: path(namespace: namespace, name: name),
                                  body: options.map { JSONCodec.encode($0) })
        _ = try await rest.send(request)
    }

    public func deleteCollection(_ options: ListOptions = ListOptions(), delete: MetaV1.DeleteOptions? = nil) async throws {
        let request = RESTRequest(method: .delete, path: path(), query: options.query, body: delete.map { JSONCodec.encode($0) })
        _ = try await rest.send(request)
    }
}

extension RESTClient {
    /// The typed client of a built-in kind (`rest.resource(CoreV1.Pod.self, namespace: "default")`).
    /// Kinds the registry does not know trap: they are a programming error, not input.
    public func resource<T: KubernetesObject & InformerObject>(_ type: T.Type, namespace: String? = nil) -> ResourceClient<T> {
        guard let info = ResourceRegistry.builtin.info(for: T.groupVersionKind) else {
            preconditionFailure("no resource is registered for \(T.groupVersionKind)")
        }
        return ResourceClient(rest: self, resource: info, namespace: namespace)
    }

    /// A dynamic client of any resource, objects as JSON trees.
    public func dynamic(_ resource: ResourceInfo, namespace: String? = nil) -> ResourceClient<JSONValue> {
        ResourceClient(rest: self, resource: resource, namespace: namespace)
    }
}
