import APIMachinery
import Client
import Logging

/// The enqueueing both endpoint controllers share: a Service change enqueues the Service, a
/// pod change enqueues every Service of its namespace whose selector matched it before or
/// matches it now.
struct ServicePodEvents: Sendable {
    let services: Lister<CoreV1.Service>
    let queue: WorkQueue<String>
    let logger: Logger

    func register(services informer: SharedInformer<CoreV1.Service>, pods: SharedInformer<CoreV1.Pod>) {
        _ = informer.addEventHandler(ResourceEventHandler(
            onAdd: { [queue] in queue.add($0.queueKey) },
            onUpdate: { [queue] _, new in queue.add(new.queueKey) },
            onDelete: { [queue] in queue.add($0.key) }))
        _ = pods.addEventHandler(ResourceEventHandler(
            onAdd: { [self] in enqueueServices(of: $0) },
            onUpdate: { [self] old, new in
                guard old.metadata?.resourceVersion != new.metadata?.resourceVersion else { return }
                if old.metadata?.labels != new.metadata?.labels { enqueueServices(of: old) }
                enqueueServices(of: new)
            },
            onDelete: { [self] in enqueueServices(of: $0.object) }))
    }

    func enqueueServices(of pod: CoreV1.Pod) {
        let podLabels = pod.metadata?.labels ?? [:]
        for service in services.list(namespace: pod.namespace) {
            guard let labels = service.spec?.selector, !labels.isEmpty,
                let selector = logger.query(MetaV1.LabelSelector(matchLabels: labels), of: "service \(service.queueKey)")
            else { continue }
            if selector.matches(podLabels) { queue.add(service.queueKey) }
        }
    }
}
