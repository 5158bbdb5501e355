import Component
import Synchronization

/// Per-key exponential back-off (upstream `flowcontrol.Backoff`), used for crash loops and
/// image pulls: the first failure waits `initial`, each next one twice as long up to `max`;
/// a key untouched for 2 × `max` (a container that ran that long) starts over at `initial`.
public final class Backoff: Sendable {
    struct Entry {
        var duration: Swift.Duration
        var lastUpdate: ContinuousClock.Instant
    }

    private let entries = Mutex([String: Entry]())
    private let clock: any ComponentClock
    public let initial: Swift.Duration
    public let max: Swift.Duration

    public init(initial: Swift.Duration, max: Swift.Duration, clock: any ComponentClock) {
        self.initial = initial
        self.max = max
        self.clock = clock
    }

    /// How long `key` must still wait when its last failure was `elapsed` ago, or nil.
    public func remaining(_ key: String, elapsed: Swift.Duration) -> Swift.Duration? {
        let now = clock.now
        return entries.withLock { entries in
            guard let entry = entries[key], now - entry.lastUpdate <= max * 2 else { return nil }
            let left = entry.duration - elapsed
            return left > .zero ? left : nil
        }
    }

    /// Records one more failure of `key` and returns the wait before the next attempt.
    @discardableResult
    public func next(_ key: String) -> Swift.Duration {
        let now = clock.now
        return entries.withLock { entries in
            if var entry = entries[key], now - entry.lastUpdate <= max * 2 {
                entry.duration = min(entry.duration * 2, max)
                entry.lastUpdate = now
                entries[key] = entry
                return entry.duration
            }
            entries[key] = Entry(duration: initial, lastUpdate: now)
            return initial
        }
    }

    /// The current wait of `key` (nil when it has none).
    public func current(_ key: String) -> Swift.Duration? { entries.withLock { $0[key]?.duration } }

    /// Drops `key` (its pod is gone).
    public func reset(_ key: String) { _ = entries.withLock { $0.removeValue(forKey: key) } }

    /// Drops every key starting with `prefix`.
    public func reset(prefix: String) {
        entries.withLock { entries in entries = entries.filter { !$0.key.hasPrefix(prefix) } }
    }
}
