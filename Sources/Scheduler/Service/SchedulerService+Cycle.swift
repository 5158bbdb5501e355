import APIMachinery
import Client
import Component
import Foundation

/// One scheduling cycle (upstream `scheduleOne`) and the binding cycle it starts.
extension SchedulerService {
    /// Bindings and preemptions run as children of `work`, so shutting the loop down waits for
    /// them (no binding outlives leadership).
    func scheduleOne(_ queued: QueuedPodInfo, algorithm: inout SchedulingAlgorithm, snapshot: inout Snapshot,
                     work: inout DiscardingTaskGroup) async {
        let started = ContinuousClock.now
        // The informer's copy is the newest; a pod deleted, bound or terminating meanwhile is skipped.
        guard let pod = podInformer.lister.get(queued.key), !Self.isAssigned(pod), !Self.isTerminating(pod) else {
            await queue.done(queued.key)
            return
        }
        let profileName = pod.spec?.schedulerName ?? SchedulerLibrary.defaultSchedulerName
        guard let framework = frameworks[profileName] else {
            await queue.done(queued.key)
            return
        }
        let podInfo = PodInfo(pod)
        if cache.withLock({ $0.isAssumed(podInfo) }) {
            await queue.done(queued.key)
            return
        }
        cache.withLock { $0.updateSnapshot(&snapshot) }
        let state = CycleState(snapshot: snapshot)
        do {
            let result = try algorithm.schedule(pod: podInfo, framework: framework, state: state, nominatedPods: nominated)
            let assumed = podInfo.assigned(to: result.suggestedHost)
            do {
                try cache.withLock { cache throws(SchedulerCacheError) in try cache.assumePod(assumed) }
            } catch {
                logger.debug("assume \(queued.key) on \(result.suggestedHost): \(error)")
                await requeue(queued, pod: pod, plugins: [], message: nil, profile: profileName, started: started)
                return
            }
            // Assumed: its room is counted on the node; a nomination would count it twice.
            if pod.status?.nominatedNodeName?.isEmpty == false || nominated.isNominated(pod) { nominated.remove(pod) }
            await queue.done(queued.key)
            let attempt = queued
            work.addTask { await self.bind(pod: pod, assumed: assumed, host: result.suggestedHost, queued: attempt, profile: profileName, started: started) }
        } catch .unschedulable(var fitError) {
            let (postFilter, _) = SchedulingAlgorithm.runPostFilter(
                fitError: &fitError, framework: framework, state: state, nominatedPods: nominated)
            if let postFilter { await carryOut(postFilter, for: pod, profile: profileName, work: &work) }
            await requeue(queued, pod: pod, plugins: fitError.diagnosis.unschedulablePlugins, message: fitError.message,
                          profile: profileName, started: started)
        } catch .noNodesAvailable {
            await requeue(queued, pod: pod, plugins: [], message: ScheduleError.noNodesAvailable.description,
                          profile: profileName, started: started)
        } catch {
            logger.debug("schedule \(queued.key): \(error)")
            await requeue(queued, pod: pod, plugins: [], message: nil, profile: profileName, started: started, result: "error")
        }
        await updatePendingGauge()
    }

    /// A failed attempt: a `FailedScheduling` event and `PodScheduled=False` condition when a
    /// message explains it, then back to the queue (unschedulable, or backoff when a move
    /// happened during the attempt, per the queue's cycle rule).
    func requeue(_ queued: QueuedPodInfo, pod: CoreV1.Pod, plugins: Set<String>, message: String?, profile: String,
                 started: ContinuousClock.Instant, result: String = "unschedulable") async {
        metrics.attempt(profile: profile, result: result, seconds: (ContinuousClock.now - started).seconds)
        if let message {
            recorder.event(regarding: pod, type: .warning, reason: "FailedScheduling", message: message)
            await setUnschedulableCondition(pod, message: message)
        }
        var info = queued
        info.pod = pod
        info.unschedulablePlugins = plugins
        do {
            try await queue.addUnschedulableIfNotPresent(info, podSchedulingCycle: queued.schedulingCycle)
        } catch {
            logger.debug("requeue \(queued.key): \(error)")
        }
    }

    /// POSTs the binding; on success confirms the assumption and records `Scheduled`, on
    /// failure forgets it and sends the pod back through backoff.
    func bind(pod: CoreV1.Pod, assumed: PodInfo, host: String, queued: QueuedPodInfo, profile: String, started: ContinuousClock.Instant) async {
        let binding = CoreV1.Binding(
            metadata: MetaV1.ObjectMeta(name: pod.name, namespace: pod.namespace, uid: pod.metadata?.uid),
            target: CoreV1.ObjectReference(kind: "Node", apiVersion: "v1", name: host))
        do {
            try await pods.create(subresource: "binding", of: pod.name, namespace: pod.namespace, body: binding.withTypeMeta())
            cache.withLock { $0.finishBinding(assumed, now: Self.now()) }
            let elapsed = (ContinuousClock.now - started).seconds
            metrics.attempt(profile: profile, result: "scheduled", seconds: elapsed)
            let since = queued.initialAttemptTimestamp ?? queued.timestamp
            metrics.registry.observe(SchedulerMetrics.podSchedulingDuration, labels: [String(max(1, queued.attempts))],
                                     (ContinuousClock.now - since).seconds)
            recorder.event(regarding: pod, type: .normal, reason: "Scheduled",
                           message: "Successfully assigned \(pod.namespace)/\(pod.name) to \(host)")
        } catch {
            logger.debug("bind \(pod.namespace)/\(pod.name) to \(host): \(error)")
            withCache("forget pod") { try $0.forgetPod(assumed) }
            if let apiError = error as? StatusError, apiError.isNotFound { return }
            await requeue(queued, pod: pod, plugins: [], message: "Binding rejected: \(error)", profile: profile,
                          started: started, result: "error")
        }
    }

    /// Carries out a PostFilter (preemption) decision: the preemptor is nominated to the node at
    /// once (so the next cycles keep its room), then, off the scheduling loop, each victim is
    /// marked `DisruptionTarget` and deleted gracefully with a `Preempted` event, and
    /// lower-priority pods nominated to that node lose their nomination.
    func carryOut(_ result: PostFilterResult, for pod: CoreV1.Pod, profile: String, work: inout DiscardingTaskGroup) async {
        guard let node = result.nominatedNodeName else { return }
        if node.isEmpty {
            await nominate(pod, node: nil)
            return
        }
        metrics.registry.increment(SchedulerMetrics.preemptionAttempts)
        metrics.registry.observe(SchedulerMetrics.preemptionVictims, Double(result.victims.count))
        await nominate(pod, node: node)
        let victims = result.victims.map(\.pod)
        let cleared = result.nominatedPodsToClear.map(\.pod)
        for victim in victims {
            work.addTask { await self.preempt(victim, by: pod, node: node, profile: profile) }
        }
        for other in cleared {
            work.addTask { await self.nominate(other, node: nil) }
        }
    }

    /// Marks `victim` as a disruption target, deletes it with its default grace period, and
    /// records why.
    func preempt(_ victim: CoreV1.Pod, by preemptor: CoreV1.Pod, node: String, profile: String) async {
        let condition: JSONValue = [
            "type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler",
            "message": .string("\(profile): preempting to accommodate a higher priority pod"),
            "lastTransitionTime": .string(Self.now().description),
        ]
        let patch: JSONValue = ["status": ["conditions": [condition]]]
        do {
            _ = try await pods.patch(victim.name, namespace: victim.namespace, type: .strategicMerge, body: JSONCodec.encode(patch), subresource: "status")
            var options = MetaV1.DeleteOptions()
            if let uid = victim.metadata?.uid { options.preconditions = MetaV1.Preconditions(uid: uid) }
            try await pods.delete(victim.name, namespace: victim.namespace, options: options)
            recorder.event(regarding: victim, type: .normal, reason: "Preempted",
                           message: "Preempted by pod \(preemptor.metadata?.uid ?? preemptor.name) on node \(node)")
        } catch let error as StatusError where error.isNotFound {
            return
        } catch {
            logger.debug("preempt \(victim.namespace)/\(victim.name): \(error)")
        }
    }

    /// Sets `status.nominatedNodeName` (preemption made room on `node`), or clears it (nil).
    func nominate(_ pod: CoreV1.Pod, node: String?) async {
        if let node { nominated.update(pod, node: node) } else { nominated.remove(pod) }
        // Only write a change: clearing a nomination the pod does not have costs a round trip.
        if (pod.status?.nominatedNodeName ?? "") == (node ?? "") { return }
        let patch: JSONValue = ["status": ["nominatedNodeName": node.map { .string($0) } ?? .null]]
        do {
            _ = try await pods.patch(pod.name, namespace: pod.namespace, type: .strategicMerge, body: JSONCodec.encode(patch), subresource: "status")
        } catch {
            logger.debug("nominate \(pod.namespace)/\(pod.name) on \(node ?? "(none)"): \(error)")
        }
    }

    /// Writes `PodScheduled=False, reason Unschedulable` with the message, unless the pod
    /// already carries exactly that condition.
    func setUnschedulableCondition(_ pod: CoreV1.Pod, message: String) async {
        let current = pod.status?.conditions?.first { $0.type == "PodScheduled" }
        if current?.status == "False", current?.reason == "Unschedulable", current?.message == message { return }
        let condition: JSONValue = [
            "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": .string(message),
            "lastProbeTime": .null, "lastTransitionTime": .string(Self.now().description),
        ]
        let patch: JSONValue = ["status": ["conditions": [condition]]]
        do {
            _ = try await pods.patch(pod.name, namespace: pod.namespace, type: .strategicMerge, body: JSONCodec.encode(patch), subresource: "status")
        } catch {
            logger.debug("condition of \(pod.namespace)/\(pod.name): \(error)")
        }
    }

    func updatePendingGauge() async {
        let pending = await queue.pendingCounts()
        metrics.registry.set(SchedulerMetrics.pendingPods, labels: ["active"], to: Double(pending.active))
        metrics.registry.set(SchedulerMetrics.pendingPods, labels: ["backoff"], to: Double(pending.backoff))
        metrics.registry.set(SchedulerMetrics.pendingPods, labels: ["unschedulable"], to: Double(pending.unschedulable))
    }

    static func now() -> Time { Time(secondsSinceEpoch: Int64(Date().timeIntervalSince1970)) }
}
