import APIMachinery
import Client
import Component
import Foundation
import Logging

/// The `root-ca-cert-publisher` controller: every active namespace holds the ConfigMap
/// `kube-root-ca.crt` whose `ca.crt` is the cluster's CA bundle (`--root-ca-file`), so that
/// pods can verify the apiserver; edits to it are reverted.
public final class RootCAPublisher: Sendable {
    public static let configMapName = "kube-root-ca.crt"
    public static let descriptionAnnotation = "kubernetes.io/description"
    public static let description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."

    let bundle: String
    let namespaces: Lister<CoreV1.Namespace>
    let configMaps: Lister<CoreV1.ConfigMap>
    let client: any ControllerClient
    let logger: Logger
    public let queue: WorkQueue<String>

    public init(
        bundle: String, namespaces: Lister<CoreV1.Namespace>, configMaps: Lister<CoreV1.ConfigMap>,
        client: any ControllerClient, clock: any ComponentClock, logger: Logger
    ) {
        self.bundle = bundle
        self.namespaces = namespaces
        self.configMaps = configMaps
        self.client = client
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
    }

    /// The PEM text of `path`; throws if it holds no certificate.
    public static func readBundle(_ path: String) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard text.contains("-----BEGIN CERTIFICATE-----") else {
            throw StatusError.badRequest("--root-ca-file \(path) holds no PEM certificate")
        }
        return text
    }

    public func register(namespaces: SharedInformer<CoreV1.Namespace>, configMaps: SharedInformer<CoreV1.ConfigMap>) {
        _ = namespaces.addEventHandler(ResourceEventHandler(onAnyChange: { [queue] in queue.add($0.name) }))
        _ = configMaps.addEventHandler(ResourceEventHandler(
            onAdd: { _ in },
            onUpdate: { [queue] _, new in if new.name == Self.configMapName { queue.add(new.namespace) } },
            onDelete: { [queue] in if $0.object.name == Self.configMapName { queue.add($0.object.namespace) } }))
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "root_ca_cert_publisher", metrics: metrics, logger: logger, failure: "publishing the root CA failed; retrying", label: "namespace") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    /// Creates or restores `kube-root-ca.crt` in namespace `name`.
    public func sync(_ name: String) async throws {
        guard let namespace = namespaces.get(namespace: "", name: name), !namespace.isBeingDeleted else { return }
        let data = ["ca.crt": bundle]
        do {
            if var existing = configMaps.get(namespace: name, name: Self.configMapName) {
                guard existing.data != data || existing.metadata?.annotations?[Self.descriptionAnnotation] != Self.description else { return }
                existing.data = data
                var annotations = existing.metadata?.annotations ?? [:]
                annotations[Self.descriptionAnnotation] = Self.description
                existing.metadata?.annotations = annotations
                _ = try await client.update(existing)
            } else {
                var meta = MetaV1.ObjectMeta(name: Self.configMapName, namespace: name)
                meta.annotations = [Self.descriptionAnnotation: Self.description]
                _ = try await client.create(CoreV1.ConfigMap(metadata: meta, data: data).withTypeMeta())
            }
        } catch let error as StatusError where error.isAlreadyExists || error.isNamespaceTerminating || error.isNotFound {
            return  // the informer lags, or the namespace is going
        }
    }
}
