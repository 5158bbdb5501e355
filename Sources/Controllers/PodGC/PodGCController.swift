import APIMachinery
import Client
import Component
import Logging
import Synchronization

/// The `podgc` controller: every `period` it force-deletes (grace 0) the pods nobody else
/// will remove, as kube-controller-manager's `PodGCController`:
/// - terminated pods (Succeeded/Failed) beyond `--terminated-pod-gc-threshold`, oldest first;
/// - pods bound to a node that no longer exists (absent for `quarantine`, then confirmed by a
///   live read), first marked Failed with a `DisruptionTarget` condition;
/// - pods being deleted that were never scheduled.
public final class PodGCController: Sendable {
    public static let period: Swift.Duration = .seconds(20)
    public static let quarantine: Swift.Duration = .seconds(40)

    let pods: Lister<CoreV1.Pod>
    let nodes: Lister<CoreV1.Node>
    let client: any ControllerClient
    let nodeExists: @Sendable (String) async throws -> Bool
    let clock: any ComponentClock
    let logger: Logger
    /// `--terminated-pod-gc-threshold`; 0 keeps every terminated pod.
    let threshold: Int
    /// When each missing node was first seen missing.
    let missingSince = Mutex<[String: ContinuousClock.Instant]>([:])

    public init(
        pods: Lister<CoreV1.Pod>, nodes: Lister<CoreV1.Node>, client: any ControllerClient,
        nodeExists: @escaping @Sendable (String) async throws -> Bool, threshold: Int, clock: any ComponentClock, logger: Logger
    ) {
        self.pods = pods
        self.nodes = nodes
        self.client = client
        self.nodeExists = nodeExists
        self.threshold = threshold
        self.clock = clock
        self.logger = logger
    }

    /// Collects every `period` until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            do { try await clock.sleep(for: Self.period) } catch { return }
            await collect()
        }
    }

    /// One pass over the three kinds of garbage.
    public func collect() async {
        let all = pods.list()
        await collectTerminated(all)
        await collectOrphaned(all)
        for pod in all where pod.isBeingDeleted && (pod.spec?.nodeName ?? "").isEmpty {
            await forceDelete(pod, why: "unscheduled and terminating")
        }
    }

    func collectTerminated(_ all: [CoreV1.Pod]) async {
        guard threshold > 0 else { return }
        let terminated = all.filter { ($0.status?.phase == "Succeeded" || $0.status?.phase == "Failed") && !$0.isBeingDeleted }
        guard terminated.count > threshold else { return }
        let oldestFirst = terminated.sorted {
            let a = $0.metadata?.creationTimestamp ?? .zero, b = $1.metadata?.creationTimestamp ?? .zero
            return a != b ? a < b : $0.queueKey < $1.queueKey
        }
        for pod in oldestFirst.prefix(terminated.count - threshold) {
            await forceDelete(pod, why: "terminated pods above the threshold of \(threshold)")
        }
    }

    func collectOrphaned(_ all: [CoreV1.Pod]) async {
        let known = Set(nodes.list().map(\.name))
        let now = clock.now
        var missing: Set<String> = []
        for pod in all {
            guard let node = pod.spec?.nodeName, !node.isEmpty, !known.contains(node) else { continue }
            missing.insert(node)
        }
        let due = missingSince.withLock { since -> [String] in
            since = since.filter { missing.contains($0.key) }
            for node in missing where since[node] == nil { since[node] = now }
            return since.filter { now - $0.value >= Self.quarantine }.map(\.key)
        }
        for node in due.sorted() {
            do {
                if try await nodeExists(node) {
                    missingSince.withLock { _ = $0.removeValue(forKey: node) }
                    continue
                }
            } catch {
                logger.info("podgc: could not confirm that a node is gone", metadata: ["node": "\(node)", "error": "\(error)"])
                continue
            }
            for pod in all where pod.spec?.nodeName == node && !pod.isBeingDeleted {
                await markFailed(pod, message: "PodGC: node no longer exists")
                await forceDelete(pod, why: "bound to node \(node), which no longer exists")
            }
        }
    }

    /// Marks a pod that is not yet terminal Failed, with the `DisruptionTarget` condition.
    func markFailed(_ pod: CoreV1.Pod, message: String) async {
        guard pod.status?.phase != "Succeeded", pod.status?.phase != "Failed" else { return }
        var copy = pod
        var status = copy.status ?? CoreV1.PodStatus()
        status.phase = "Failed"
        var conditions = (status.conditions ?? []).filter { $0.type != "DisruptionTarget" }
        conditions.append(CoreV1.PodCondition(
            lastTransitionTime: clock.wallNow.time, message: message, reason: "DeletionByPodGC", status: "True", type: "DisruptionTarget"))
        status.conditions = conditions
        copy.status = status
        do {
            _ = try await client.updateStatus(copy)
        } catch {
            logger.debug("podgc: could not mark a pod failed before deleting it", metadata: ["pod": "\(pod.queueKey)", "error": "\(error)"])
        }
    }

    func forceDelete(_ pod: CoreV1.Pod, why: String) async {
        do {
            try await client.delete(CoreV1.Pod.self, namespace: pod.namespace, name: pod.name, uid: pod.uid, propagation: nil, gracePeriodSeconds: 0)
            logger.info("podgc: force-deleted a pod", metadata: ["pod": "\(pod.queueKey)", "reason": "\(why)"])
        } catch let error as StatusError where error.isNotFound || error.isConflict {
            return
        } catch {
            logger.info("podgc: force-deleting a pod failed; next pass retries", metadata: ["pod": "\(pod.queueKey)", "error": "\(error)"])
        }
    }
}
