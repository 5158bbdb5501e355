/// Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`) of built-in kinds,
/// translated to and from the JSON trees the apiserver works on.
///
/// A body is the 4-byte magic `k8s\0` followed by a `runtime.Unknown` message: 1 typeMeta
/// (1 apiVersion, 2 kind), 2 raw (the object's own message), 3 contentEncoding, 4 contentType.
/// The object's message layout comes from the generated table (`ProtobufSchema.builtin`), which
/// covers the group versions Skiff serves; custom resources have no protobuf form.
///
/// `decode` gives exactly the tree Go's JSON encoding gives for the object upstream code
/// unmarshals from the same bytes (member order included; see `ProtobufDecoder`). `encode` is
/// its inverse for well-typed trees: `decode(encode(x))` equals `x` up to the members Go would
/// add or drop (zero values), and the bytes are what Go clients expect to read.
public enum KubernetesProtobuf {
    /// The media type of protobuf bodies.
    public static let mediaType = "application/vnd.kubernetes.protobuf"

    /// The prefix of every protobuf body: `k8s` and a zero byte.
    public static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

    /// Whether `kind` has a protobuf message Skiff can translate.
    public static func supports(_ kind: GroupVersionKind) -> Bool {
        ProtobufSchema.builtin.kinds[kind] != nil
    }

    /// Decodes a protobuf body into the object's JSON tree, with `kind` and `apiVersion` first
    /// (taken from the envelope). Throws `ProtobufError` for a missing magic, malformed wire
    /// data, an encoding other than plain protobuf, or a kind without a protobuf schema.
    public static func decode(_ bytes: [UInt8]) throws(ProtobufError) -> JSONValue {
        try decode(bytes, depth: 0)
    }

    /// Encodes an object tree (which must carry `apiVersion` and `kind`) as a protobuf body.
    /// Throws `ProtobufError` for a kind without a protobuf schema or a member whose JSON type
    /// does not fit its field. Members the schema does not know are left out.
    public static func encode(_ object: JSONValue) throws(ProtobufError) -> [UInt8] {
        guard case .object(let members) = object else {
            throw ProtobufError("expected an object, found \(object.typeName)")
        }
        let apiVersion = members["apiVersion"]?.stringValue ?? ""
        let kind = members["kind"]?.stringValue ?? ""
        let schema = ProtobufSchema.builtin
        let message = try messageIndex(apiVersion: apiVersion, kind: kind, in: schema)
        let raw = try ProtobufEncoder(schema: schema).encodeMessage(message, object, depth: 0)

        var typeMeta = ProtobufWriter()
        typeMeta.writeStringField(1, apiVersion)
        typeMeta.writeStringField(2, kind)
        var envelope = ProtobufWriter()
        envelope.bytes = magic
        envelope.bytes.reserveCapacity(raw.count + typeMeta.bytes.count + 32)
        envelope.writeBytesField(1, typeMeta.bytes)
        envelope.writeBytesField(2, raw)
        envelope.writeStringField(3, "")
        envelope.writeStringField(4, "")
        return envelope.bytes
    }

    // MARK: - Internals

    /// `depth` counts nesting through `RawExtension`s that hold protobuf bodies themselves.
    static func decode(_ bytes: [UInt8], depth: Int) throws(ProtobufError) -> JSONValue {
        guard bytes.starts(with: magic) else {
            throw ProtobufError("the body does not start with the Kubernetes protobuf prefix \"k8s\\0\"")
        }
        guard depth <= ProtobufDecoder.maximumDepth else {
            throw ProtobufError("objects nested more than \(ProtobufDecoder.maximumDepth) deep")
        }
        var apiVersion = ""
        var kind = ""
        var raw: Range<Int>?
        var contentEncoding = ""
        var contentType = ""
        var reader = ProtobufReader(bytes: bytes, range: magic.count..<bytes.count)
        let decoder = ProtobufDecoder(schema: ProtobufSchema.builtin)
        func string(_ value: ProtobufReader.Value, _ name: String) throws(ProtobufError) -> String {
            do throws(ProtobufError) {
                guard case .string(let s) = try decoder.decodeScalar(.string, value, bytes) else { return "" }
                return s
            } catch {
                throw ProtobufError("envelope \(name): \(error.message)")
            }
        }
        while let (number, value) = try reader.readField() {
            switch number {
            case 1:
                guard case .bytes(let range) = value else { throw ProtobufError("envelope typeMeta is not a message") }
                var meta = ProtobufReader(bytes: bytes, range: range)
                while let (inner, field) = try meta.readField() {
                    if inner == 1 { apiVersion = try string(field, "apiVersion") }
                    if inner == 2 { kind = try string(field, "kind") }
                }
            case 2:
                guard case .bytes(let range) = value else { throw ProtobufError("envelope raw is not bytes") }
                raw = range
            case 3: contentEncoding = try string(value, "contentEncoding")
            case 4: contentType = try string(value, "contentType")
            default: continue
            }
        }
        guard contentEncoding.isEmpty else {
            throw ProtobufError("content encoding \"\(contentEncoding)\" is not supported")
        }
        let schema = ProtobufSchema.builtin
        var object = JSONObject()
        if !kind.isEmpty { object["kind"] = .string(kind) }
        if !apiVersion.isEmpty { object["apiVersion"] = .string(apiVersion) }
        let payload = raw ?? 0..<0
        switch contentType {
        case "", mediaType:
            let message = try messageIndex(apiVersion: apiVersion, kind: kind, in: schema)
            try decoder.decodeMembers(message, bytes, payload, depth: depth, into: &object)
        case "application/json":
            let embedded: JSONValue
            do { embedded = try JSONCodec.parse(bytes[payload]) } catch {
                throw ProtobufError("embedded JSON is malformed: \(error)")
            }
            guard case .object(let members) = embedded else {
                throw ProtobufError("embedded JSON is \(embedded.typeName), not an object")
            }
            for member in members.members where member.key != "kind" && member.key != "apiVersion" {
                object[member.key] = member.value
            }
        default:
            throw ProtobufError("content type \"\(contentType)\" inside a protobuf envelope is not supported")
        }
        return .object(object)
    }

    static func messageIndex(apiVersion: String, kind: String, in schema: ProtobufSchema) throws(ProtobufError) -> Int {
        guard !kind.isEmpty, !apiVersion.isEmpty else {
            throw ProtobufError("the object has no \(kind.isEmpty ? "kind" : "apiVersion")")
        }
        let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else {
            throw ProtobufError("malformed apiVersion \"\(apiVersion)\"")
        }
        let gvk = parts.count == 2
            ? GroupVersionKind(group: String(parts[0]), version: String(parts[1]), kind: kind)
            : GroupVersionKind(group: "", version: apiVersion, kind: kind)
        guard let message = schema.kinds[gvk] else {
            throw ProtobufError("no protobuf form is known for \(apiVersion), Kind=\(kind)")
        }
        return message
    }
}
