import APIMachinery

/// One event of a watch answer (`{"type": …, "object": …}`), decoded with the object read
/// straight into `Object` when `type` comes first (as the apiserver writes it), through a
/// tree otherwise. `ERROR` events keep their Status.
struct WatchFrame<Object: JSONDecodable>: JSONDecodable {
    enum Payload {
        case object(Object)
        case status(MetaV1.Status)
        case none
    }

    var type = ""
    var payload = Payload.none

    init(from reader: inout JSONReader) throws {
        try reader.beginObject(of: "WatchEvent")
        var pending: JSONValue?
        while let key = try reader.nextKey() {
            switch key {
            case "type": type = try reader.readString()
            case "object":
                if type.isEmpty {
                    pending = try reader.readValue()
                } else if type == "ERROR" {
                    payload = .status(try reader.decode(MetaV1.Status.self) ?? MetaV1.Status())
                } else if let object = try reader.decode(Object.self) {
                    payload = .object(object)
                }
            default: try reader.skipValue()
            }
        }
        if let pending {
            payload = type == "ERROR"
                ? .status(try JSONCodec.decode(MetaV1.Status.self, from: pending))
                : .object(try JSONCodec.decode(Object.self, from: pending))
        }
    }

    static var nullValue: WatchFrame<Object>? { nil }
}

/// Splits a byte stream of concatenated JSON objects (newline-separated or not) into whole
/// objects, across chunk boundaries. Tracks string and escape state, so braces inside strings
/// do not count.
struct JSONStreamSplitter {
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var start: Int?

    /// Appends `chunk` and returns every object it completed, in order.
    mutating func feed<Bytes: Sequence>(_ chunk: Bytes) -> [ArraySlice<UInt8>] where Bytes.Element == UInt8 {
        buffer.append(contentsOf: chunk)
        var objects: [ArraySlice<UInt8>] = []
        var index = scanned
        while index < buffer.count {
            let byte = buffer[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") {
                if depth == 0 { start = index }
                depth += 1
            } else if byte == UInt8(ascii: "}"), depth > 0 {
                depth -= 1
                if depth == 0, let begin = start {
                    objects.append(buffer[begin...index])
                    start = nil
                }
            }
            index += 1
        }
        scanned = index
        if depth == 0 {
            buffer.removeAll(keepingCapacity: true)
            scanned = 0
        } else if let begin = start, begin > 0 {
            buffer.removeSubrange(0..<begin)
            scanned -= begin
            start = 0
        }
        return objects
    }
}
