import APIMachinery
import Client
import Component
import Logging

/// The `disruption` controller: keeps every PodDisruptionBudget's status — expectedPods,
/// currentHealthy, desiredHealthy, disruptionsAllowed, disruptedPods and the
/// `DisruptionAllowed` condition — which the apiserver's eviction subresource reads, as
/// kube-controller-manager's does.
///
/// minAvailable as a number counts the selected pods; a percentage, or maxUnavailable, scales
/// against the replicas of the pods' controllers (a ReplicaSet's, its Deployment's when it has
/// one, a StatefulSet's or a ReplicationController's). An eviction recorded in disruptedPods
/// counts as a disruption for `disruptionTimeout` or until the pod is gone.
public final class DisruptionController: Sendable {
    public static let disruptionTimeout: Swift.Duration = .seconds(120)

    let budgets: Lister<PolicyV1.PodDisruptionBudget>
    let pods: Lister<CoreV1.Pod>
    let replicaSets: Lister<AppsV1.ReplicaSet>
    let deployments: Lister<AppsV1.Deployment>
    let statefulSets: Lister<AppsV1.StatefulSet>
    let controllers: Lister<CoreV1.ReplicationController>
    let client: any ControllerClient
    let clock: any ComponentClock
    let logger: Logger
    public let queue: WorkQueue<String>

    public init(
        budgets: Lister<PolicyV1.PodDisruptionBudget>, pods: Lister<CoreV1.Pod>, replicaSets: Lister<AppsV1.ReplicaSet>,
        deployments: Lister<AppsV1.Deployment>, statefulSets: Lister<AppsV1.StatefulSet>,
        replicationControllers: Lister<CoreV1.ReplicationController>, client: any ControllerClient, clock: any ComponentClock,
        logger: Logger
    ) {
        self.budgets = budgets
        self.pods = pods
        self.replicaSets = replicaSets
        self.deployments = deployments
        self.statefulSets = statefulSets
        self.controllers = replicationControllers
        self.client = client
        self.clock = clock
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
    }

    public func register(budgets: SharedInformer<PolicyV1.PodDisruptionBudget>, pods: SharedInformer<CoreV1.Pod>) {
        _ = budgets.addEventHandler(ResourceEventHandler(
            onAdd: { [queue] in queue.add($0.queueKey) },
            onUpdate: { [queue] _, new in queue.add(new.queueKey) },
            onDelete: { _ in }))
        _ = pods.addEventHandler(ResourceEventHandler(
            onAdd: { [self] in enqueueBudgets(of: $0) },
            onUpdate: { [self] old, new in
                if old.metadata?.labels != new.metadata?.labels { enqueueBudgets(of: old) }
                enqueueBudgets(of: new)
            },
            onDelete: { [self] in enqueueBudgets(of: $0.object) }))
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "disruption", metrics: metrics, logger: logger, failure: "disruption sync failed; retrying", label: "poddisruptionbudget") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    func enqueueBudgets(of pod: CoreV1.Pod) {
        let labels = pod.metadata?.labels ?? [:]
        for budget in budgets.list(namespace: pod.namespace) {
            if let selector = logger.query(budget.spec?.selector, of: "poddisruptionbudget \(budget.queueKey)"), selector.matches(labels) {
                queue.add(budget.queueKey)
            }
        }
    }

    /// Recomputes and writes the status of budget `key` (`namespace/name`).
    public func sync(_ key: String) async throws {
        guard let (namespace, name) = MetaNamespaceKey.split(key), let budget = budgets.get(namespace: namespace, name: name) else { return }
        // `{}` selects every pod of the namespace; no selector selects none.
        let selected = try (budget.spec?.selector?.query()).map { selector in
            pods.list(namespace: namespace).filter { selector.matches($0.metadata?.labels ?? [:]) }
        } ?? []
        let now = clock.wallNow.time
        let (disrupted, recheck) = disruptedPods(budget, selected, now: now)
        var status = budget.status ?? PolicyV1.PodDisruptionBudgetStatus(currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0)
        do {
            let (expected, desired) = try expectedAndDesired(budget, selected)
            let healthy = Int32(selected.filter { pod in
                !pod.isBeingDeleted && disrupted[pod.name] == nil && pod.isReady
            }.count)
            status.expectedPods = expected
            status.desiredHealthy = desired
            status.currentHealthy = healthy
            status.disruptionsAllowed = max(0, healthy - desired)
            setCondition(&status, budget, allowed: status.disruptionsAllowed > 0, reason: status.disruptionsAllowed > 0 ? "SufficientPods" : "InsufficientPods", message: "")
        } catch {
            // As upstream: a budget that cannot be computed allows no disruption.
            status.disruptionsAllowed = 0
            setCondition(&status, budget, allowed: false, reason: "SyncFailed", message: "\(error)")
        }
        status.disruptedPods = disrupted.isEmpty ? nil : disrupted
        status.observedGeneration = budget.metadata?.generation
        if status != budget.status {
            var copy = budget
            copy.status = status
            _ = try await client.updateStatus(copy)
        }
        if let recheck { queue.add(key, after: recheck) }
    }

    /// The still-counting entries of disruptedPods (pods present, not deleting, recorded less
    /// than `disruptionTimeout` ago), and when the earliest of them expires.
    func disruptedPods(_ budget: PolicyV1.PodDisruptionBudget, _ selected: [CoreV1.Pod], now: Time) -> ([String: Time], Swift.Duration?) {
        let present = Dictionary(selected.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let timeout = Int64(Self.disruptionTimeout.components.seconds)
        var kept: [String: Time] = [:]
        var earliest: Int64?
        for (name, at) in budget.status?.disruptedPods ?? [:] {
            guard let pod = present[name], !pod.isBeingDeleted else { continue }
            let expires = at.secondsSinceEpoch + timeout
            guard expires > now.secondsSinceEpoch else { continue }
            kept[name] = at
            earliest = min(earliest ?? expires, expires)
        }
        return (kept, earliest.map { .seconds($0 - now.secondsSinceEpoch) })
    }

    /// expectedPods and desiredHealthy from minAvailable or maxUnavailable (upstream's
    /// `getExpectedPodCount`).
    func expectedAndDesired(_ budget: PolicyV1.PodDisruptionBudget, _ selected: [CoreV1.Pod]) throws -> (Int32, Int32) {
        if let maxUnavailable = budget.spec?.maxUnavailable {
            let expected = try expectedScale(selected)
            let unavailable = try scaled(maxUnavailable, of: expected, roundUp: true)
            return (expected, max(0, expected - unavailable))
        }
        switch budget.spec?.minAvailable {
        case .int(let count)?:
            return (Int32(selected.count), count)
        case .string(let text)?:
            let expected = try expectedScale(selected)
            return (expected, try scaled(.string(text), of: expected, roundUp: true))
        case nil:
            return (Int32(selected.count), 0)
        }
    }

    func scaled(_ value: IntOrString, of total: Int32, roundUp: Bool) throws -> Int32 {
        switch value {
        case .int(let n): return n
        case .string(let text):
            guard text.hasSuffix("%"), let percent = Double(text.dropLast()) else {
                throw StatusError.badRequest("invalid value for IntOrString: invalid value \"\(text)\": must be an integer or a percentage")
            }
            let exact = percent * Double(total) / 100
            return Int32(roundUp ? exact.rounded(.up) : exact.rounded(.down))
        }
    }

    /// The replicas of the controllers of `pods`, each controller counted once; throws when a
    /// pod has no controller that has a scale.
    func expectedScale(_ pods: [CoreV1.Pod]) throws -> Int32 {
        var scales: [String: Int32] = [:]
        for pod in pods {
            guard let ref = pod.controllerRef else {
                throw StatusError.internalError("found no controllers for pod \"\(pod.name)\"")
            }
            switch ref.kind {
            case "ReplicaSet":
                guard let rs = replicaSets.get(namespace: pod.namespace, name: ref.name), rs.uid == ref.uid else { continue }
                if let owner = rs.controllerRef, owner.kind == "Deployment",
                    let d = deployments.get(namespace: pod.namespace, name: owner.name), d.uid == owner.uid
                {
                    scales[d.uid] = d.spec?.replicas ?? 1
                } else {
                    scales[rs.uid] = rs.spec?.replicas ?? 1
                }
            case "StatefulSet":
                guard let set = statefulSets.get(namespace: pod.namespace, name: ref.name), set.uid == ref.uid else { continue }
                scales[set.uid] = set.spec?.replicas ?? 1
            case "ReplicationController":
                guard let rc = controllers.get(namespace: pod.namespace, name: ref.name), rc.uid == ref.uid else { continue }
                scales[rc.uid] = rc.spec?.replicas ?? 1
            default:
                throw StatusError.internalError("found no controllers for pod \"\(pod.name)\"")
            }
        }
        return scales.values.reduce(0, +)
    }

    func setCondition(_ status: inout PolicyV1.PodDisruptionBudgetStatus, _ budget: PolicyV1.PodDisruptionBudget, allowed: Bool, reason: String, message: String) {
        let value = allowed ? "True" : "False"
        var conditions = status.conditions ?? []
        let old = conditions.first { $0.type == "DisruptionAllowed" }
        if old?.status == value && old?.reason == reason && old?.message == message && old?.observedGeneration == budget.metadata?.generation { return }
        conditions.removeAll { $0.type == "DisruptionAllowed" }
        conditions.append(MetaV1.Condition(
            lastTransitionTime: old?.status == value ? old?.lastTransitionTime : clock.wallNow.time, message: message,
            observedGeneration: budget.metadata?.generation, reason: reason, status: value, type: "DisruptionAllowed"))
        status.conditions = conditions
    }
}
