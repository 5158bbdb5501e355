import APIMachinery

/// The decoders and parsers a client's bytes reach, as fuzz targets: each takes any bytes and
/// must return (an error is fine) without crashing, hanging or exhausting memory.
enum FuzzTargets {
    static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "json": { bytes in
            ignoringErrors { _ = try JSONCodec.parse(bytes) }
            ignoringErrors { _ = try JSONCodec.decode(CoreV1.Pod.self, from: bytes) }
        },
        "yaml": { bytes in ignoringErrors { _ = try YAMLCodec.parseDocuments(String(decoding: bytes, as: UTF8.self)) } },
        "protobuf": { bytes in
            ignoringErrors {
                let object = try KubernetesProtobuf.decode(bytes)
                _ = try KubernetesProtobuf.encode(object)
            }
        },
        "jsonpatch": { bytes in
            let (document, patch) = split(bytes)
            ignoringErrors { _ = try JSONPatch.apply(try JSONCodec.parse(patch), to: try JSONCodec.parse(document)) }
        },
        "mergepatch": { bytes in
            let (document, patch) = split(bytes)
            ignoringErrors { _ = MergePatch.apply(try JSONCodec.parse(patch), to: try JSONCodec.parse(document)) }
        },
        "strategicpatch": { bytes in
            let (document, patch) = split(bytes)
            guard let type = APISchema.kubernetes.type(for: CoreV1.Pod.groupVersionKind) else { return }
            ignoringErrors {
                _ = try StrategicMergePatch.apply(try JSONCodec.parse(patch), to: try JSONCodec.parse(document), schema: .kubernetes, type: type)
            }
        },
        "selectors": { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            ignoringErrors { _ = try LabelSelectorQuery(parsing: text) }
            ignoringErrors { _ = try FieldSelectorQuery(parsing: text) }
        },
        "quantity": { bytes in
            ignoringErrors {
                let quantity = try Quantity(String(decoding: bytes, as: UTF8.self))
                _ = quantity.canonicalized()
                _ = quantity.milliValue()
            }
        },
    ]

    /// A document and a patch: the bytes before and after the first NUL.
    static func split(_ bytes: [UInt8]) -> ([UInt8], [UInt8]) {
        guard let nul = bytes.firstIndex(of: 0) else { return (Array("{}".utf8), bytes) }
        return (Array(bytes[..<nul]), Array(bytes[(nul + 1)...]))
    }

    /// Runs `body`; a thrown error is an answer, not a finding.
    static func ignoringErrors(_ body: () throws -> Void) {
        do { try body() } catch {}
    }
}
