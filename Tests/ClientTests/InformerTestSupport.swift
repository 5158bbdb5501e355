import Client
import Synchronization
import Testing

// MARK: - Objects

/// A minimal namespaced object for informer tests.
struct InformerTestObject: LabeledInformerObject, Hashable, CustomStringConvertible {
    var namespace: String
    var name: String
    var resourceVersion: String = ""
    var labels: [String: String] = [:]
    var value: Int = 0

    var objectNamespace: String { namespace }
    var objectName: String { name }
    var objectResourceVersion: String { resourceVersion }
    var objectLabels: [String: String] { labels }

    var description: String { "\(objectKey)@\(resourceVersion)" }
}

enum InformerTestError: Error, Equatable {
    case boom
}

// MARK: - Fake apiserver collection

/// An in-memory collection with apiserver watch semantics: integer resourceVersions, a history
/// of events to resume watches from, compaction (watches from before it get 410), and levers
/// to drop connections, send bookmarks and fail calls.
final class InformerFakeSource: ListWatchSource, Sendable {
    typealias Object = InformerTestObject
    typealias Stream = AsyncThrowingStream<WatchEvent<InformerTestObject>, any Error>

    private struct Waiter {
        let watchCalls: Int
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var objects: [String: InformerTestObject] = [:]
        var resourceVersion = 1
        var history: [(resourceVersion: Int, event: WatchEvent<InformerTestObject>)] = []
        /// Watches from a version older than this answer 410.
        var oldestWatchable = 0
        var streams: [Stream.Continuation] = []
        var listCalls = 0
        var watchCalls: [String] = []
        var listFailures: [any Error] = []
        var watchFailures: [any Error] = []
        var waiters: [Waiter] = []
    }

    private let state = Mutex(State())

    init(_ objects: [InformerTestObject] = []) {
        for object in objects { create(object) }
    }

    // MARK: ListWatchSource

    func list() async throws -> (items: [InformerTestObject], resourceVersion: String) {
        let result = state.withLock { state -> Result<([InformerTestObject], String), any Error> in
            state.listCalls += 1
            if !state.listFailures.isEmpty { return .failure(state.listFailures.removeFirst()) }
            let items = state.objects.values.sorted { $0.objectKey < $1.objectKey }
            return .success((items, String(state.resourceVersion)))
        }
        let (items, version) = try result.get()
        return (items, version)
    }

    func watch(from resourceVersion: String) async throws -> Stream {
        typealias Outcome = (Result<Stream, any Error>, [CheckedContinuation<Void, Never>])
        let (result, ready) = state.withLock { state -> Outcome in
            state.watchCalls.append(resourceVersion)
            let ready = state.waiters.filter { $0.watchCalls <= state.watchCalls.count }.map(\.continuation)
            state.waiters.removeAll { $0.watchCalls <= state.watchCalls.count }
            if !state.watchFailures.isEmpty { return (.failure(state.watchFailures.removeFirst()), ready) }
            guard let from = Int(resourceVersion), from >= state.oldestWatchable else {
                return (.failure(ReflectorError.expired), ready)
            }
            let (stream, continuation) = Stream.makeStream()
            for entry in state.history where entry.resourceVersion > from { continuation.yield(entry.event) }
            state.streams.append(continuation)
            return (.success(stream), ready)
        }
        for continuation in ready { continuation.resume() }
        return try result.get()
    }

    // MARK: Server-side changes (delivered to open watches and kept in history)

    @discardableResult
    func create(_ object: InformerTestObject) -> InformerTestObject {
        change { state in
            var object = object
            state.resourceVersion += 1
            object.resourceVersion = String(state.resourceVersion)
            state.objects[object.objectKey] = object
            return .added(object)
        }
    }

    @discardableResult
    func update(_ key: String, _ edit: (inout InformerTestObject) -> Void = { $0.value += 1 }) -> InformerTestObject {
        change { state in
            guard var object = state.objects[key] else { preconditionFailure("no object \(key)") }
            edit(&object)
            state.resourceVersion += 1
            object.resourceVersion = String(state.resourceVersion)
            state.objects[key] = object
            return .modified(object)
        }
    }

    @discardableResult
    func delete(_ key: String) -> InformerTestObject {
        change { state in
            guard var object = state.objects.removeValue(forKey: key) else { preconditionFailure("no object \(key)") }
            state.resourceVersion += 1
            object.resourceVersion = String(state.resourceVersion)
            return .deleted(object)
        }
    }

    private func change(
        _ body: (inout State) -> WatchEvent<InformerTestObject>
    ) -> InformerTestObject {
        state.withLock { state in
            let event = body(&state)
            state.history.append((state.resourceVersion, event))
            for stream in state.streams { stream.yield(event) }
            switch event {
            case .added(let object), .modified(let object), .deleted(let object): return object
            case .bookmark: preconditionFailure("not a change")
            }
        }
    }

    // MARK: Levers

    /// Writes to other collections: the version moves on with no event for this one.
    func advanceResourceVersion(by count: Int) {
        state.withLock { $0.resourceVersion += count }
    }

    /// Sends a bookmark at the current version to every open watch.
    func bookmark() {
        state.withLock { state in
            for stream in state.streams { stream.yield(.bookmark(resourceVersion: String(state.resourceVersion))) }
        }
    }

    /// Closes every open watch cleanly (a dropped connection).
    func disconnect() {
        state.withLock { state in
            for stream in state.streams { stream.finish() }
            state.streams = []
        }
    }

    /// Forgets history: watches from before the current version now answer 410.
    func compact() {
        state.withLock { state in
            state.history = []
            state.oldestWatchable = state.resourceVersion
        }
    }

    /// Applies `changes` without telling anyone (their events are compacted away), then ends
    /// every open watch with 410.
    func expire(_ changes: (InformerFakeSource.SilentEditor) -> Void) {
        changes(SilentEditor(source: self))
        state.withLock { state in
            state.history = []
            state.oldestWatchable = state.resourceVersion
            for stream in state.streams { stream.finish(throwing: ReflectorError.expired) }
            state.streams = []
        }
    }

    /// Changes made while nobody watches and compacted before anyone could.
    struct SilentEditor {
        let source: InformerFakeSource

        func create(_ object: InformerTestObject) {
            source.state.withLock { state in
                var object = object
                state.resourceVersion += 1
                object.resourceVersion = String(state.resourceVersion)
                state.objects[object.objectKey] = object
            }
        }

        func delete(_ key: String) {
            source.state.withLock { state in
                state.resourceVersion += 1
                state.objects[key] = nil
            }
        }
    }

    func failNextLists(_ errors: [any Error]) {
        state.withLock { $0.listFailures += errors }
    }

    func failNextWatches(_ errors: [any Error]) {
        state.withLock { $0.watchFailures += errors }
    }

    // MARK: Observations

    var listCalls: Int { state.withLock { $0.listCalls } }
    var watchCalls: [String] { state.withLock { $0.watchCalls } }
    var resourceVersion: String { state.withLock { String($0.resourceVersion) } }

    /// Suspends until `watch` has been called `count` times in all.
    func waitForWatchCalls(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.watchCalls.count >= count { return true }
                state.waiters.append(Waiter(watchCalls: count, continuation: continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}

/// A source whose list is fixed and whose watches stay open, silent, until cancelled.
final class InformerStaticSource<Object: Sendable>: ListWatchSource, Sendable {
    private let items: [Object]
    private let open = Mutex<[AsyncThrowingStream<WatchEvent<Object>, any Error>.Continuation]>([])

    init(_ items: [Object]) { self.items = items }

    func list() async throws -> (items: [Object], resourceVersion: String) { (items, "1") }

    func watch(from resourceVersion: String) async throws -> AsyncThrowingStream<WatchEvent<Object>, any Error> {
        let (stream, continuation) = AsyncThrowingStream<WatchEvent<Object>, any Error>.makeStream()
        open.withLock { $0.append(continuation) }
        return stream
    }
}

// MARK: - Recording handlers

/// Collects what handlers receive as lines like `add ns/a@2`, `update ns/a@2->5`,
/// `delete ns/b@3 tombstone`, and lets a test wait for a number of lines.
final class InformerEventLog: Sendable {
    private struct Waiter {
        let count: Int
        let continuation: CheckedContinuation<[String], Never>
    }

    private let state = Mutex<(lines: [String], deletes: [DeletedObject<InformerTestObject>], waiters: [Waiter])>(
        ([], [], []))

    var lines: [String] { state.withLock { $0.lines } }
    var deletes: [DeletedObject<InformerTestObject>] { state.withLock { $0.deletes } }

    func append(_ line: String) {
        let ready = state.withLock { state -> [(CheckedContinuation<[String], Never>, [String])] in
            state.lines.append(line)
            let lines = state.lines
            let ready = state.waiters.filter { $0.count <= lines.count }
            state.waiters.removeAll { $0.count <= lines.count }
            return ready.map { ($0.continuation, Array(lines.prefix($0.count))) }
        }
        for (continuation, lines) in ready { continuation.resume(returning: lines) }
    }

    /// The first `count` lines, once there are that many.
    func first(_ count: Int) async -> [String] {
        await withCheckedContinuation { (continuation: CheckedContinuation<[String], Never>) in
            let lines = state.withLock { state -> [String]? in
                if state.lines.count >= count { return Array(state.lines.prefix(count)) }
                state.waiters.append(Waiter(count: count, continuation: continuation))
                return nil
            }
            if let lines { continuation.resume(returning: lines) }
        }
    }

    /// A handler appending `prefix` + the line for each notification.
    func handler(prefix: String = "") -> ResourceEventHandler<InformerTestObject> {
        ResourceEventHandler(
            onAdd: { self.append(prefix + "add \($0)") },
            onUpdate: { old, new in self.append(prefix + "update \(old)->\(new.resourceVersion)") },
            onDelete: { deleted in
                self.state.withLock { $0.deletes.append(deleted) }
                self.append(prefix + "delete \(deleted.object)" + (deleted.isTombstone ? " tombstone" : ""))
            })
    }
}

/// A one-shot barrier: `wait()` suspends until `open()`.
final class InformerGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let open = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

// MARK: - Running

/// Runs `informer` while `body` executes, then cancels it and waits for `run()` to return.
func withRunningInformer<Object>(
    _ informer: SharedInformer<Object>, _ body: () async throws -> Void
) async rethrows {
    let task = Task { await informer.run() }
    do {
        try await body()
    } catch {
        task.cancel()
        await task.value
        throw error
    }
    task.cancel()
    await task.value
}

func testObject(_ name: String, namespace: String = "ns", labels: [String: String] = [:]) -> InformerTestObject {
    InformerTestObject(namespace: namespace, name: name, labels: labels)
}
