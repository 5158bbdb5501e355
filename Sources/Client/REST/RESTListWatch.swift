import APIMachinery

/// `ListWatchSource` over the apiserver for a reflector: a consistent, paginated list, then
/// watches with bookmarks and a server-side timeout of 5 to 10 minutes (spread so that many
/// clients do not re-watch at once), as client-go's reflector asks. A 410 / Expired answer,
/// at the start or in the stream, is reported as `ReflectorError.expired`.
public struct RESTListWatch<Object: JSONCodable & InformerObject>: ListWatchSource {
    public let client: ResourceClient<Object>
    public var labelSelector: String?
    public var fieldSelector: String?
    public var pageSize: Int

    public init(client: ResourceClient<Object>, labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int = 500) {
        self.client = client
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
    }

    public func list() async throws -> (items: [Object], resourceVersion: String) {
        do {
            let list = try await client.listAll(ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector), pageSize: pageSize)
            return (list.items, list.resourceVersion)
        } catch let error as StatusError where error.isExpired {
            throw ReflectorError.expired
        }
    }

    public func watch(from resourceVersion: String) async throws -> AsyncThrowingStream<WatchEvent<Object>, any Error> {
        let options = ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector, resourceVersion: resourceVersion,
                                  timeoutSeconds: Int.random(in: 300...600), allowWatchBookmarks: true)
        let events: AsyncThrowingStream<WatchEvent<Object>, any Error>
        do {
            events = try await client.watch(options)
        } catch let error as StatusError where error.isExpired {
            throw ReflectorError.expired
        }
        let (stream, continuation) = AsyncThrowingStream<WatchEvent<Object>, any Error>.makeStream()
        let forward = Task {
            do {
                for try await event in events { continuation.yield(event) }
                continuation.finish()
            } catch let error as StatusError where error.isExpired {
                continuation.finish(throwing: ReflectorError.expired)
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in forward.cancel() }
        return stream
    }
}
