import APIMachinery

/// Every OpenAPI document, built once (at start-up) and served from memory.
///
/// Serving notes (what kube-apiserver does and clients rely on):
/// - `/openapi/v2`: `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf` (or
///   `…spec.v2.v1.0+protobuf`) gets `v2Protobuf` with
///   `Content-Type: application/com.github.proto-openapi.spec.v2.v1.0+protobuf`; anything else
///   that accepts JSON gets `v2`. ETag: the quoted hash of `v2`.
/// - `/openapi/v3`: `v3Index`, `Content-Type: application/json`.
/// - `/openapi/v3/<path>?hash=H`: `v3(path:)`; when `H` differs from the document's hash,
///   redirect (301) to `"/openapi/v3/<path>?hash=" + hash`; when it matches, add
///   `Cache-Control: public, immutable`. ETag: the quoted hash.
public struct OpenAPIDocumentSet: Sendable {
    /// Encoded bytes and their content hash (SHA-512, upper-case hex).
    public struct Document: Sendable, Hashable {
        public let bytes: [UInt8]
        public let hash: String

        public init(bytes: [UInt8]) {
            self.bytes = bytes
            self.hash = OpenAPIDocuments.hash(bytes)
        }
    }

    /// `/openapi/v2` as JSON.
    public let v2: Document
    /// `/openapi/v2` as gnostic protobuf.
    public let v2Protobuf: Document
    /// `/openapi/v3` (JSON).
    public let v3Index: Document
    /// `/openapi/v3/<path>` documents by path (`api/v1`, `apis/apps/v1`, …).
    public let v3Documents: [String: Document]

    public init(registry: ResourceRegistry = .builtin, schema: APISchema = .kubernetes) {
        let v2Tree = OpenAPIDocuments.v2Document(registry: registry, schema: schema)
        v2 = Document(bytes: JSONCodec.encode(v2Tree, capacity: 1 << 21))
        v2Protobuf = Document(bytes: SwaggerProtobufEncoder.encode(v2Tree))

        var documents: [String: Document] = [:]
        var entries: [(path: String, hash: String)] = []
        for apiVersion in registry.groupVersions {
            let (group, version) = OpenAPIDocuments.split(apiVersion)
            let tree = OpenAPIDocuments.v3Document(group: group, version: version, registry: registry, schema: schema)
            let document = Document(bytes: JSONCodec.encode(tree, capacity: 1 << 20))
            let path = OpenAPIDocuments.v3Path(groupVersion: apiVersion)
            documents[path] = document
            entries.append((path, document.hash))
        }
        v3Documents = documents
        v3Index = Document(bytes: JSONCodec.encode(OpenAPIDocuments.v3Index(entries)))
    }

    /// The v3 document at `path` (`api/v1`, `/apis/apps/v1`; a `?query` is ignored), or nil
    /// when that group version is not served.
    public func v3(path: String) -> Document? {
        var text = Substring(path)
        if let query = text.firstIndex(of: "?") { text = text[..<query] }
        while text.hasPrefix("/") { text = text.dropFirst() }
        return v3Documents[String(text)]
    }
}
