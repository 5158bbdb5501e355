import Component
import Synchronization

/// Keeps a `ReflectorStore` equal to a server-side collection (client-go `Reflector`).
///
/// Contract:
/// - It lists, replaces the store's contents with the list, then watches from the list's
///   resourceVersion, applying each event to the store in order.
/// - When a watch stream ends (a disconnect), it watches again from the last resourceVersion it
///   saw (events and bookmarks advance it) without listing: the store goes through every
///   state the server sent once, none repeated, none skipped.
/// - When the server answers `ReflectorError.expired` (410) — to the watch request or inside
///   the stream — it lists again; the store's `replace` then reconciles objects that changed or
///   vanished in between.
/// - Other errors are retried, a list by listing and a watch by watching from the same
///   resourceVersion, after a back-off delay (`ReflectorBackoff`) slept on the injected clock.
///   A failure is an error, a 410 answered without any event first, or a watch that closed
///   with no event within `minimumWatchDuration`. A healthy watch resets the back-off.
/// - With a non-zero `resyncPeriod`, every period (on the clock) it calls the store's
///   `resync`, which re-delivers the cached objects to handlers; the server is not contacted.
/// - `run()` does all this until its task is cancelled.
public final class Reflector<Object: InformerObject>: Sendable {
    private let source: any ListWatchSource<Object>
    private let store: any ReflectorStore<Object>
    private let clock: any ComponentClock
    /// Retry and resync settings.
    public let options: ReflectorOptions
    private let lastSync = Mutex("")

    public init(
        source: some ListWatchSource<Object>,
        store: some ReflectorStore<Object>,
        options: ReflectorOptions = ReflectorOptions(),
        clock: any ComponentClock = SystemClock()
    ) {
        self.source = source
        self.store = store
        self.options = options
        self.clock = clock
    }

    /// The resourceVersion the store is known to reflect: of the last list, event or bookmark
    /// applied ("" before the first list).
    public var lastSyncResourceVersion: String { lastSync.withLock { $0 } }

    /// Lists and watches (and resyncs) until the calling task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            if options.resyncPeriod > .zero {
                group.addTask { await self.resyncLoop() }
            }
            await self.listAndWatchLoop()
            group.cancelAll()
        }
    }

    // MARK: - List and watch

    private func listAndWatchLoop() async {
        var schedule = ReflectorSchedule(
            backoff: options.backoff, minimumWatchDuration: options.minimumWatchDuration)
        var step = ReflectorSchedule.Step.list
        var resourceVersion = ""
        while !Task.isCancelled {
            let decision: ReflectorSchedule.Decision
            switch step {
            case .list:
                do {
                    let (items, listVersion) = try await source.list()
                    if Task.isCancelled { return }
                    store.replace(with: items, resourceVersion: listVersion)
                    resourceVersion = listVersion
                    record(listVersion)
                    decision = schedule.listSucceeded()
                } catch {
                    if Task.isCancelled { return }
                    options.onError?(error)
                    decision = schedule.listFailed()
                }
            case .watch:
                decision = await watchOnce(from: &resourceVersion, schedule: &schedule)
            }
            if Task.isCancelled { return }
            step = decision.next
            if decision.delay > .zero {
                do {
                    try await clock.sleep(until: clock.now.advanced(by: decision.delay))
                } catch {
                    return
                }
            }
        }
    }

    /// Opens one watch and applies its events until it ends; advances `resourceVersion`.
    private func watchOnce(
        from resourceVersion: inout String, schedule: inout ReflectorSchedule
    ) async -> ReflectorSchedule.Decision {
        let opened = clock.now
        let stream: AsyncThrowingStream<WatchEvent<Object>, any Error>
        do {
            stream = try await source.watch(from: resourceVersion)
        } catch {
            if !Task.isCancelled { options.onError?(error) }
            return schedule.watchFailedToOpen(expired: Self.isExpired(error))
        }
        var events = 0
        var ending = ReflectorSchedule.WatchEnding.closed
        do {
            for try await event in stream {
                store.apply(event)
                let version = event.resourceVersion
                if !version.isEmpty {
                    resourceVersion = version
                    record(version)
                }
                events += 1
            }
        } catch {
            ending = Self.isExpired(error) ? .expired : .failed
            if !Task.isCancelled { options.onError?(error) }
        }
        return schedule.watchEnded(events: events, lasted: opened.duration(to: clock.now), ending: ending)
    }

    private func record(_ resourceVersion: String) {
        lastSync.withLock { $0 = resourceVersion }
    }

    private static func isExpired(_ error: any Error) -> Bool {
        (error as? ReflectorError) == .expired
    }

    // MARK: - Resync

    private func resyncLoop() async {
        while true {
            do {
                try await clock.sleep(until: clock.now.advanced(by: options.resyncPeriod))
            } catch {
                return
            }
            if Task.isCancelled { return }
            store.resync()
        }
    }
}
