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
///
/// The clock is fixed at 2026-01-01T00:00:00Z and UIDs print as `<uid>`, so outputs are
/// stable; resourceVersions are the in-memory store's revisions, deterministic per script.
final class APIScriptEnvironment {
    let store = InMemoryStore()
    let handler: APIHandler

    init() throws {
        handler = try APIHandler(kv: store, clock: ManualClock(wall: WallTime(nanosecondsSinceEpoch: 1_767_225_600_000_000_000)))
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
            if !bytes.isEmpty { lines.append(Self.masked(String(decoding: bytes, as: UTF8.self))) }
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
}
