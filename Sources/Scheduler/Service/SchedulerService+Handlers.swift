import APIMachinery
import Client

/// Informer handlers: assigned pods and nodes go to the cache, pending pods of this scheduler
/// to the queue; each change also lets the queue move unschedulable pods that it may help.
extension SchedulerService {
    static func isAssigned(_ pod: CoreV1.Pod) -> Bool { !(pod.spec?.nodeName ?? "").isEmpty }
    static func isTerminating(_ pod: CoreV1.Pod) -> Bool { pod.metadata?.deletionTimestamp != nil }

    func podAdded(_ pod: CoreV1.Pod) async {
        if Self.isAssigned(pod) {
            nominated.remove(pod)
            withCache("add pod") { try $0.addPod(PodInfo(pod)) }
            await queue.assignedPodAdded(pod)
        } else if isResponsible(for: pod), !Self.isTerminating(pod) {
            nominated.update(pod)
            await queue.add(pod)
        }
    }

    /// The cache key of a pod (its uid, as `PodInfo.key`), without building a `PodInfo`.
    static func cacheKey(_ pod: CoreV1.Pod) -> String {
        if let uid = pod.metadata?.uid, !uid.isEmpty { return uid }
        return pod.namespace + "/" + pod.name
    }

    func podUpdated(old: CoreV1.Pod, new: CoreV1.Pod) async {
        // A relist can turn one pod into another of the same name (new uid), or show a pod
        // unbound again: both are a delete of the old state and an add of the new.
        if Self.cacheKey(old) != Self.cacheKey(new) || (Self.isAssigned(old) && !Self.isAssigned(new)) {
            await podDeleted(old, tombstone: false)
            await podAdded(new)
            return
        }
        switch (Self.isAssigned(old), Self.isAssigned(new)) {
        case (true, true):
            withCache("update pod") { try $0.updatePod(old: PodInfo(old), new: PodInfo(new)) }
            await queue.assignedPodUpdated(old: old, new: new)
        case (false, true):
            // Bound (by this scheduler or another): the cache confirms an assumed pod.
            nominated.remove(new)
            await queue.delete(old)
            withCache("add bound pod") { try $0.addPod(PodInfo(new)) }
            await queue.assignedPodAdded(new)
        default:
            guard isResponsible(for: new) else { return }
            if Self.isTerminating(new) {
                nominated.remove(new)
                await queue.delete(new)
                return
            }
            let key = Self.cacheKey(new)
            let assumed = cache.withLock { $0.pod(forKey: key)?.nodeName.isEmpty == false }
            if !assumed {
                nominated.update(new)
                await queue.update(old: old, new: new)
            }
        }
    }

    /// A deleted pod leaves the queue and the cache. The last state seen may be stale (a
    /// tombstone from a relist, or a pod whose bind event was missed), so the cache is asked
    /// whether it holds the pod (assumed or bound), whatever that state says.
    func podDeleted(_ pod: CoreV1.Pod, tombstone: Bool) async {
        nominated.remove(pod)
        let key = Self.cacheKey(pod)
        let cached = cache.withLock { $0.pod(forKey: key) }
        if let cached {
            withCache("remove pod") { try $0.removePod(cached) }
        }
        if Self.isAssigned(pod) || cached != nil {
            await queue.assignedPodDeleted(pod)
        }
        if !Self.isAssigned(pod) || tombstone { await queue.delete(pod) }
    }

    func nodeAdded(_ node: CoreV1.Node) async {
        cache.withLock { $0.addNode(node) }
        await queue.nodeAdded(node)
    }

    func nodeUpdated(old: CoreV1.Node, new: CoreV1.Node) async {
        cache.withLock { $0.updateNode(new) }
        await queue.nodeUpdated(old: old, new: new)
    }

    func nodeDeleted(_ node: CoreV1.Node) async {
        withCache("remove node") { try $0.removeNode(named: node.name) }
        await queue.nodeDeleted(node)
    }

    /// Runs a cache mutation; a failure (an event the cache cannot place, e.g. a delete of a pod
    /// it never saw) is logged, never fatal: the informer's next state repairs it.
    func withCache(_ what: String, _ body: (SchedulerCache) throws -> Void) {
        let failure = cache.withLock { cache -> String? in
            do { try body(cache) } catch { return "\(error)" }
            return nil
        }
        if let failure { logger.debug("cache: \(what): \(failure)") }
    }
}
