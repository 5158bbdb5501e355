import APIMachinery

/// One page of a list answer: `metadata` (resourceVersion, continue, remainingItemCount) and
/// `items`, decoded straight into `Object` without an intermediate tree.
public struct ObjectList<Object: JSONDecodable>: JSONDecodable {
    public var metadata: MetaV1.ListMeta
    public var items: [Object]

    public init(metadata: MetaV1.ListMeta = MetaV1.ListMeta(), items: [Object] = []) {
        self.metadata = metadata
        self.items = items
    }

    public init(from reader: inout JSONReader) throws {
        self.init()
        try reader.beginObject(of: "List")
        while let key = try reader.nextKey() {
            switch key {
            case "metadata": metadata = try reader.decode(MetaV1.ListMeta.self) ?? MetaV1.ListMeta()
            case "items":
                if reader.consumeNull() { continue }
                try reader.beginArray(of: "items")
                while try reader.nextElement() {
                    guard let item = try reader.decode(Object.self) else { throw reader.invalidValue("null list item") }
                    items.append(item)
                }
            default: try reader.skipValue()
            }
        }
    }

    public static var nullValue: ObjectList<Object>? { nil }

    public var resourceVersion: String { metadata.resourceVersion ?? "" }
    public var continueToken: String? { metadata.continue.flatMap { $0.isEmpty ? nil : $0 } }
}
