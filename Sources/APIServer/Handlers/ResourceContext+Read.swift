import APIMachinery
import Foundation

extension ResourceContext {
    // MARK: get

    func get() async throws -> APIResponse {
        guard let name = info.name else { throw StatusError(APIHandler.notFoundPath) }
        let object: CachedObject?
        if request.parameter("resourceVersion") == "0" {
            object = await store.cache.get(key(name))
        } else {
            object = try await store.read(key(name))
        }
        guard let object else { throw StatusError.notFound(resource, name) }
        return objectResponse(200, object.json)
    }

    // MARK: list

    func list() async throws -> APIResponse {
        let filter = try filter()
        let limit = Int(request.parameter("limit") ?? "") ?? 0
        let continueToken = request.parameter("continue").flatMap { $0.isEmpty ? nil : $0 }
        let match = request.parameter("resourceVersionMatch") ?? ""
        let rvText = request.parameter("resourceVersion") ?? ""
        let requested = try revisionParameter("resourceVersion")
        if !match.isEmpty && !["NotOlderThan", "Exact"].contains(match) {
            throw Self.invalidListOptions("resourceVersionMatch", "Unsupported value: \"\(match)\": supported values: \"Exact\", \"NotOlderThan\"", reason: "FieldValueNotSupported")
        }
        if !match.isEmpty && rvText.isEmpty {
            throw Self.invalidListOptions("resourceVersionMatch", "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided", reason: "FieldValueForbidden")
        }
        if continueToken != nil && !rvText.isEmpty && rvText != "0" {
            throw StatusError(.failure(.badRequest, message: "specifying resource version is not allowed when using continue"))
        }
        let fromStore = continueToken != nil || match == "Exact" || (limit > 0 && rvText != "0")
        if fromStore {
            return try await listFromStore(filter: filter, limit: limit, continueToken: continueToken,
                                           revision: match == "Exact" || (match.isEmpty && limit > 0 && requested != nil) ? requested ?? 0 : 0)
        }
        if rvText.isEmpty {
            try await waitForCache(store.kv.currentRevision())
        } else if let requested, requested > 0 {
            try await waitForCache(requested)
        }
        let (items, revision) = await store.cache.list(filter)
        return listResponse(items, revision: revision, continueToken: nil)
    }

    /// 422 `ListOptions.meta.k8s.io "" is invalid: <field>: <message>`, as kube-apiserver answers.
    static func invalidListOptions(_ field: String, _ message: String, reason: String) -> StatusError {
        StatusError(.invalid(group: "meta.k8s.io", kind: "ListOptions", name: "", causes: [
            MetaV1.StatusCause(field: field, message: message, reason: reason)
        ]))
    }

    func waitForCache(_ revision: Int64) async throws {
        do {
            try await store.cache.waitFor(revision: revision)
        } catch CacheError.tooLarge(let requested, let current) {
            throw StatusError(.failure(
                .timeout, message: "Too large resource version: \(requested), current: \(current)",
                details: MetaV1.StatusDetails(causes: [MetaV1.StatusCause(message: "Too large resource version: \(requested), current: \(current)", reason: "ResourceVersionTooLarge")], retryAfterSeconds: 1)))
        }
    }

    func listResponse(_ items: [CachedObject], revision: Int64, continueToken: String?) -> APIResponse {
        if wantsTable {
            let trees = items.compactMap { try? $0.tree() }
            return Responses.json(200, table(trees, resourceVersion: revision, continueToken: continueToken))
        }
        let body = Responses.list(
            kind: listKind, apiVersion: apiVersion, resourceVersion: revision, continueToken: continueToken,
            remaining: nil, items: items.map(\.json))
        return Responses.json(200, body)
    }

    /// A paginated (or exact-revision) list read from the store at one revision; the continue
    /// token carries that revision and the next key, so every page is the same snapshot.
    private func listFromStore(filter: ObjectFilter, limit: Int, continueToken: String?, revision: Int64) async throws -> APIResponse {
        var atRevision = revision
        var start: String? = filter.namespace.map { store.prefix + $0 + "/" }
        let scope = start ?? store.prefix
        if let continueToken {
            let token = try ContinueToken(decoding: continueToken)
            atRevision = token.revision
            start = scope + token.start
            if !(start ?? "").hasPrefix(scope) { throw StatusError.badRequest("continue key is not valid: invalid start") }
        }
        var items: [CachedObject] = []
        var next: String?
        while true {
            let pageSize = limit > 0 ? max(limit - items.count, 1) : 0
            let page: (values: [StoredValue], revision: Int64, more: Bool)
            do {
                page = try await store.kv.list(prefix: scope, from: start, revision: atRevision, limit: pageSize)
            } catch StoreError.compacted {
                if continueToken != nil {
                    throw StatusError(.failure(.expired, message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."))
                }
                throw StatusError(.failure(.gone, message: "The resourceVersion for the provided list is too old."))
            }
            if atRevision == 0 { atRevision = page.revision }
            for value in page.values {
                let object = try CachedObject(key: value.key, stored: value.value, revision: value.modRevision, resource: resource)
                if filter.matches(object) { items.append(object) }
            }
            guard page.more, let last = page.values.last else {
                next = nil
                break
            }
            start = last.key + "\u{0}"
            if limit > 0 && items.count >= limit {
                next = String(last.key.dropFirst(scope.count)) + "\u{0}"
                break
            }
        }
        let token = next.map { ContinueToken(revision: atRevision, start: $0).encoded }
        return listResponse(items, revision: atRevision, continueToken: token)
    }

    // MARK: watch

    func watch() async throws -> APIResponse {
        var filter = try filter()
        if let name = info.name { filter.name = name }
        let rvText = request.parameter("resourceVersion") ?? ""
        let requested = try revisionParameter("resourceVersion")
        let bookmarks = request.flag("allowWatchBookmarks") ?? false
        let sendInitial = request.flag("sendInitialEvents").map { $0 ? "true" : "false" }
        if sendInitial == "true" && request.parameter("resourceVersionMatch") != "NotOlderThan" {
            throw Self.invalidListOptions("resourceVersionMatch", "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan", reason: "FieldValueForbidden")
        }
        var from: Int64? = nil
        if let requested, requested > 0, sendInitial != "true" { from = requested }
        if rvText.isEmpty && sendInitial != "false" {
            try await waitForCache(store.kv.currentRevision())
        }
        if rvText == "0" || rvText.isEmpty, sendInitial == "false" {
            from = await store.cache.revision
        }
        if sendInitial == "true", let requested, requested > 0 { try await waitForCache(requested) }
        // A revision the cache has not reached yet (e.g. from a list or write served by the
        // store): wait for it, so the watch does not replay changes the client already saw.
        if let from { try await waitForCache(from) }
        let stream: WatchBuffer
        do {
            (stream, _) = try await store.cache.watch(
                from: from, filter: filter, bookmarks: bookmarks, initialEventsEnd: sendInitial == "true" && bookmarks)
        } catch CacheError.tooOld(let requested, let oldest) {
            // As kube-apiserver: a 200 stream carrying one ERROR event with the 410 Status.
            let status = MetaV1.Status.failure(.expired, message: "too old resource version: \(requested) (\(oldest))")
            let frame = WatchFrame.encode(type: .error, objectJSON: JSONCodec.encode(status))
            return Responses.json(200, frame)
        }
        let timeout = Int(request.parameter("timeoutSeconds") ?? "").flatMap { $0 > 0 ? $0 : nil } ?? Int.random(in: 1800..<3600)
        let context = self
        let tables = wantsTable  // decided once, not per event
        return .push(
            status: 200, headers: [("Content-Type", "application/json")],
            stream: WatchPushStream(buffer: stream, timeout: .seconds(timeout)) { item, headers in
                context.frame(for: item, headers: headers, tables: tables)
            })
    }

    /// The wire bytes of one watch item (a Table row when the client asked for tables).
    func frame(for item: WatchItem, headers: Bool, tables: Bool) -> [UInt8] {
        switch item {
        case .event(let type, let object, let frame):
            if tables, let tree = try? object.tree() {
                let table = table([tree], resourceVersion: object.resourceVersion, continueToken: nil, noHeaders: !headers)
                return WatchFrame.encode(type: type, objectJSON: JSONCodec.encode(table))
            }
            return frame ?? WatchFrame.encode(type: type, objectJSON: object.json)
        case .bookmark(let revision, let initialEventsEnd):
            var metadata: JSONObject = ["resourceVersion": .string(String(revision)), "creationTimestamp": nil]
            if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
            let object: JSONValue = [
                "kind": .string(resource.gvk.kind), "apiVersion": .string(apiVersion), "metadata": .object(metadata),
            ]
            return WatchFrame.encode(type: .bookmark, objectJSON: JSONCodec.encode(object))
        }
    }
}

/// kube-apiserver's continue token: base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":"<key>"}`.
struct ContinueToken {
    var revision: Int64
    var start: String

    init(revision: Int64, start: String) {
        self.revision = revision
        self.start = start
    }

    init(decoding text: String) throws {
        var padded = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while padded.count % 4 != 0 { padded += "=" }
        guard let data = Data(base64Encoded: padded), let tree = try? JSONCodec.parse(Array(data)),
            tree["v"]?.stringValue == "meta.k8s.io/v1", case .int(let revision)? = tree["rv"],
            let start = tree["start"]?.stringValue
        else { throw StatusError.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)") }
        guard revision > 0 else { throw StatusError.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)") }
        guard !start.contains("..") && !start.hasPrefix("/") else { throw StatusError.badRequest("continue key is not valid: invalid start") }
        self.revision = revision
        self.start = start
    }

    var encoded: String {
        let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(revision), "start": .string(start)]
        return Data(JSONCodec.encode(json)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
