import APIMachinery
import Client
import Component
import Foundation
import Logging
import Synchronization

/// The scheduler process's work: informers on pods and nodes feed the `SchedulerCache` (assigned
/// pods, nodes) and the `SchedulingQueue` (pending pods of this scheduler's profiles); one task
/// pops pods and schedules them one at a time against a snapshot of the cache; a chosen node is
/// assumed in the cache at once and the binding (`pods/binding`) runs asynchronously, so the
/// next pod is scheduled while the previous binding is in flight. A pod that fits nowhere gets
/// the PostFilter plugins (preemption), a `FailedScheduling` event and a `PodScheduled=False`
/// condition, and waits in the queue until a relevant change; a bound pod gets a `Scheduled`
/// event.
///
/// Thread-safety: the cache is behind a lock; handlers run on the informers' tasks, the
/// scheduling loop on its own; only the loop reads snapshots.
public final class SchedulerService: Sendable {
    public let configuration: SchedulerConfiguration
    let rest: RESTClient
    let frameworks: [String: SchedulingFramework]
    let cache = LockedCache()
    let queue: SchedulingQueue
    let nominated = NominatedPods()
    let recorder: EventRecorder
    let metrics: SchedulerMetrics
    let podInformer: SharedInformer<CoreV1.Pod>
    let nodeInformer: SharedInformer<CoreV1.Node>
    let auxiliaryInformers: [any AuxiliaryInformer]
    let pods: ResourceClient<CoreV1.Pod>
    let logger: Logger

    /// Builds the frameworks of every profile (throws on unknown plugins or bad args); metrics
    /// go to `metrics`, per-pod failures to `logger` at debug level (`--v=2`).
    public init(
        rest: RESTClient, configuration: SchedulerConfiguration,
        logger: Logger = Logger(label: "scheduler", factory: { _ in SwiftLogNoOpLogHandler() }),
        metrics: MetricsRegistry = MetricsRegistry()
    ) throws {
        self.rest = rest
        self.configuration = configuration
        self.logger = logger
        self.metrics = SchedulerMetrics(registry: metrics)
        var frameworks: [String: SchedulingFramework] = [:]
        for profile in configuration.profiles {
            frameworks[profile.schedulerName] = try SchedulingFramework(profile: Profile(configuration: profile))
        }
        self.frameworks = frameworks
        var options = SchedulingQueueOptions()
        options.initialBackoff = configuration.podInitialBackoff
        options.maxBackoff = configuration.podMaxBackoff
        queue = SchedulingQueue(options: options)
        pods = rest.resource(CoreV1.Pod.self)
        recorder = EventRecorder(sink: RESTEventSink(rest: rest), component: configuration.profiles.first?.schedulerName ?? SchedulerLibrary.defaultSchedulerName)
        podInformer = SharedInformer(source: RESTListWatch(client: pods, fieldSelector: "status.phase!=Succeeded,status.phase!=Failed"))
        nodeInformer = SharedInformer(source: RESTListWatch(client: rest.resource(CoreV1.Node.self)))
        let cache = cache
        auxiliaryInformers = Self.makeAuxiliaryInformers(rest: rest) { body in cache.withLock { body($0) } }
        _ = podInformer.addEventHandler(ResourceEventHandler(
            onAdd: { [weak self] pod in await self?.podAdded(pod) },
            onUpdate: { [weak self] old, new in await self?.podUpdated(old: old, new: new) },
            onDelete: { [weak self] deleted in await self?.podDeleted(deleted.object, tombstone: deleted.isTombstone) }))
        _ = nodeInformer.addEventHandler(ResourceEventHandler(
            onAdd: { [weak self] node in await self?.nodeAdded(node) },
            onUpdate: { [weak self] old, new in await self?.nodeUpdated(old: old, new: new) },
            onDelete: { [weak self] deleted in await self?.nodeDeleted(deleted.object) }))
    }

    /// The profile names this scheduler answers for (`spec.schedulerName`).
    public var schedulerNames: [String] { frameworks.keys.sorted() }

    /// Whether both informers have listed once.
    public var hasSynced: Bool { podInformer.hasSynced && nodeInformer.hasSynced }

    /// Runs the informers, the event writer and the queue's timers until cancelled; returns once
    /// the informers have synced, leaving them running in `group`.
    public func startBackground(in group: inout TaskGroup<Void>) async {
        group.addTask { await self.podInformer.run() }
        group.addTask { await self.nodeInformer.run() }
        group.addTask { await self.recorder.run() }
        group.addTask { await self.queue.run() }
        for informer in auxiliaryInformers { group.addTask { await informer.run() } }
        for informer in auxiliaryInformers { _ = await informer.waitForSync() }
        _ = await nodeInformer.waitForSync()
        _ = await podInformer.waitForSync()
    }

    /// Schedules pods until the task is cancelled or the queue closes.
    public func runSchedulingLoop() async {
        var algorithm = SchedulingAlgorithm(percentageOfNodesToScore: Int32(configuration.percentageOfNodesToScore))
        var snapshot = Snapshot()
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { work in
                while !Task.isCancelled, let queued = await queue.pop() {
                    await scheduleOne(queued, algorithm: &algorithm, snapshot: &snapshot, work: &work)
                }
            }
        } onCancel: {
            Task { await self.queue.close() }
        }
    }

    /// Stops accepting events and closes the queue.
    public func shutDown() async {
        recorder.shutDown()
        await queue.close()
    }

    func isResponsible(for pod: CoreV1.Pod) -> Bool {
        frameworks[pod.spec?.schedulerName ?? SchedulerLibrary.defaultSchedulerName] != nil
    }
}

extension SchedulerService {
    /// Reports leadership of `lease` in `leader_election_master_status`.
    public func setLeader(_ leading: Bool, lease: String) {
        metrics.registry.set(SchedulerMetrics.leaderStatus, labels: [lease], to: leading ? 1 : 0)
    }
}
