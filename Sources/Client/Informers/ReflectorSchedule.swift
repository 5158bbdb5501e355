/// The reflector's retry decisions as a plain value: given how the last step went, what to do
/// next (list or watch) and how long to wait first. The `Reflector` carries them out.
///
/// A failure increments the consecutive-failure count and waits the back-off delay for it.
/// A healthy watch (one that delivered an event, or stayed open `minimumWatchDuration`) resets
/// the count; a successful list does not, so list → watch 410 → list loops still back off.
struct ReflectorSchedule: Sendable {
    enum Step: Sendable, Equatable {
        case list
        case watch
    }

    /// How a watch stream ended.
    enum WatchEnding: Sendable, Equatable {
        /// Finished without error: a disconnect or a server-side timeout.
        case closed
        /// Threw `ReflectorError.expired`.
        case expired
        /// Threw anything else.
        case failed
    }

    struct Decision: Sendable, Equatable {
        var next: Step
        var delay: Duration
    }

    let backoff: ReflectorBackoff
    let minimumWatchDuration: Duration
    private(set) var consecutiveFailures = 0

    init(backoff: ReflectorBackoff, minimumWatchDuration: Duration) {
        self.backoff = backoff
        self.minimumWatchDuration = minimumWatchDuration
    }

    mutating func listSucceeded() -> Decision {
        Decision(next: .watch, delay: .zero)
    }

    mutating func listFailed() -> Decision {
        failure(then: .list)
    }

    /// `watch(from:)` threw before any stream existed.
    mutating func watchFailedToOpen(expired: Bool) -> Decision {
        failure(then: expired ? .list : .watch)
    }

    /// A stream ended after delivering `events` events over `lasted`.
    mutating func watchEnded(events: Int, lasted: Duration, ending: WatchEnding) -> Decision {
        let healthy = events > 0 || lasted >= minimumWatchDuration
        if healthy { consecutiveFailures = 0 }
        switch ending {
        case .closed:
            return healthy ? Decision(next: .watch, delay: .zero) : failure(then: .watch)
        case .expired:
            return healthy ? Decision(next: .list, delay: .zero) : failure(then: .list)
        case .failed:
            return failure(then: .watch)
        }
    }

    private mutating func failure(then next: Step) -> Decision {
        consecutiveFailures += 1
        return Decision(next: next, delay: backoff.delay(afterFailures: consecutiveFailures))
    }
}
