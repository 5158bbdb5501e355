import APIMachinery
import Client
import Synchronization
@testable import Controllers

/// An `EventEmitter` that keeps every event it is given, in order.
final class RecordingEvents: EventEmitter {
    struct Event: Equatable, Sendable {
        var object: CoreV1.ObjectReference
        var type: EventType
        var reason: String
        var message: String
    }

    private let events = Mutex<[Event]>([])

    func event(regarding object: CoreV1.ObjectReference, type: EventType, reason: String, message: String) {
        events.withLock { $0.append(Event(object: object, type: type, reason: reason, message: message)) }
    }

    var all: [Event] { events.withLock { $0 } }

    /// The events with `reason`.
    func with(reason: String) -> [Event] { all.filter { $0.reason == reason } }

    /// How many events had each reason.
    var reasonCounts: [String: Int] { all.reduce(into: [:]) { $0[$1.reason, default: 0] += 1 } }
}
