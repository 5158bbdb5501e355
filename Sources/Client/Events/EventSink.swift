import APIMachinery

/// Where an `EventRecorder` writes core/v1 Events (implemented over REST by the client).
///
/// Contract for implementations:
/// - `create` POSTs `event` to `/api/v1/namespaces/{event.metadata.namespace}/events` and returns
///   the stored Event (with its resourceVersion).
/// - `patch` sends `patch.body` as a strategic merge patch to the Event named
///   `event.metadata.name` in `event.metadata.namespace` and returns the stored Event; it throws
///   `EventSinkError.notFound` when that Event no longer exists (the recorder then creates it).
/// - A response from the apiserver rejecting the request (any other `Status` error: invalid,
///   already exists, namespace terminating, forbidden, …) throws `EventSinkError.rejected`; the
///   event is then abandoned. Any other error (transport, timeout) is retried with backoff.
public protocol EventSink: Sendable {
    func create(_ event: CoreV1.Event) async throws -> CoreV1.Event
    func patch(_ event: CoreV1.Event, with patch: EventPatch) async throws -> CoreV1.Event
}

/// The apiserver's answers to an event write that the recorder acts on.
public enum EventSinkError: Error, Sendable, Hashable {
    /// The Event to patch does not exist (HTTP 404 on PATCH).
    case notFound
    /// The apiserver refused the write for good; the reason is for logs.
    case rejected(String)
}

/// The update of a repeated event: its new `count`, `lastTimestamp` and `message` (the fields
/// client-go's two-way merge patch carries, since everything else is unchanged).
public struct EventPatch: Sendable, Hashable {
    public var count: Int32
    public var lastTimestamp: Time?
    public var message: String

    public init(count: Int32, lastTimestamp: Time?, message: String) {
        self.count = count
        self.lastTimestamp = lastTimestamp
        self.message = message
    }

    /// The merge-patch document `{"count":…,"lastTimestamp":"…","message":"…"}`, valid both as a
    /// strategic merge patch and as a JSON merge patch.
    public var body: JSONValue {
        let timestamp: JSONValue = lastTimestamp.map { $0.isZero ? .null : .string($0.description) } ?? .null
        return .object(["count": .int(Int64(count)), "lastTimestamp": timestamp, "message": .string(message)])
    }
}
