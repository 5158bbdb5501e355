import APIMachinery

/// A failure carried to the top of a request as the Kubernetes `Status` to answer with.
extension StatusError {
    /// 404 for `name` of the resource `info`.
    public static func notFound(_ info: ResourceInfo, _ name: String) -> StatusError {
        StatusError(.notFound(group: info.gvk.group, resource: info.plural, name: name))
    }
}

enum Responses {
    static let jsonType = "application/json"

    static func json(_ status: Int, _ body: [UInt8], contentType: String = jsonType) -> APIResponse {
        .full(status: status, headers: [("Content-Type", contentType)], body: body)
    }

    static func json(_ status: Int, _ value: JSONValue) -> APIResponse {
        json(status, JSONCodec.encode(value))
    }

    static func text(_ status: Int, _ body: String) -> APIResponse {
        .full(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(body.utf8))
    }

    /// A list body `{"kind":…,"apiVersion":…,"metadata":{…},"items":[…]}` from encoded items.
    static func list(
        kind: String, apiVersion: String, resourceVersion: Int64, continueToken: String?, remaining: Int64?,
        items: [[UInt8]]
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(256) { $0 + $1.count + 1 })
        out.append(contentsOf: #"{"kind":"#.utf8)
        appendString(&out, kind)
        out.append(contentsOf: #","apiVersion":"#.utf8)
        appendString(&out, apiVersion)
        out.append(contentsOf: #","metadata":{"resourceVersion":"#.utf8)
        appendString(&out, String(resourceVersion))
        if let continueToken, !continueToken.isEmpty {
            out.append(contentsOf: #","continue":"#.utf8)
            appendString(&out, continueToken)
            if let remaining, remaining > 0 {
                out.append(contentsOf: #","remainingItemCount":"#.utf8)
                out.append(contentsOf: String(remaining).utf8)
            }
        }
        out.append(contentsOf: #"},"items":["#.utf8)
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    private static func appendString(_ out: inout [UInt8], _ text: String) {
        var writer = JSONWriter(capacity: text.utf8.count + 2)
        writer.string(text)
        out.append(contentsOf: writer.bytes)
    }
}
