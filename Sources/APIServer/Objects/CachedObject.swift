import APIMachinery

/// A stored object as the apiserver keeps it in memory: its JSON (with `resourceVersion` set)
/// and the few fields that keys, selectors and indexes need. Decoded once per change.
public struct CachedObject: Sendable {
    /// Storage key, `/registry/…/<namespace>/<name>`.
    public var key: String
    public var namespace: String
    public var name: String
    /// The kvstore modRevision that produced this state.
    public var resourceVersion: Int64
    /// Compact JSON of the object, `metadata.resourceVersion` included.
    public var json: [UInt8]
    public var labels: [String: String]
    /// Values of the resource's selectable fields (`metadata.name`, `spec.nodeName`, …).
    public var fields: [String: String]

    public init(
        key: String, namespace: String, name: String, resourceVersion: Int64, json: [UInt8],
        labels: [String: String], fields: [String: String]
    ) {
        self.key = key
        self.namespace = namespace
        self.name = name
        self.resourceVersion = resourceVersion
        self.json = json
        self.labels = labels
        self.fields = fields
    }

    /// Builds the cached form of stored bytes at `revision`: sets `metadata.resourceVersion`
    /// and extracts labels and selectable fields for `resource`. Throws a 500 `StatusError`
    /// naming the key when the bytes are not a JSON object (corrupt data, a foreign key under
    /// our prefix), as kube-apiserver fails to decode such an object.
    public init(key: String, stored: [UInt8], revision: Int64, resource: ResourceInfo) throws {
        let parsed: JSONValue
        do { parsed = try JSONCodec.parse(stored) } catch {
            throw StatusError.internalError("unable to decode an object at \(key): \(error)")
        }
        guard case .object(var object) = parsed else {
            throw StatusError.internalError("unable to decode an object at \(key): not a JSON object")
        }
        let converted = StorageConversion.converts(resource)
        if converted { object = StorageConversion.toServed(object, served: resource) }
        let hadMetadata: Bool
        var metadata: JSONObject
        if case .object(let m)? = object["metadata"] { (metadata, hadMetadata) = (m, true) } else { (metadata, hadMetadata) = (JSONObject(), false) }
        metadata["resourceVersion"] = .string(String(revision))
        object["metadata"] = .object(metadata)
        // Stored bytes are in Go's order already (ResourceStore.encode wrote them): only the
        // stamped metadata needs ordering, unless the shape changed or metadata was added.
        if !converted, hadMetadata, APISchema.kubernetes.canonicalize(member: "metadata", of: &object, gvk: resource.gvk) {
            self.init(key: key, canonical: .object(object), revision: revision, resource: resource)
        } else {
            self.init(key: key, object: object, revision: revision, resource: resource)
        }
    }

    /// The cached form of a tree in the served version whose `metadata.resourceVersion` is
    /// already `revision` (the answer to a write), its members put in Go's encoding order
    /// (`APISchema.canonical`). A converted resource answers with the object as it reads back
    /// from storage, as kube-apiserver does (an autoscaling/v1 autoscaler's annotations
    /// regenerated, v2's defaults applied).
    public init(key: String, object: JSONObject, revision: Int64, resource: ResourceInfo) {
        var object = object
        if StorageConversion.converts(resource) {
            object = StorageConversion.toServed(StorageConversion.toStorage(object, served: resource).0, served: resource)
        }
        self.init(key: key, canonical: APISchema.kubernetes.canonical(.object(object), gvk: resource.gvk), revision: revision, resource: resource)
    }

    /// The cached form of a tree already in Go's encoding order.
    private init(key: String, canonical tree: JSONValue, revision: Int64, resource: ResourceInfo) {
        let metadata = tree["metadata"]
        let namespace = metadata?["namespace"]?.stringValue ?? ""
        let name = metadata?["name"]?.stringValue ?? ""
        var labels: [String: String] = [:]
        if case .object(let map)? = metadata?["labels"] {
            for member in map.members { labels[member.key] = member.value.stringValue ?? "" }
        }
        self.init(
            key: key, namespace: namespace, name: name, resourceVersion: revision,
            json: JSONCodec.encode(tree, capacity: 2048), labels: labels,
            fields: SelectableFields.values(of: tree, resource: resource))
    }

    /// The object as a tree.
    public func tree() throws -> JSONValue { try JSONCodec.parse(json) }
}
