import APIMachinery
import Client

/// What the pod-owning controllers (ReplicaSet, Job, DaemonSet) share about their pods' events and
/// deletions, with the expectations that keep a lagging informer from double counting.
enum OwnedPods {
    /// Queues the owners themselves (ReplicaSets, Jobs, DaemonSets) on any change; a deleted
    /// owner's expectations are dropped first.
    static func registerOwners<Owner: KubernetesObject & InformerObject>(
        _ owners: SharedInformer<Owner>, expectations: ControllerExpectations, queue: WorkQueue<String>
    ) {
        _ = owners.addEventHandler(ResourceEventHandler(
            onAdd: { queue.add($0.queueKey) },
            onUpdate: { _, new in queue.add(new.queueKey) },
            onDelete: { deleted in
                expectations.delete(deleted.key)
                queue.add(deleted.key)
            }))
    }

    /// Routes pod events to the key of the controller that owns the pod (`owner`): a creation
    /// or deletion is counted against its expectations; any change queues it, and a pod that
    /// changed owner queues the previous one too.
    static func register(
        _ pods: SharedInformer<CoreV1.Pod>, owner: @escaping @Sendable (CoreV1.Pod) -> String?,
        expectations: ControllerExpectations, queue: WorkQueue<String>
    ) {
        _ = pods.addEventHandler(ResourceEventHandler(
            onAdd: { pod in
                guard let key = owner(pod) else { return }
                expectations.creationObserved(key)
                queue.add(key)
            },
            onUpdate: { old, new in
                if let key = owner(new) { queue.add(key) }
                if old.controllerRef != new.controllerRef, let previous = owner(old) { queue.add(previous) }
            },
            onDelete: { deleted in
                guard let key = owner(deleted.object) else { return }
                expectations.deletionObserved(key, deleted.object.queueKey)
                queue.add(key)
            }))
    }

    /// Deletes `victims` (each on the condition that it is still the same pod) for the
    /// controller `key`, reporting `SuccessfulDelete` events regarding `owner`; a pod already
    /// gone is fine. Throws the first other failure after trying them all.
    /// With `recorded`, the deletions are already in the expectations (set with creations).
    static func delete<Owner: KubernetesObject>(
        _ victims: [CoreV1.Pod], for key: String, regarding owner: Owner, client: any ControllerClient, events: any EventEmitter,
        expectations: ControllerExpectations, recorded: Bool = false
    ) async throws {
        guard !victims.isEmpty else { return }
        if !recorded { expectations.expectDeletions(key, Set(victims.map(\.queueKey))) }
        var failure: (any Error)?
        for pod in victims {
            do {
                try await client.delete(CoreV1.Pod.self, namespace: pod.namespace, name: pod.name, uid: pod.uid, propagation: nil)
                events.event(regarding: owner, type: .normal, reason: "SuccessfulDelete", message: "Deleted pod: \(pod.name)")
            } catch let error as StatusError where error.isNotFound {
                expectations.deletionObserved(key, pod.queueKey)
            } catch {
                expectations.deletionObserved(key, pod.queueKey)
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
    }

    /// A pod from `template`, named `<owner>-<random>` by the apiserver, controlled by `owner`
    /// (upstream's `GetPodFromTemplate`).
    static func pod<Owner: KubernetesObject>(from template: CoreV1.PodTemplateSpec?, owner: Owner) -> CoreV1.Pod {
        var meta = MetaV1.ObjectMeta()
        meta.generateName = "\(owner.name)-"
        meta.namespace = owner.namespace
        meta.labels = template?.metadata?.labels
        meta.annotations = template?.metadata?.annotations
        meta.finalizers = template?.metadata?.finalizers
        meta.ownerReferences = [owner.asControllerRef]
        var pod = CoreV1.Pod(metadata: meta, spec: template?.spec)
        pod = pod.withTypeMeta()
        return pod
    }
}
