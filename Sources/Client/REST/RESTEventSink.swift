import APIMachinery

/// `EventSink` writing core/v1 Events through the apiserver: create is a POST, repeats are a
/// strategic merge patch of count, lastTimestamp and message. A 404 on patch is
/// `EventSinkError.notFound`; any other answer from the apiserver is `.rejected` (not retried);
/// transport failures are passed through for the recorder to retry.
public struct RESTEventSink: EventSink {
    private let client: ResourceClient<CoreV1.Event>

    public init(rest: RESTClient) {
        client = rest.resource(CoreV1.Event.self)
    }

    public func create(_ event: CoreV1.Event) async throws -> CoreV1.Event {
        do {
            return try await client.create(event)
        } catch let error as StatusError {
            throw EventSinkError.rejected(error.description)
        }
    }

    public func patch(_ event: CoreV1.Event, with patch: EventPatch) async throws -> CoreV1.Event {
        do {
            return try await client.patch(event.name, namespace: event.namespace, type: .strategicMerge, body: JSONCodec.encode(patch.body))
        } catch let error as StatusError where error.isNotFound {
            throw EventSinkError.notFound
        } catch let error as StatusError {
            throw EventSinkError.rejected(error.description)
        }
    }
}
