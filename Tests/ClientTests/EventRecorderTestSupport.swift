import Component
import APIMachinery
import Synchronization
@testable import Client

/// An in-memory events API: Events by namespace/name with integer resourceVersions, a log of
/// calls, and scripted failures for the next calls.
final class EventTestSink: EventSink {
    enum Call: Sendable, Equatable {
        case create(CoreV1.Event)
        case patch(CoreV1.Event, EventPatch)

        var event: CoreV1.Event {
            switch self {
            case .create(let e), .patch(let e, _): e
            }
        }
    }

    private struct State {
        var stored: [String: CoreV1.Event] = [:]
        var version = 0
        var calls: [Call] = []
        var failures: [any Error] = []
    }

    private let state = Mutex(State())

    var calls: [Call] { state.withLock { $0.calls } }
    var stored: [CoreV1.Event] { state.withLock { $0.stored.values.sorted { ($0.metadata?.name ?? "") < ($1.metadata?.name ?? "") } } }

    /// The next calls throw these errors, in order.
    func fail(with errors: [any Error]) { state.withLock { $0.failures += errors } }

    /// Deletes every stored Event (as if they had expired).
    func expireAll() { state.withLock { $0.stored.removeAll() } }

    func create(_ event: CoreV1.Event) async throws -> CoreV1.Event {
        try state.withLock { s in
            s.calls.append(.create(event))
            if !s.failures.isEmpty { throw s.failures.removeFirst() }
            let key = Self.key(event)
            guard s.stored[key] == nil else { throw EventSinkError.rejected("AlreadyExists") }
            guard event.metadata?.resourceVersion == nil else { throw EventSinkError.rejected("resourceVersion set on create") }
            s.version += 1
            var stored = event
            stored.metadata?.resourceVersion = String(s.version)
            s.stored[key] = stored
            return stored
        }
    }

    func patch(_ event: CoreV1.Event, with patch: EventPatch) async throws -> CoreV1.Event {
        try state.withLock { s in
            s.calls.append(.patch(event, patch))
            if !s.failures.isEmpty { throw s.failures.removeFirst() }
            let key = Self.key(event)
            guard var stored = s.stored[key] else { throw EventSinkError.notFound }
            s.version += 1
            stored.count = patch.count
            stored.lastTimestamp = patch.lastTimestamp
            stored.message = patch.message
            stored.metadata?.resourceVersion = String(s.version)
            s.stored[key] = stored
            return stored
        }
    }

    private static func key(_ event: CoreV1.Event) -> String {
        "\(event.metadata?.namespace ?? "")/\(event.metadata?.name ?? "")"
    }
}

struct EventTestTransportError: Error {}

enum EventTestObjects {
    /// 2024-01-02T03:04:05.123456789Z
    static let wallStart = WallTime(nanosecondsSinceEpoch: 1_704_164_645_123_456_789)

    static func pod(_ name: String = "web-0", namespace: String = "team-a") -> CoreV1.ObjectReference {
        CoreV1.ObjectReference(kind: "Pod", apiVersion: "v1", name: name, namespace: namespace, uid: "uid-\(name)")
    }

    /// An event as `EventRecorder` makes it, at `now`.
    static func event(
        _ object: CoreV1.ObjectReference = pod(),
        type: EventType = .normal,
        reason: String = "Scheduled",
        message: String = "assigned",
        at now: WallTime = wallStart
    ) -> CoreV1.Event {
        let recorder = EventRecorder(sink: EventTestSink(), component: "default-scheduler", host: "node-1")
        return recorder.makeEvent(regarding: object, type: type, reason: reason, message: message, at: now)
    }
}

extension EventRecorder {
    /// Yields until `run()` has finished with `count` events (no sleeping).
    func yield(untilProcessed count: Int) async {
        while processedCount < count { await Task.yield() }
    }
}
