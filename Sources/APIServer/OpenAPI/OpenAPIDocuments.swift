import APIMachinery
import Crypto
import Foundation

/// The OpenAPI documents of the served API, generated from the resource registry and the schema.
///
/// - `/openapi/v2`: one Swagger 2.0 document with every definition and the paths of every
///   resource. kubectl asks for it as protobuf
///   (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`) and cannot read
///   JSON there, so `v2Protobuf` gives the same document in that encoding; reply with
///   `Content-Type: application/com.github.proto-openapi.spec.v2.v1.0+protobuf`.
/// - `/openapi/v3`: an index of group versions, each pointing at
///   `/openapi/v3/<path>?hash=<SHA-512 of the document, upper-case hex>`.
/// - `/openapi/v3/<path>`: an OpenAPI 3.0 document per group version, with that group
///   version's paths and the definitions they reach.
///
/// Output is deterministic (object keys sorted), so hashes are stable content hashes.
/// Every function builds from scratch; compute once at start-up (`OpenAPIDocumentSet` does).
public enum OpenAPIDocuments {
    /// The Swagger 2.0 document (`/openapi/v2`), JSON bytes.
    public static func v2(registry: ResourceRegistry, schema: APISchema) -> [UInt8] {
        JSONCodec.encode(v2Document(registry: registry, schema: schema), capacity: 1 << 21)
    }

    /// The Swagger 2.0 document in the gnostic `openapi.v2.Document` protobuf encoding that
    /// kubectl requests.
    public static func v2Protobuf(registry: ResourceRegistry, schema: APISchema) -> [UInt8] {
        SwaggerProtobufEncoder.encode(v2Document(registry: registry, schema: schema))
    }

    /// `/openapi/v3` index:
    /// `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=<HASH>"}, "apis/apps/v1": …}}`.
    public static func v3Index(registry: ResourceRegistry, schema: APISchema) -> JSONValue {
        let entries = registry.groupVersions.map { apiVersion -> (path: String, hash: String) in
            let (group, version) = split(apiVersion)
            let bytes = JSONCodec.encode(
                v3Document(group: group, version: version, registry: registry, schema: schema), capacity: 1 << 20)
            return (v3Path(groupVersion: apiVersion), hash(bytes))
        }
        return v3Index(entries)
    }

    /// `/openapi/v3/<path>` (path like `api/v1` or `apis/apps/v1`), nil when not served;
    /// JSON bytes.
    public static func v3(path: String, registry: ResourceRegistry, schema: APISchema) -> [UInt8]? {
        guard let gv = groupVersion(v3Path: path, registry: registry) else { return nil }
        return JSONCodec.encode(
            v3Document(group: gv.group, version: gv.version, registry: registry, schema: schema), capacity: 1 << 20)
    }

    /// The v3 path of a group version: `v1` → `api/v1`, `apps/v1` → `apis/apps/v1`.
    public static func v3Path(groupVersion apiVersion: String) -> String {
        let (group, version) = split(apiVersion)
        return group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
    }

    /// The content hash used in `?hash=` and as the ETag: SHA-512, upper-case hex
    /// (what kube-apiserver uses).
    public static func hash(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(128)
        for byte in SHA512.hash(data: bytes) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    // MARK: - Trees

    static let info: JSONValue = ["title": "Kubernetes", "version": "unversioned"]
    static let bearerToken: JSONValue = [
        "description": "Bearer token authentication", "in": "header", "name": "authorization", "type": "apiKey",
    ]

    /// The whole Swagger 2.0 document as a tree.
    static func v2Document(registry: ResourceRegistry, schema: APISchema) -> JSONValue {
        let converter = OpenAPISchemaConverter(schema: schema, flavor: .swagger2)
        let (paths, _) = OpenAPIPathBuilder(schema: schema, flavor: .swagger2).paths(for: registry.all)
        let document: JSONValue = [
            "definitions": converter.definitions(converter.allNames),
            "info": info,
            "paths": .object(paths),
            "security": [["BearerToken": []]],
            "securityDefinitions": ["BearerToken": bearerToken],
            "swagger": "2.0",
        ]
        return sortedKeys(document)
    }

    /// The OpenAPI 3.0 document of one group version as a tree.
    static func v3Document(group: String, version: String, registry: ResourceRegistry, schema: APISchema) -> JSONValue {
        let resources = registry.all.filter { $0.gvk.group == group && $0.gvk.version == version }
        let converter = OpenAPISchemaConverter(schema: schema, flavor: .openAPI3)
        let (paths, references) = OpenAPIPathBuilder(schema: schema, flavor: .openAPI3).paths(for: resources)
        // The kinds are reached through the paths already; listing them again keeps a kind
        // whose operations are all absent (no verbs) explainable.
        var roots = references
        for info in resources {
            if let name = schema.type(for: info.gvk)?.name { roots.insert(name) }
        }
        let document: JSONValue = [
            "components": [
                "schemas": converter.definitions(converter.closure(from: roots)),
                "securitySchemes": ["BearerToken": bearerToken],
            ],
            "info": info,
            "openapi": "3.0.0",
            "paths": .object(paths),
        ]
        return sortedKeys(document)
    }

    /// The index from `(path, hash)` pairs.
    static func v3Index(_ entries: [(path: String, hash: String)]) -> JSONValue {
        var paths = JSONObject()
        for entry in entries {
            paths[entry.path] = ["serverRelativeURL": .string("/openapi/v3/\(entry.path)?hash=\(entry.hash)")]
        }
        return ["paths": .object(paths)]
    }

    // MARK: - Helpers

    /// `v1` → (`""`, `v1`); `apps/v1` → (`apps`, `v1`).
    static func split(_ apiVersion: String) -> (group: String, version: String) {
        guard let slash = apiVersion.firstIndex(of: "/") else { return ("", apiVersion) }
        return (String(apiVersion[..<slash]), String(apiVersion[apiVersion.index(after: slash)...]))
    }

    /// The served group version named by a v3 path (`api/v1`, `/apis/apps/v1`, a `?query` is
    /// ignored), or nil.
    static func groupVersion(v3Path path: String, registry: ResourceRegistry) -> (group: String, version: String)? {
        var text = Substring(path)
        if let query = text.firstIndex(of: "?") { text = text[..<query] }
        while text.hasPrefix("/") { text = text.dropFirst() }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let apiVersion: String
        if parts.count == 2, parts[0] == "api", !parts[1].isEmpty {
            apiVersion = parts[1]
        } else if parts.count == 3, parts[0] == "apis", !parts[1].isEmpty, !parts[2].isEmpty {
            apiVersion = parts[1] + "/" + parts[2]
        } else {
            return nil
        }
        guard registry.groupVersions.contains(apiVersion) else { return nil }
        return split(apiVersion)
    }

    /// The same tree with every object's keys in byte order (arrays keep their order).
    static func sortedKeys(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements):
            return .array(elements.map(sortedKeys))
        case .object(let object):
            let members = object.members
                .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { JSONObject.Member(key: $0.key, value: sortedKeys($0.value)) }
            return .object(JSONObject(members: members))
        default:
            return value
        }
    }
}
