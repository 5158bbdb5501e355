import Component
import APIMachinery

/// Decides what to write for each event before it reaches the apiserver, as client-go's
/// `EventCorrelator` does, in three stages:
///
/// 1. **Aggregation**: events that differ only in their message (same source, involved object,
///    type, reason, reporting controller and instance) are similar. When `maxEvents` (10)
///    distinct messages of one similar group arrive with less than `maxInterval` (10 min)
///    between consecutive ones, the event is replaced by a combined one whose message is
///    `(combined from similar events): <message>`; later similar events keep updating that
///    combined event. The oldest distinct message of the group is then forgotten, so the group
///    stays at the threshold while the flood lasts.
/// 2. **De-duplication** (client-go's event logger): an event identical to one already written
///    (same source, object, type, reason and message, or the same combined event) becomes an
///    update of that Event: its name, resourceVersion and `firstTimestamp` are reused, `count`
///    is one more than last time, and the result carries an `EventPatch` (count, lastTimestamp,
///    message) for the sink to PATCH instead of creating.
/// 3. **Spam filter**: a token bucket per source and involved object (`burst` 25 tokens,
///    refilled at `qps`, one per 5 minutes); an event that finds the bucket empty is skipped.
///    It runs last, so skipped repeats still raise the count the next written update carries.
///
/// Pure: no clock, no I/O. `now` is the wall time of processing. Each stage keeps an LRU cache
/// of `cacheSize` entries.
public struct EventCorrelator: Sendable {
    public struct Options: Sendable, Hashable {
        public var cacheSize = 4096
        public var burst = 25
        /// Spam-filter refill rate, tokens per second.
        public var qps = 1.0 / 300.0
        public var maxEvents = 10
        public var maxInterval: Swift.Duration = .seconds(600)

        public init() {}
    }

    private struct AggregateRecord: Sendable {
        /// Distinct messages seen, oldest first.
        var messages: [String] = []
        var last: WallTime?
    }

    private struct EventLog: Sendable {
        var count: Int32
        var firstTimestamp: Time?
        var name: String
        var resourceVersion: String
    }

    /// A token bucket; `credit` is refill time in nanoseconds (one token per `1 / qps` s).
    private struct Bucket: Sendable {
        var credit: Int64
        var last: WallTime
    }

    public let options: Options
    private var aggregates: LRUCache<[String], AggregateRecord>
    private var logs: LRUCache<EventCorrelationKey, EventLog>
    private var buckets: LRUCache<[String], Bucket>

    public init(options: Options = Options()) {
        precondition(options.burst > 0 && options.qps > 0 && options.maxEvents > 0, "correlator limits must be positive")
        self.options = options
        aggregates = LRUCache(capacity: options.cacheSize)
        logs = LRUCache(capacity: options.cacheSize)
        buckets = LRUCache(capacity: options.cacheSize)
    }

    /// Runs `event` through aggregation, de-duplication and the spam filter at wall time `now`.
    public mutating func correlate(_ event: CoreV1.Event, now: WallTime) -> EventCorrelation {
        let (aggregated, key) = aggregate(event, now: now)
        let (observed, patch) = observe(aggregated, key: key)
        guard admit(observed, now: now) else { return .skip }
        if let patch { return .patch(observed, patch, key: key) }
        return .create(observed, key: key)
    }

    /// Remembers what the apiserver stored for the event correlated under `key` (its name,
    /// resourceVersion, count and firstTimestamp), so the next repeat patches that Event.
    public mutating func updateState(key: EventCorrelationKey, stored: CoreV1.Event) {
        logs.set(key, EventLog(
            count: stored.count ?? 1,
            firstTimestamp: stored.firstTimestamp,
            name: stored.metadata?.name ?? "",
            resourceVersion: stored.metadata?.resourceVersion ?? ""
        ))
    }

    // MARK: Stages

    private mutating func aggregate(_ event: CoreV1.Event, now: WallTime) -> (CoreV1.Event, EventCorrelationKey) {
        let groupKey = EventCorrelationKey.aggregateFields(event)
        let message = event.message ?? ""
        var record = aggregates.get(groupKey) ?? AggregateRecord()
        if let last = record.last, now - last > options.maxInterval {
            record = AggregateRecord()
        }
        if !record.messages.contains(message) { record.messages.append(message) }
        record.last = now
        guard record.messages.count >= options.maxEvents else {
            aggregates.set(groupKey, record)
            return (event, .forEvent(event))
        }
        record.messages.removeFirst()
        aggregates.set(groupKey, record)

        let stamp = now.time
        let combined = CoreV1.Event(
            metadata: MetaV1.ObjectMeta(
                name: EventRecorder.eventName(for: event.involvedObject, at: now),
                namespace: event.metadata?.namespace),
            count: 1,
            firstTimestamp: stamp,
            involvedObject: event.involvedObject,
            lastTimestamp: stamp,
            message: "(combined from similar events): " + message,
            reason: event.reason,
            reportingComponent: event.reportingComponent,
            reportingInstance: event.reportingInstance,
            source: event.source,
            type: event.type
        )
        return (combined, .aggregate(groupKey))
    }

    private mutating func observe(_ event: CoreV1.Event, key: EventCorrelationKey) -> (CoreV1.Event, EventPatch?) {
        var event = event
        var patch: EventPatch?
        if let last = logs.get(key), last.count > 0 {
            var metadata = event.metadata ?? MetaV1.ObjectMeta()
            metadata.name = last.name
            metadata.resourceVersion = last.resourceVersion
            event.metadata = metadata
            event.firstTimestamp = last.firstTimestamp
            event.count = last.count &+ 1
            patch = EventPatch(count: last.count &+ 1, lastTimestamp: event.lastTimestamp, message: event.message ?? "")
        }
        logs.set(key, EventLog(
            count: event.count ?? 1,
            firstTimestamp: event.firstTimestamp,
            name: event.metadata?.name ?? "",
            resourceVersion: event.metadata?.resourceVersion ?? ""
        ))
        return (event, patch)
    }

    private mutating func admit(_ event: CoreV1.Event, now: WallTime) -> Bool {
        let key = EventCorrelationKey.spamFields(event)
        // Tokens are counted in nanoseconds of refill time, so refills add up exactly.
        let cost = max(1, Int64((1e9 / options.qps).rounded()))
        let (full, overflow) = cost.multipliedReportingOverflow(by: Int64(options.burst))
        let capacity = overflow ? Int64.max : full
        var bucket = buckets.get(key) ?? Bucket(credit: capacity, last: now)
        if now > bucket.last {
            let elapsed = now.nanosecondsSinceEpoch &- bucket.last.nanosecondsSinceEpoch
            let (sum, overflowed) = bucket.credit.addingReportingOverflow(elapsed)
            bucket.credit = overflowed ? capacity : min(capacity, sum)
            bucket.last = now
        }
        let admitted = bucket.credit >= cost
        if admitted { bucket.credit -= cost }
        buckets.set(key, bucket)
        return admitted
    }
}

/// What `EventCorrelator.correlate` decided.
public enum EventCorrelation: Sendable, Equatable {
    /// Dropped by the spam filter.
    case skip
    /// Create this new Event.
    case create(CoreV1.Event, key: EventCorrelationKey)
    /// Update the existing Event named in `event.metadata` with the patch (the event carries the
    /// full new state, for creating it again if it is gone).
    case patch(CoreV1.Event, EventPatch, key: EventCorrelationKey)
}

/// Identifies the Event a correlation writes: a single event (source, involved object, type,
/// reason, message) or a group's combined event.
public enum EventCorrelationKey: Sendable, Hashable {
    case event([String])
    case aggregate([String])

    static func forEvent(_ event: CoreV1.Event) -> EventCorrelationKey {
        let o = event.involvedObject
        return .event([
            event.source?.component ?? "", event.source?.host ?? "", o.kind ?? "", o.namespace ?? "",
            o.name ?? "", o.fieldPath ?? "", o.uid ?? "", o.apiVersion ?? "", event.type ?? "",
            event.reason ?? "", event.message ?? "",
        ])
    }

    /// Similar events share these fields and differ only in their message.
    static func aggregateFields(_ event: CoreV1.Event) -> [String] {
        let o = event.involvedObject
        return [
            event.source?.component ?? "", event.source?.host ?? "", o.kind ?? "", o.namespace ?? "",
            o.name ?? "", o.uid ?? "", o.apiVersion ?? "", event.type ?? "", event.reason ?? "",
            event.reportingComponent ?? "", event.reportingInstance ?? "",
        ]
    }

    /// The spam filter's bucket: one per source and involved object.
    static func spamFields(_ event: CoreV1.Event) -> [String] {
        let o = event.involvedObject
        return [
            event.source?.component ?? "", event.source?.host ?? "", o.kind ?? "", o.namespace ?? "",
            o.name ?? "", o.uid ?? "", o.apiVersion ?? "",
        ]
    }
}
