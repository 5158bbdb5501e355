/// The query of a list or watch (`metav1.ListOptions`); unset fields are not sent.
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var resourceVersion: String?
    /// `NotOlderThan` or `Exact`; only meaningful with `resourceVersion`.
    public var resourceVersionMatch: String?
    public var limit: Int?
    public var continueToken: String?
    public var timeoutSeconds: Int?
    public var allowWatchBookmarks: Bool?
    public var sendInitialEvents: Bool?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
                resourceVersionMatch: String? = nil, limit: Int? = nil, continueToken: String? = nil,
                timeoutSeconds: Int? = nil, allowWatchBookmarks: Bool? = nil, sendInitialEvents: Bool? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.limit = limit
        self.continueToken = continueToken
        self.timeoutSeconds = timeoutSeconds
        self.allowWatchBookmarks = allowWatchBookmarks
        self.sendInitialEvents = sendInitialEvents
    }

    /// The query parameters, in the names the apiserver reads.
    public var query: [(String, String)] {
        var query: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion { query.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { query.append(("resourceVersionMatch", resourceVersionMatch)) }
        if let limit { query.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { query.append(("continue", continueToken)) }
        if let timeoutSeconds { query.append(("timeoutSeconds", String(timeoutSeconds))) }
        if let allowWatchBookmarks { query.append(("allowWatchBookmarks", String(allowWatchBookmarks))) }
        if let sendInitialEvents { query.append(("sendInitialEvents", String(sendInitialEvents))) }
        return query
    }
}

/// Query options of mutating calls (`CreateOptions`, `UpdateOptions`, `PatchOptions`).
public struct WriteOptions: Sendable, Hashable {
    public var dryRun = false
    public var fieldManager: String?
    /// `Strict`, `Warn` or `Ignore`.
    public var fieldValidation: String?
    /// Patch only: take over conflicting fields (server-side apply).
    public var force: Bool?

    public init(dryRun: Bool = false, fieldManager: String? = nil, fieldValidation: String? = nil, force: Bool? = nil) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
        self.force = force
    }

    public var query: [(String, String)] {
        var query: [(String, String)] = []
        if dryRun { query.append(("dryRun", "All")) }
        if let fieldManager { query.append(("fieldManager", fieldManager)) }
        if let fieldValidation { query.append(("fieldValidation", fieldValidation)) }
        if let force { query.append(("force", String(force))) }
        return query
    }
}

/// How a patch body is to be read (its Content-Type).
public enum PatchType: String, Sendable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategicMerge = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"
}
