import APIMachinery
import Client

/// The informers behind what plugins read besides pods and nodes: namespace labels
/// (InterPodAffinity namespace selectors), the selectors of Services, ReplicationControllers,
/// ReplicaSets and StatefulSets (PodTopologySpread's default constraints) and
/// PodDisruptionBudgets (preemption). Each only mirrors its objects into the cache.
extension SchedulerService {
    static func makeAuxiliaryInformers(rest: RESTClient, cache: @escaping @Sendable ((SchedulerCache) -> Void) -> Void) -> [any AuxiliaryInformer] {
        [
            mirror(rest.resource(CoreV1.Namespace.self), cache,
                   set: { $0.addNamespace($1) }, remove: { cache, namespace in cache.removeNamespace(named: namespace.name) }),
            mirror(rest.resource(CoreV1.Service.self), cache,
                   set: { $0.addService($1) }, remove: { $0.removeService(namespace: $1.namespace, name: $1.name) }),
            mirror(rest.resource(CoreV1.ReplicationController.self), cache,
                   set: { $0.addReplicationController($1) }, remove: { $0.removeReplicationController(namespace: $1.namespace, name: $1.name) }),
            mirror(rest.resource(AppsV1.ReplicaSet.self), cache,
                   set: { $0.addReplicaSet($1) }, remove: { $0.removeReplicaSet(namespace: $1.namespace, name: $1.name) }),
            mirror(rest.resource(AppsV1.StatefulSet.self), cache,
                   set: { $0.addStatefulSet($1) }, remove: { $0.removeStatefulSet(namespace: $1.namespace, name: $1.name) }),
            mirror(rest.resource(PolicyV1.PodDisruptionBudget.self), cache,
                   set: { $0.addPodDisruptionBudget($1) }, remove: { $0.removePodDisruptionBudget(namespace: $1.namespace, name: $1.name) }),
        ]
    }

    private static func mirror<T: KubernetesObject & InformerObject>(
        _ client: ResourceClient<T>, _ cache: @escaping @Sendable ((SchedulerCache) -> Void) -> Void,
        set: @escaping @Sendable (SchedulerCache, T) -> Void, remove: @escaping @Sendable (SchedulerCache, T) -> Void
    ) -> any AuxiliaryInformer {
        let informer = SharedInformer(source: RESTListWatch(client: client))
        _ = informer.addEventHandler(ResourceEventHandler(
            onAdd: { object in cache { set($0, object) } },
            onUpdate: { _, object in cache { set($0, object) } },
            onDelete: { deleted in cache { remove($0, deleted.object) } }))
        return informer
    }
}

/// An informer the service runs and waits for, whatever its object type.
protocol AuxiliaryInformer: Sendable {
    func run() async
    func waitForSync() async -> Bool
}

extension SharedInformer: AuxiliaryInformer {}
