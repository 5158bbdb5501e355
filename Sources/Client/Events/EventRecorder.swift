import Component
import APIMachinery
import Synchronization

/// Records core/v1 Events about objects on behalf of one component, like client-go's
/// `record.EventRecorder` with its broadcaster writing to a sink.
///
/// Contract:
/// - `event(regarding:type:reason:message:)` never blocks and never fails the caller: it stamps
///   the event with the wall time, names it `<object name>.<hex unix nanoseconds>`, puts it in the
///   involved object's namespace (`default` for cluster-scoped objects), and appends it to a
///   bounded buffer (1000 events). When the buffer is full the event is dropped and counted in
///   `droppedCount`, as client-go drops when its queue is full.
/// - `run()` is the single consumer: it takes events in order, passes each through an
///   `EventCorrelator` (aggregation, de-duplication, spam filter) and writes the result to the
///   sink — a create, or a patch of the existing Event for a repeat (falling back to create if
///   that Event is gone). Writes failing with a transport error are retried up to `maxTries`
///   times, the first retry after a random fraction of `retryInterval`, then every
///   `retryInterval`; writes the apiserver rejects are abandoned.
/// - `shutDown()` stops accepting events; `run()` then writes what is buffered, each with a
///   single try (an event already waiting for a retry gets that one last try), and returns.
///   Cancelling `run()` stops it at once and ends the recorder: later events are dropped.
public final class EventRecorder: Sendable {
    public static let defaultBufferSize = 1000

    private struct Stats {
        var dropped = 0
        var processed = 0
        var running = false
        var shutDown = false
    }

    /// Written as each event's `source`, `reportingComponent` and `reportingInstance`.
    public let source: CoreV1.EventSource
    /// Events the buffer holds before new ones are dropped.
    public let bufferSize: Int
    public let maxTries: Int
    public let retryInterval: Swift.Duration
    private let sink: any EventSink
    private let clock: any ComponentClock
    private let random: @Sendable () -> Double
    private let correlatorOptions: EventCorrelator.Options
    private let events: AsyncStream<CoreV1.Event>
    private let input: AsyncStream<CoreV1.Event>.Continuation
    private let stats = Mutex(Stats())

    /// - Parameters:
    ///   - component: the reporting component (`default-scheduler`, `kubelet`, …).
    ///   - host: the node the component runs on, if any.
    ///   - clock: times retry delays; its wall time stamps events and drives the correlator.
    ///   - random: a value in `0..<1` scaling the first retry delay.
    public init(
        sink: any EventSink,
        component: String,
        host: String? = nil,
        clock: any ComponentClock = SystemClock(),
        bufferSize: Int = EventRecorder.defaultBufferSize,
        correlatorOptions: EventCorrelator.Options = EventCorrelator.Options(),
        maxTries: Int = 12,
        retryInterval: Swift.Duration = .seconds(10),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        precondition(bufferSize > 0 && maxTries > 0, "buffer size and tries must be positive")
        self.sink = sink
        source = CoreV1.EventSource(component: component, host: host)
        self.clock = clock
        self.bufferSize = bufferSize
        self.correlatorOptions = correlatorOptions
        self.maxTries = maxTries
        self.retryInterval = retryInterval
        self.random = random
        (events, input) = AsyncStream.makeStream(of: CoreV1.Event.self, bufferingPolicy: .bufferingOldest(bufferSize))
    }

    deinit { input.finish() }

    /// Events dropped because the buffer was full (or the recorder shut down).
    public var droppedCount: Int { stats.withLock { $0.dropped } }

    /// Events `run()` has finished with (written, skipped or abandoned).
    public var processedCount: Int { stats.withLock { $0.processed } }

    // MARK: Recording

    /// Queues an event about `object`; returns false when it was dropped. Never blocks.
    @discardableResult
    public func event(
        regarding object: CoreV1.ObjectReference,
        type: EventType,
        reason: String,
        message: String
    ) -> Bool {
        let event = makeEvent(regarding: object, type: type, reason: reason, message: message, at: clock.wallNow)
        switch input.yield(event) {
        case .enqueued: return true
        case .dropped, .terminated: break
        @unknown default: break
        }
        stats.withLock { $0.dropped += 1 }
        return false
    }

    /// Queues an event about `object` (referenced by kind, name, namespace, uid and
    /// resourceVersion); returns false when it was dropped.
    @discardableResult
    public func event(
        regarding object: some KubernetesObject,
        type: EventType,
        reason: String,
        message: String
    ) -> Bool {
        event(regarding: CoreV1.ObjectReference(referencing: object), type: type, reason: reason, message: message)
    }

    /// The Event recorded for `object` at `now` (client-go's `makeEvent`): count 1, first and last
    /// timestamps `now`, this recorder's source.
    func makeEvent(
        regarding object: CoreV1.ObjectReference,
        type: EventType,
        reason: String,
        message: String,
        at now: WallTime
    ) -> CoreV1.Event {
        let namespace = object.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return CoreV1.Event(
            metadata: MetaV1.ObjectMeta(name: Self.eventName(for: object, at: now), namespace: namespace),
            count: 1,
            firstTimestamp: now.time,
            involvedObject: object,
            lastTimestamp: now.time,
            message: message,
            reason: reason,
            reportingComponent: source.component,
            reportingInstance: source.host,
            source: source,
            type: type.rawValue
        )
    }

    /// `<object name>.<unix nanoseconds in lowercase hex>`, the name Kubernetes gives events.
    static func eventName(for object: CoreV1.ObjectReference, at now: WallTime) -> String {
        "\(object.name ?? "").\(String(now.nanosecondsSinceEpoch, radix: 16))"
    }

    /// Stops accepting events; `run()` writes what is buffered once and returns.
    public func shutDown() {
        stats.withLock { $0.shutDown = true }
        input.finish()
    }

    // MARK: Writing

    /// Writes queued events to the sink until `shutDown()` (after draining) or cancellation.
    /// Only one `run()` may be active.
    public func run() async {
        let started = stats.withLock { s -> Bool in
            guard !s.running else { return false }
            s.running = true
            return true
        }
        precondition(started, "EventRecorder.run is already running")
        defer { stats.withLock { $0.running = false } }
        var correlator = EventCorrelator(options: correlatorOptions)
        for await event in events {
            if Task.isCancelled { break }
            await record(event, &correlator)
            stats.withLock { $0.processed += 1 }
        }
    }

    private func record(_ event: CoreV1.Event, _ correlator: inout EventCorrelator) async {
        let (toWrite, patch, key): (CoreV1.Event, EventPatch?, EventCorrelationKey)
        switch correlator.correlate(event, now: clock.wallNow) {
        case .skip: return
        case .create(let e, let k): (toWrite, patch, key) = (e, nil, k)
        case .patch(let e, let p, let k): (toWrite, patch, key) = (e, p, k)
        }
        var tries = 0
        while true {
            switch await write(toWrite, patch: patch) {
            case .stored(let stored):
                correlator.updateState(key: key, stored: stored)
                return
            case .abandoned:
                return
            case .retry:
                tries += 1
                // After shutdown no new retry starts.
                guard tries < maxTries, !stats.withLock({ $0.shutDown }) else { return }
                let delay = tries == 1 ? retryInterval * min(max(random(), 0), 1) : retryInterval
                do {
                    try await clock.sleep(until: clock.now.advanced(by: delay))
                } catch {
                    return
                }
            }
        }
    }

    private enum WriteOutcome {
        case stored(CoreV1.Event)
        case abandoned
        case retry
    }

    private func write(_ event: CoreV1.Event, patch: EventPatch?) async -> WriteOutcome {
        do {
            if let patch {
                do {
                    return .stored(try await sink.patch(event, with: patch))
                } catch EventSinkError.notFound {
                    // Gone meanwhile (expired or deleted): create it afresh below.
                }
            }
            var fresh = event
            fresh.metadata?.resourceVersion = nil
            return .stored(try await sink.create(fresh))
        } catch is EventSinkError {
            return .abandoned
        } catch is CancellationError {
            return .abandoned
        } catch {
            return .retry
        }
    }
}
