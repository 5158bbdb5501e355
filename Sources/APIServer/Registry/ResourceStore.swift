import Component
import Logging
import APIMachinery
import Foundation
import Synchronization

/// One resource's storage: its key layout in the store and its watch cache.
public final class ResourceStore: Sendable {
    public let info: ResourceInfo
    /// `/registry/[<group>/]<resource>/`.
    public let prefix: String
    public let kv: any KeyValueStore
    public let cache: WatchCache

    init(info: ResourceInfo, kv: any KeyValueStore, clock: any ComponentClock, logger: Logger) {
        self.info = info
        self.prefix = Self.prefix(for: info)
        self.kv = kv
        self.cache = WatchCache(resource: info, prefix: prefix, store: kv, clock: clock, logger: logger)
    }

    /// Objects live under their storage version's group: events.k8s.io/v1 Events are the core
    /// Events, stored once in core form.
    public static func prefix(for info: ResourceInfo) -> String {
        let group = (info.storageVersion ?? info.gvk).group
        return group.isEmpty ? "/registry/\(info.plural)/" : "/registry/\(group)/\(info.plural)/"
    }

    /// The key of an object (`namespace` ignored for cluster-scoped resources).
    public func key(namespace: String?, name: String) -> String {
        info.namespaced ? prefix + (namespace ?? "") + "/" + name : prefix + name
    }

    /// The bytes stored for an object given in this resource's served form: converted to the
    /// storage version (`StorageConversion`), in Go's encoding order (`APISchema.canonical`).
    public func encode(_ object: JSONObject) -> [UInt8] {
        let (stored, gvk) = StorageConversion.toStorage(object, served: info)
        return JSONCodec.encode(APISchema.kubernetes.canonical(.object(stored), gvk: gvk))
    }

    /// The object at `key` read from the store (linearizable), as cached form.
    public func read(_ key: String) async throws -> CachedObject? {
        let (value, _) = try await kv.get(key)
        guard let value else { return nil }
        return try CachedObject(key: key, stored: value.value, revision: value.modRevision, resource: info)
    }
}

/// Every resource's `ResourceStore`, created (and its cache started) on first use.
public final class StoreRegistry: Sendable {
    public let kv: any KeyValueStore
    private let stores = Mutex<[GroupVersionResource: ResourceStore]>([:])
    private let clock: any ComponentClock
    private let logger: Logger

    public init(
        kv: any KeyValueStore, clock: any ComponentClock = SystemClock(),
        logger: Logger = Logger(label: "apiserver", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.kv = kv
        self.clock = clock
        self.logger = logger
    }

    public func store(for info: ResourceInfo) -> ResourceStore {
        let (store, created) = stores.withLock { stores -> (ResourceStore, Bool) in
            if let existing = stores[info.gvr] { return (existing, false) }
            let store = ResourceStore(info: info, kv: kv, clock: clock, logger: logger)
            stores[info.gvr] = store
            return (store, true)
        }
        if created { Task { await store.cache.start() } }
        return store
    }

    /// Open watches across every cache (for /metrics).
    public func watcherCounts() async -> [(GroupVersionResource, Int)] {
        let all = stores.withLock { Array($0) }
        var counts: [(GroupVersionResource, Int)] = []
        for (gvr, store) in all { counts.append((gvr, await store.cache.watcherCount)) }
        return counts
    }
}
