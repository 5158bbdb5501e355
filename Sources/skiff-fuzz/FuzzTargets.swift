import APIMachinery

/// The decoders and parsers a client's bytes reach, as fuzz targets: each takes any bytes and
/// must return without crashing, hanging or exhausting memory; it says how many of its steps
/// refused the input with an error (an answer, not a finding).
enum FuzzTargets {
    static let all: [String: @Sendable ([UInt8]) -> Int] = [
        "json": { bytes in
            refusals { _ = try JSONCodec.parse(bytes) } + refusals { _ = try JSONCodec.decode(CoreV1.Pod.self, from: bytes) }
        },
        "yaml": { bytes in refusals { _ = try YAMLCodec.parseDocuments(String(decoding: bytes, as: UTF8.self)) } },
        "protobuf": { bytes in
            refusals {
                let object = try KubernetesProtobuf.decode(bytes)
                _ = try KubernetesProtobuf.encode(object)
            }
        },
        "jsonpatch": { bytes in
            let (document, patch) = split(bytes)
            return refusals { _ = try JSONPatch.apply(try JSONCodec.parse(patch), to: try JSONCodec.parse(document)) }
        },
        "mergepatch": { bytes in
            let (document, patch) = split(bytes)
            return refusals { _ = MergePatch.apply(try JSONCodec.parse(patch), to: try JSONCodec.parse(document)) }
        },
        "strategicpatch": { bytes in
            let (document, patch) = split(bytes)
            guard let type = APISchema.kubernetes.type(for: CoreV1.Pod.groupVersionKind) else { return 1 }
            return refusals {
                _ = try StrategicMergePatch.apply(try JSONCodec.parse(patch), to: try JSONCodec.parse(document), schema: .kubernetes, type: type)
            }
        },
        "selectors": { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            return refusals { _ = try LabelSelectorQuery(parsing: text) } + refusals { _ = try FieldSelectorQuery(parsing: text) }
        },
        "quantity": { bytes in
            refusals {
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

    /// Runs `body`: 1 when it refused the input with an error, else 0.
    static func refusals(_ body: () throws -> Void) -> Int {
        do {
            try body()
            return 0
        } catch {
            return 1
        }
    }
}
