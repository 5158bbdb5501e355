import APIMachinery
import Client
import Component
import Logging
import Synchronization

/// The `resourcequota` controller: keeps every ResourceQuota's `status.hard` equal to its
/// `spec.hard` and `status.used` equal to what its namespace uses of each of those resources
/// (`QuotaUsage`: pods and their requests/limits within the quota's scopes, services with
/// their load balancers and node ports, claims and storage per class, and `count/<resource>`
/// of anything served), so the quota admission can enforce it. Recalculated when a quota or
/// a counted object of its namespace changes, and every `--resource-quota-sync-period`.
public final class ResourceQuotaController: Sendable {
    let quotas: Lister<CoreV1.ResourceQuota>
    let pods: Lister<CoreV1.Pod>
    let services: Lister<CoreV1.Service>
    let claims: Lister<CoreV1.PersistentVolumeClaim>
    let configMaps: Lister<CoreV1.ConfigMap>
    let secrets: Lister<CoreV1.Secret>
    let replicationControllers: Lister<CoreV1.ReplicationController>
    let dynamic: any DynamicClient
    let client: any ControllerClient
    let clock: any ComponentClock
    let logger: Logger
    let resyncPeriod: Swift.Duration
    public let queue: WorkQueue<String>
    /// Served resources, read once when a quota first counts one we do not cache.
    private let served = Mutex<[ResourceInfo]?>(nil)

    public init(
        quotas: Lister<CoreV1.ResourceQuota>, pods: Lister<CoreV1.Pod>, services: Lister<CoreV1.Service>,
        claims: Lister<CoreV1.PersistentVolumeClaim>, configMaps: Lister<CoreV1.ConfigMap>, secrets: Lister<CoreV1.Secret>,
        replicationControllers: Lister<CoreV1.ReplicationController>, dynamic: any DynamicClient, client: any ControllerClient,
        resyncPeriod: Swift.Duration = .seconds(300), clock: any ComponentClock, logger: Logger
    ) {
        self.quotas = quotas
        self.pods = pods
        self.services = services
        self.claims = claims
        self.configMaps = configMaps
        self.secrets = secrets
        self.replicationControllers = replicationControllers
        self.dynamic = dynamic
        self.client = client
        self.clock = clock
        self.logger = logger
        self.resyncPeriod = resyncPeriod
        self.queue = WorkQueue(clock: clock)
    }

    /// Quotas are synced when they change; any change to a counted object syncs its
    /// namespace's quotas (a handful per namespace).
    public func register(
        quotas informer: SharedInformer<CoreV1.ResourceQuota>, pods: SharedInformer<CoreV1.Pod>, services: SharedInformer<CoreV1.Service>,
        claims: SharedInformer<CoreV1.PersistentVolumeClaim>, configMaps: SharedInformer<CoreV1.ConfigMap>,
        secrets: SharedInformer<CoreV1.Secret>, replicationControllers: SharedInformer<CoreV1.ReplicationController>
    ) {
        _ = informer.addEventHandler(ResourceEventHandler(onAnyChange: { [queue] in queue.add($0.queueKey) }))
        let namespace: @Sendable (String) -> Void = { [self] name in
            for quota in quotas.list(namespace: name) { queue.add(quota.queueKey) }
        }
        _ = pods.addEventHandler(ResourceEventHandler(onAnyChange: { namespace($0.namespace) }))
        _ = services.addEventHandler(ResourceEventHandler(onAnyChange: { namespace($0.namespace) }))
        _ = claims.addEventHandler(ResourceEventHandler(onAnyChange: { namespace($0.namespace) }))
        _ = configMaps.addEventHandler(ResourceEventHandler(onAnyChange: { namespace($0.namespace) }))
        _ = secrets.addEventHandler(ResourceEventHandler(onAnyChange: { namespace($0.namespace) }))
        _ = replicationControllers.addEventHandler(ResourceEventHandler(onAnyChange: { namespace($0.namespace) }))
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(queue: queue, name: "resource_quota_primary", metrics: metrics, logger: logger, failure: "resource quota sync failed; retrying", label: "resourcequota") { [self] in try await sync($0) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await runner.run(workers: workers) }
            group.addTask { [self] in
                // The full resync catches what no event reports (e.g. a count/<resource> of a
                // kind without an informer here).
                while !Task.isCancelled {
                    do { try await clock.sleep(until: clock.now + resyncPeriod) } catch { return }
                    for quota in quotas.list() { queue.add(quota.queueKey) }
                }
            }
            await group.waitForAll()
        }
    }

    public func sync(_ key: String) async throws {
        guard let (namespace, name) = MetaNamespaceKey.split(key), let quota = quotas.get(namespace: namespace, name: name) else { return }
        let hard = quota.spec?.hard ?? [:]
        var used: [String: Quantity] = [:]
        let usage = try await usage(in: namespace, for: Set(hard.keys), quota: quota)
        for resource in hard.keys { used[resource] = usage[resource] ?? Quantity(integer: 0) }
        let status = CoreV1.ResourceQuotaStatus(hard: hard.isEmpty ? nil : hard, used: used.isEmpty ? nil : used)
        if Self.same(status, quota.status) { return }
        var copy = quota
        copy.status = status
        do {
            _ = try await client.updateStatus(copy)
        } catch let error as StatusError where error.isConflict || error.isNotFound {
            logger.debug("quota changed under the status update; it is queued again", metadata: ["resourcequota": "\(key)"])
        }
    }

    /// Equal amounts count as equal whatever their notation (`1000m` and `1`).
    static func same(_ a: CoreV1.ResourceQuotaStatus, _ b: CoreV1.ResourceQuotaStatus?) -> Bool {
        func equal(_ x: [String: Quantity]?, _ y: [String: Quantity]?) -> Bool {
            let x = x ?? [:], y = y ?? [:]
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { $0 == value } ?? false }
        }
        return equal(a.hard, b?.hard) && equal(a.used, b?.used)
    }

    /// What `namespace` uses of `resources`.
    func usage(in namespace: String, for resources: Set<String>, quota: CoreV1.ResourceQuota) async throws -> [String: Quantity] {
        let now = clock.wallNow.time.secondsSinceEpoch
        let scopes = quota.spec?.scopes ?? []
        let selector = quota.spec?.scopeSelector
        var usage: [String: Quantity] = [:]
        let podNames: Set<String> = ["pods", "count/pods", "cpu", "memory", "ephemeral-storage"]
        if resources.contains(where: { podNames.contains($0) || $0.hasPrefix("requests.") && $0 != "requests.storage" || $0.hasPrefix("limits.") }) {
            let counted = pods.list(namespace: namespace).filter {
                QuotaUsage.podCounts($0, now: now) && QuotaUsage.podMatches($0, scopes: scopes, selector: selector)
            }
            usage.merge(QuotaUsage.podUsage(counted)) { $1 }
        }
        // Other kinds are outside any pod scope: a scoped quota tracks pods only.
        guard scopes.isEmpty && selector == nil else { return usage }
        if resources.contains(where: { $0.hasPrefix("services") || $0 == "count/services" }) {
            usage.merge(QuotaUsage.serviceUsage(services.list(namespace: namespace))) { $1 }
        }
        if resources.contains(where: { $0.contains("persistentvolumeclaims") || $0.contains("requests.storage") }) {
            usage.merge(QuotaUsage.claimUsage(claims.list(namespace: namespace))) { $1 }
        }
        let cached: [String: Int] = [
            "configmaps": configMaps.list(namespace: namespace).count, "secrets": secrets.list(namespace: namespace).count,
            "replicationcontrollers": replicationControllers.list(namespace: namespace).count,
            "resourcequotas": quotas.list(namespace: namespace).count,
        ]
        for (resource, count) in cached {
            usage[resource] = Quantity(integer: Int64(count))
            usage["count/\(resource)"] = Quantity(integer: Int64(count))
        }
        for name in resources where usage[name] == nil {
            guard let (group, resource) = QuotaUsage.countedResource(name), let info = try await servedResource(group: group, resource: resource)
            else { continue }
            usage[name] = Quantity(integer: Int64(try await dynamic.list(info, namespace: namespace).count))
        }
        return usage
    }

    private func servedResource(group: String, resource: String) async throws -> ResourceInfo? {
        var all = served.withLock { $0 }
        if all == nil {
            let fetched = try await dynamic.serverResources()
            served.withLock { $0 = fetched }
            all = fetched
        }
        return all?.first { $0.gvk.group == group && $0.plural == resource && $0.namespaced && $0.supports("list") }
    }
}
