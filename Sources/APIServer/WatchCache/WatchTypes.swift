import APIMachinery

/// The `type` of a watch event on the wire.
public enum WatchEventType: String, Sendable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    case bookmark = "BOOKMARK"
    case error = "ERROR"
}

/// One change in a watch cache's window, with its wire frame encoded once for every watcher.
public struct CacheEvent: Sendable {
    public var type: WatchEventType
    /// The new state; for a delete, the last state with `resourceVersion` = the delete's revision.
    public var object: CachedObject
    /// The state before (nil for a create).
    public var previous: CachedObject?
    public var revision: Int64 { object.resourceVersion }
    /// `{"type":…,"object":…}\n`.
    public var frame: [UInt8]

    init(type: WatchEventType, object: CachedObject, previous: CachedObject?) {
        self.type = type
        self.object = object
        self.previous = previous
        self.frame = WatchFrame.encode(type: type, objectJSON: object.json)
    }
}

/// What a watcher receives from the cache.
public enum WatchItem: Sendable {
    /// A change (or an initial ADDED); `frame` is the shared encoding when `type` is the event's own.
    case event(type: WatchEventType, object: CachedObject, frame: [UInt8]?)
    /// A progress mark: every change up to `revision` has been sent.
    case bookmark(revision: Int64, initialEventsEnd: Bool)
}

/// Which objects a list or watch wants.
public struct ObjectFilter: Sendable {
    public var namespace: String?
    public var name: String?
    public var labels: LabelSelectorQuery
    public var fields: FieldSelectorQuery

    public init(
        namespace: String? = nil, name: String? = nil, labels: LabelSelectorQuery = .everything,
        fields: FieldSelectorQuery = .everything
    ) {
        self.namespace = namespace
        self.name = name
        self.labels = labels
        self.fields = fields
    }

    public static let everything = ObjectFilter()

    public func matches(_ object: CachedObject) -> Bool {
        if let namespace, object.namespace != namespace { return false }
        if let name, object.name != name { return false }
        if !labels.isEmpty && !labels.matches(object.labels) { return false }
        if !fields.isEmpty && !fields.matches(object.fields) { return false }
        return true
    }
}

/// Wire encoding of watch events (JSON stream: one object per line).
public enum WatchFrame {
    public static func encode(type: WatchEventType, objectJSON: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(objectJSON.count + 32)
        out.append(contentsOf: #"{"type":""#.utf8)
        out.append(contentsOf: type.rawValue.utf8)
        out.append(contentsOf: #"","object":"#.utf8)
        out.append(contentsOf: objectJSON)
        out.append(contentsOf: "}\n".utf8)
        return out
    }
}

/// Errors a cache read can answer with, mapped to Kubernetes statuses by the handlers.
public enum CacheError: Error, Sendable {
    /// Watch from a revision older than the window: 410 Gone `too old resource version: X (Y)`.
    case tooOld(requested: Int64, oldest: Int64)
    /// A revision newer than the cache reached in time: 504 `Too large resource version`.
    case tooLarge(requested: Int64, current: Int64)
}
