import APIMachinery
import APIServer
import DataDriven
import Component
import Foundation
import NIOHTTP1

/// Drives the real `APIHandler` over an `InMemoryStore` from a datadriven script
/// (`testdata/*.txt`), one request or store inspection per block:
///
/// - `GET|POST|PUT|PATCH|DELETE <uri> [content-type=…] [accept=…] [fields=a.b,c]` with the
///   body as input lines: prints the status, any `Warning` headers, then the body (compact
///   JSON), or with `fields=` one `path: value` line per field of the answer.
/// - `stored <key>`: the bytes the store holds at `key` (etcd's view), or `<absent>`.
/// - `WATCH <uri> as=NAME`: opens a watch (`?watch=true` is added) and prints its status; the
///   events are read with `next NAME [count=N]`, one `TYPE namespace/name resourceVersion` line
///   each (`BOOKMARK resourceVersion` for bookmarks, `ERROR code reason: message`, `END` when
///   the stream ended).
///
/// The apiserver starts without its bootstrap RBAC objects. The clock is fixed at
/// 2026-01-01T00:00:00Z and UIDs print as `<uid>`, so outputs are
/// stable; resourceVersions are the in-memory store's revisions, deterministic per script.
final class APIScriptEnvironment {
    let store = InMemoryStore()
    let handler: APIHandler
    private var watches: [String: WatchReader] = [:]

    init() throws {
        // Without the 125 bootstrap RBAC objects, so that the scripts' resource versions stay
        // small and about what they test (BootstrapPolicyTests covers those objects).
        handler = try APIHandler(
            kv: store, clock: ManualClock(wall: WallTime(nanosecondsSinceEpoch: 1_767_225_600_000_000_000)), bootstrapRBAC: false)
    }

    func start() async throws { try await handler.bootstrap() }

    func execute(_ block: ScriptFile.Block) async throws -> [String] {
        let words = block.command.split(separator: " ").map(String.init)
        guard let verb = words.first else { throw ScriptError("empty command") }
        var options: [String: String] = [:]
        for word in words.dropFirst(2) {
            guard let eq = word.firstIndex(of: "=") else { throw ScriptError("expected key=value, got \(word)") }
            options[String(word[..<eq])] = String(word[word.index(after: eq)...])
        }
        switch verb {
        case "stored":
            guard words.count == 2 else { throw ScriptError("stored takes one key") }
            return [store.text(at: words[1]).map(Self.masked) ?? "<absent>"]
        case "WATCH":
            guard words.count >= 2, let name = options["as"] else { throw ScriptError("WATCH needs a URI and as=NAME") }
            let uri = words[1] + (words[1].contains("?") ? "&" : "?") + "watch=true"
            let response = await handler.handle(APIRequest(method: "GET", uri: uri))
            guard case .push(let status, _, let stream) = response else {
                guard case .full(let status, _, let body) = response else { return [] }
                return ["\(status)"] + String(decoding: body, as: UTF8.self).split(separator: "\n").map(String.init)
            }
            watches[name] = WatchReader(stream)
            return ["\(status)"]
        case "next":
            guard words.count >= 2, let reader = watches[words[1]] else { throw ScriptError("next needs the name of an open watch") }
            return try await reader.next(Int(options["count"] ?? "1") ?? 1).map(Self.describe)
        case "GET", "POST", "PUT", "PATCH", "DELETE":
            guard words.count >= 2 else { throw ScriptError("\(verb) needs a URI") }
            return try await request(verb, uri: words[1], options: options, body: block.input)
        default:
            throw ScriptError("unknown command \(verb)")
        }
    }

    private func request(_ method: String, uri: String, options: [String: String], body: [String]) async throws -> [String] {
        for key in options.keys where !["content-type", "accept", "fields"].contains(key) {
            throw ScriptError("unknown option \(key)")
        }
        var headers = HTTPHeaders()
        let defaultType = method == "PATCH" ? "application/strategic-merge-patch+json" : "application/json"
        if !body.isEmpty { headers.add(name: "Content-Type", value: options["content-type"] ?? defaultType) }
        if let accept = options["accept"] { headers.add(name: "Accept", value: accept) }
        let request = APIRequest(method: method, uri: uri, headers: headers, body: Array(body.joined(separator: "\n").utf8))
        let response = await handler.handle(request)
        guard case .full(let status, let responseHeaders, let bytes) = response else {
            return ["\(response.status) (stream)"]
        }
        var lines = ["\(status)"]
        for (name, value) in responseHeaders where name.lowercased() == "warning" { lines.append("warning: \(value)") }
        guard let fields = options["fields"] else {
            lines += Self.masked(String(decoding: bytes, as: UTF8.self)).split(separator: "\n").map(String.init)
            return lines
        }
        let tree = try JSONCodec.parse(bytes)
        for path in fields.split(separator: ",") {
            var value: JSONValue? = tree
            for part in path.split(separator: ".") { value = value?[String(part)] }
            lines.append("\(path): " + (value.map { Self.masked(JSONCodec.encodeToString($0)) } ?? "<none>"))
        }
        return lines
    }

    /// Replaces UUIDs (random per run) with `<uid>`.
    static func masked(_ text: String) -> String {
        text.replacingOccurrences(
            of: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", with: "<uid>", options: .regularExpression)
    }

    /// One watch event as a line.
    static func describe(_ event: JSONValue?) -> String {
        guard let event else { return "END" }
        let type = event["type"]?.stringValue ?? "?"
        let object = event["object"]
        switch type {
        case "BOOKMARK":
            return "BOOKMARK \(object?["metadata"]?["resourceVersion"]?.stringValue ?? "")"
        case "ERROR":
            let code = object?["code"].map { JSONCodec.encodeToString($0) } ?? ""
            return "ERROR \(code) \(object?["reason"]?.stringValue ?? ""): \(object?["message"]?.stringValue ?? "")"
        default:
            let metadata = object?["metadata"]
            let namespace = metadata?["namespace"]?.stringValue.map { $0 + "/" } ?? ""
            return "\(type) \(namespace)\(metadata?["name"]?.stringValue ?? "") \(metadata?["resourceVersion"]?.stringValue ?? "")"
        }
    }
}

/// Reads a watch's pushed body as JSON lines, as a client would.
final class WatchReader: @unchecked Sendable {
    private let stream: any PushStream
    private let signals: AsyncStream<Void>
    private var buffer: [UInt8] = []
    private var ended = false

    init(_ stream: any PushStream) {
        self.stream = stream
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.signals = signals
        stream.start { continuation.yield() }
    }

    deinit { stream.cancel() }

    /// The next `count` events (nil for each one missing after the stream ended); fails when
    /// they have not come within 5 s (a harness guard, not a timing assertion).
    func next(_ count: Int) async throws -> [JSONValue?] {
        var events: [JSONValue?] = []
        while events.count < count {
            if let line = takeLine() {
                events.append(try JSONCodec.parse(line))
                continue
            }
            if ended {
                events.append(nil)
                continue
            }
            let (bytes, done) = stream.take()
            buffer += bytes
            ended = done
            if !bytes.isEmpty || done { continue }
            let signals = self.signals
            let signalled = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for await _ in signals { return true }
                    return false
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(5))
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if !signalled { throw ScriptError("no watch event within 5 s (have \(events.count) of \(count))") }
        }
        return events
    }

    private func takeLine() -> [UInt8]? {
        guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = Array(buffer[..<newline])
        buffer.removeSubrange(...newline)
        return line.isEmpty ? takeLine() : line
    }
}
