import APIMachinery
import Component
import Logging
import Foundation

/// The apiserver's in-memory copy of one resource, fed by one store watch.
///
/// Contract: after `start()`, the cache lists the prefix and then applies every store event in
/// revision order. Lists are served from `objects` at `revision`; watches replay the window of
/// recent events (every change with revision > `windowStart` is in `events`), then get each
/// new change as it is applied. A watch from before the window is `CacheError.tooOld` (410).
/// When the store watch must be re-established from a fresh list (history compacted), every
/// watcher is ended: clients re-watch from their last revision and learn whether it is gone.
public actor WatchCache {
    public let resource: ResourceInfo
    public let prefix: String
    private let store: any KeyValueStore
    private let capacity: Int
    private let bookmarkInterval: Swift.Duration
    /// Times bookmarks, relist back-off and `waitFor` timeouts.
    private let clock: any ComponentClock
    private let logger: Logger

    private var objects: [String: CachedObject] = [:]
    private var sortedKeys: [String]?
    private var events: [CacheEvent] = []
    private var eventsHead = 0
    /// Revision up to which the cache has applied everything.
    public private(set) var revision: Int64 = 0
    /// Events with revision > windowStart are all in `events`.
    private var windowStart: Int64 = 0
    private var ready = false
    private var readyWaiters: [CheckedContinuation<Void, Never>] = []
    private var revisionWaiters: [(revision: Int64, id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextID = 0
    private var watchers: [Int: Watcher] = [:]
    private var storeWatch: StoreWatch?
    private var loop: Task<Void, Never>?

    private struct Watcher {
        var filter: ObjectFilter
        var bookmarks: Bool
        var buffer: WatchBuffer
    }

    public init(
        resource: ResourceInfo, prefix: String, store: any KeyValueStore, capacity: Int = 10_000,
        bookmarkInterval: Swift.Duration = .seconds(30), clock: any ComponentClock = SystemClock(),
        logger: Logger = Logger(label: "apiserver", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.clock = clock
        self.logger = logger
        self.resource = resource
        self.prefix = prefix
        self.store = store
        self.capacity = capacity
        self.bookmarkInterval = bookmarkInterval
    }

    /// Starts listing and watching; returns at once.
    public func start() {
        guard loop == nil else { return }
        loop = Task { await self.run() }
        let interval = bookmarkInterval
        let clock = clock
        Task { [weak self] in
            while !Task.isCancelled {
                do { try await clock.sleep(for: interval) } catch { return }  // the cache stopped
                guard let self else { return }
                await self.sendBookmarks()
            }
        }
    }

    public func stop() {
        loop?.cancel()
        storeWatch?.cancel()
        for watcher in watchers.values { watcher.buffer.close() }
        watchers.removeAll()
    }

    // MARK: feeding

    private func run() async {
        var backoff: Swift.Duration = .milliseconds(100)
        var needList = true
        while !Task.isCancelled {
            do {
                if needList {
                    try await relist()
                    needList = false
                }
                let watch = store.watch(prefix: prefix, fromRevision: revision + 1)
                storeWatch = watch
                for try await batch in watch.events {
                    apply(batch)
                    backoff = .milliseconds(100)
                }
            } catch StoreError.compacted {
                logger.info("watch cache: the store compacted past the cache's revision; listing again", metadata: ["resource": "\(resource.gvr)", "revision": "\(revision)"])
                needList = true
            } catch is CancellationError {
                return
            } catch {
                // Store unreachable: try again, keeping the cache (its events stay valid).
                logger.warning("watch cache: store watch failed; retrying", metadata: ["resource": "\(resource.gvr)", "error": "\(error)", "backoff": "\(backoff)"])
            }
            storeWatch?.cancel()
            storeWatch = nil
            do { try await clock.sleep(for: backoff) } catch { return }  // the cache stopped
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    private func relist() async throws {
        let (values, listRevision, _) = try await store.list(prefix: prefix, from: nil, revision: 0, limit: 0)
        var fresh: [String: CachedObject] = [:]
        for value in values {
            if let object = decode(value) { fresh[value.key] = object }
        }
        if ready {
            // A relist after the history we followed was compacted: the window restarts here.
            for watcher in watchers.values { watcher.buffer.close() }
            watchers.removeAll()
        }
        objects = fresh
        sortedKeys = nil
        events.removeAll()
        eventsHead = 0
        revision = listRevision
        windowStart = listRevision
        ready = true
        for waiter in readyWaiters { waiter.resume() }
        readyWaiters.removeAll()
        wakeRevisionWaiters()
    }

    private func apply(_ batch: [StoreEvent]) {
        for event in batch {
            switch event {
            case .progress(let at):
                revision = max(revision, at)
            case .put(let value, _):
                if let held = objects[value.key], held.resourceVersion >= value.modRevision { continue }
                guard let object = decode(value) else {
                    revision = max(revision, value.modRevision)
                    continue
                }
                let previous = objects[value.key]
                if previous == nil { sortedKeys = nil }
                objects[value.key] = object
                record(CacheEvent(type: previous == nil ? .added : .modified, object: object, previous: previous))
                revision = max(revision, value.modRevision)
            case .delete(let key, let at, _):
                guard var last = objects.removeValue(forKey: key) else {
                    revision = max(revision, at)
                    continue
                }
                sortedKeys = nil
                let previous = last
                last = Self.withRevision(last, at)
                record(CacheEvent(type: .deleted, object: last, previous: previous))
                revision = max(revision, at)
            }
        }
        wakeRevisionWaiters()
    }

    /// The cached form of a stored value, or nil (logged) when its bytes do not decode: one
    /// corrupt object must not stop the cache of its whole resource.
    private func decode(_ value: StoredValue) -> CachedObject? {
        do {
            return try CachedObject(key: value.key, stored: value.value, revision: value.modRevision, resource: resource)
        } catch {
            logger.error("watch cache: skipping an object that does not decode", metadata: ["key": "\(value.key)", "revision": "\(value.modRevision)", "error": "\(error)"])
            return nil
        }
    }

    /// The object's last state re-stamped with the revision of its deletion (as Kubernetes does).
    /// `object.json` is this process's own encoding of an object, so it always parses.
    private static func withRevision(_ object: CachedObject, _ revision: Int64) -> CachedObject {
        guard case .object(var tree)? = try? object.tree(),
            case .object(var metadata)? = tree["metadata"]
        else { return object }
        metadata["resourceVersion"] = .string(String(revision))
        tree["metadata"] = .object(metadata)
        var copy = object
        copy.resourceVersion = revision
        copy.json = JSONCodec.encode(JSONValue.object(tree))
        return copy
    }

    private func record(_ event: CacheEvent) {
        if events.count - eventsHead >= capacity {
            windowStart = events[eventsHead].revision
            eventsHead += 1
            if eventsHead > capacity {
                events.removeFirst(eventsHead)
                eventsHead = 0
            }
        }
        events.append(event)
        dispatch(event)
    }

    private func dispatch(_ event: CacheEvent) {
        var slow: [Int] = []
        for (id, watcher) in watchers {
            guard let item = Self.item(for: event, filter: watcher.filter) else { continue }
            if !watcher.buffer.append(item) { slow.append(id) }
        }
        for id in slow {
            // A watcher that cannot keep up is ended; it re-watches from its last revision.
            watchers.removeValue(forKey: id)?.buffer.close()
        }
    }

    /// What a watcher with `filter` sees of `event`: the event itself while the object matches;
    /// ADDED when it starts matching; DELETED with the last state it could see (at this event's
    /// revision, as Kubernetes) when it stops matching; nothing otherwise.
    static func item(for event: CacheEvent, filter: ObjectFilter) -> WatchItem? {
        let now = filter.matches(event.object)
        let before = event.previous.map(filter.matches) ?? false
        switch (event.type, before, now) {
        case (.deleted, _, true), (_, true, true), (.added, _, true):
            return .event(type: event.type, object: event.object, frame: event.frame)
        case (.deleted, _, false): return nil
        case (_, false, true): return .event(type: .added, object: event.object, frame: nil)
        case (_, true, false):
            return .event(type: .deleted, object: withRevision(event.previous ?? event.object, event.revision), frame: nil)
        default: return nil
        }
    }

    private func sendBookmarks() {
        guard ready else { return }
        for watcher in watchers.values where watcher.bookmarks {
            watcher.buffer.append(.bookmark(revision: revision, initialEventsEnd: false))
        }
    }

    // MARK: reads

    private func waitReady() async {
        if ready { return }
        await withCheckedContinuation { readyWaiters.append($0) }
    }

    /// Waits until the cache has applied everything up to `target`, asking the store for a
    /// progress notification; `CacheError.tooLarge` after `timeout`.
    public func waitFor(revision target: Int64, timeout: Swift.Duration = .seconds(3)) async throws {
        await waitReady()
        if revision >= target { return }
        storeWatch?.requestProgress()
        let id = nextID
        nextID += 1
        let clock = clock
        let timer = Task { [weak self] in
            do { try await clock.sleep(for: timeout) } catch { return }  // the revision came first
            await self?.expireWaiter(id)
        }
        let reached = await withCheckedContinuation { continuation in
            revisionWaiters.append((target, id, continuation))
        }
        timer.cancel()
        if !reached { throw CacheError.tooLarge(requested: target, current: revision) }
    }

    private func expireWaiter(_ id: Int) {
        guard let index = revisionWaiters.firstIndex(where: { $0.id == id }) else { return }
        revisionWaiters.remove(at: index).continuation.resume(returning: false)
    }

    private func wakeRevisionWaiters() {
        guard !revisionWaiters.isEmpty else { return }
        var waiting: [(revision: Int64, id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
        for waiter in revisionWaiters {
            if waiter.revision <= revision { waiter.continuation.resume(returning: true) } else { waiting.append(waiter) }
        }
        revisionWaiters = waiting
    }

    /// The matching objects in key order and the revision they are current at.
    public func list(_ filter: ObjectFilter) async -> (items: [CachedObject], revision: Int64) {
        await waitReady()
        return listNow(filter)
    }

    private func listNow(_ filter: ObjectFilter) -> (items: [CachedObject], revision: Int64) {
        if sortedKeys == nil { sortedKeys = objects.keys.sorted() }
        var items: [CachedObject] = []
        if let name = filter.name {
            if let namespace = filter.namespace {
                if let object = objects[prefix + namespace + "/" + name], filter.matches(object) { items.append(object) }
                return (items, revision)
            }
        }
        let scope = filter.namespace.map { prefix + $0 + "/" } ?? prefix
        for key in sortedKeys ?? [] where key.hasPrefix(scope) {
            if let object = objects[key], filter.matches(object) { items.append(object) }
        }
        return (items, revision)
    }

    /// The object at `key`, if the cache holds it.
    public func get(_ key: String) async -> CachedObject? {
        await waitReady()
        return objects[key]
    }

    /// Starts a watch. `from` nil: first an ADDED for every matching object (the current
    /// state), then changes; otherwise the changes after revision `from`. With `initialEventsEnd`,
    /// a bookmark annotated as the end of the initial events follows them.
    public func watch(
        from: Int64?, filter: ObjectFilter, bookmarks: Bool, initialEventsEnd: Bool, buffer: Int = 20_000
    ) async throws -> (stream: WatchBuffer, id: Int) {
        await waitReady()
        let initial = from == nil || from == 0 ? listNow(filter).items : []
        let stream = WatchBuffer(capacity: buffer + initial.count)
        if let from, from != 0 {
            if from < windowStart { throw CacheError.tooOld(requested: from, oldest: windowStart + 1) }
            for event in events[eventsHead...] where event.revision > from {
                if let item = Self.item(for: event, filter: filter) { stream.append(item) }
            }
        } else {
            for object in initial { stream.append(.event(type: .added, object: object, frame: nil)) }
            if initialEventsEnd { stream.append(.bookmark(revision: revision, initialEventsEnd: true)) }
        }
        let id = nextID
        nextID += 1
        watchers[id] = Watcher(filter: filter, bookmarks: bookmarks, buffer: stream)
        stream.setOnClose { [weak self] in
            Task { await self?.removeWatcher(id) }
        }
        return (stream, id)
    }

    private func removeWatcher(_ id: Int) {
        watchers.removeValue(forKey: id)
    }

    /// Number of open watches (for /metrics).
    public var watcherCount: Int { watchers.count }
}
