import APIMachinery
import Client

/// The resources the apiserver serves, read from discovery (`/api/v1`, `/apis` and each
/// group's preferred version), as the garbage collector and the namespace controller need
/// them: every served kind, including those added later (CRDs), without a compiled-in list.
public enum ServerResources {
    /// Every top-level resource (no subresources) of each group's preferred version.
    public static func fetch(_ rest: RESTClient) async throws -> [ResourceInfo] {
        var lists = [try await get(MetaV1.APIResourceList.self, "/api/v1", rest)]
        let groups = try await get(MetaV1.APIGroupList.self, "/apis", rest)
        for group in groups.groups {
            guard let version = group.preferredVersion ?? group.versions.first else { continue }
            lists.append(try await get(MetaV1.APIResourceList.self, "/apis/\(version.groupVersion)", rest))
        }
        return lists.flatMap(resources(of:))
    }

    /// The top-level resources of one discovery document.
    public static func resources(of list: MetaV1.APIResourceList) -> [ResourceInfo] {
        let parts = list.groupVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts[0])
        return list.resources.filter { !$0.name.contains("/") }.map { resource in
            ResourceInfo(
                gvk: GroupVersionKind(group: resource.group ?? group, version: resource.version ?? version, kind: resource.kind),
                plural: resource.name, singular: resource.singularName, namespaced: resource.namespaced,
                verbs: resource.verbs, shortNames: resource.shortNames ?? [], categories: resource.categories ?? [])
        }
    }

    static func get<T: JSONDecodable>(_ type: T.Type, _ path: String, _ rest: RESTClient) async throws -> T {
        let response = try await rest.send(RESTRequest(method: .get, path: path))
        return try JSONCodec.decode(type, from: response.body)
    }
}

/// Any object read as its type and object metadata only (upstream's `PartialObjectMetadata`):
/// what the garbage collector and the namespace controller cache of every resource, so that
/// watching all of them costs metadata, not whole objects.
public struct ObjectMetadata: InformerObject, JSONCodable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: MetaV1.ObjectMeta

    public init(apiVersion: String?, kind: String?, metadata: MetaV1.ObjectMeta) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
    }

    public var objectNamespace: String { metadata.namespace ?? "" }
    public var objectName: String { metadata.name ?? "" }
    public var objectResourceVersion: String { metadata.resourceVersion ?? "" }
    public var objectKey: String { MetaNamespaceKey.key(namespace: objectNamespace, name: objectName) }

    public init(from reader: inout JSONReader) throws {
        try reader.beginObject(of: "ObjectMetadata")
        var metadata = MetaV1.ObjectMeta()
        while let key = try reader.nextKey() {
            switch key {
            case "apiVersion": apiVersion = try reader.decode(String.self)
            case "kind": kind = try reader.decode(String.self)
            case "metadata": metadata = try reader.decode(MetaV1.ObjectMeta.self) ?? MetaV1.ObjectMeta()
            default: try reader.skipValue()
            }
        }
        self.metadata = metadata
        // Managed fields are large and of no use to the controllers that read this view.
        self.metadata.managedFields = nil
    }

    public func encode(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("kind", kind)
        writer.field("apiVersion", apiVersion)
        writer.field("metadata", metadata)
        writer.endObject()
    }
}
