import APIMachinery
import Client
import Component
import Logging

/// The `clusterrole-aggregation` controller: a ClusterRole with an `aggregationRule` holds the
/// rules of every other ClusterRole its selectors match (admin, edit and view are built this
/// way from the system:aggregate-to-* roles and any role labelled to join them), as
/// kube-controller-manager's ClusterRoleAggregationController: roles taken selector by selector,
/// by name within one, each rule once, the role written only when its rules differ.
public final class ClusterRoleAggregationController: Sendable {
    let clusterRoles: Lister<RBACV1.ClusterRole>
    let client: any ControllerClient
    let logger: Logger
    public let queue: WorkQueue<String>

    public init(clusterRoles: Lister<RBACV1.ClusterRole>, client: any ControllerClient, clock: any ComponentClock, logger: Logger) {
        self.clusterRoles = clusterRoles
        self.client = client
        self.logger = logger
        self.queue = WorkQueue(clock: clock)
    }

    /// Any change to any ClusterRole may change what an aggregated role holds: every
    /// aggregated role is looked at again (there are a handful).
    public func register(clusterRoles informer: SharedInformer<RBACV1.ClusterRole>) {
        _ = informer.addEventHandler(ResourceEventHandler(onAnyChange: { [self] _ in enqueueAggregated() }))
    }

    func enqueueAggregated() {
        for role in clusterRoles.list() where role.aggregationRule != nil { queue.add(role.objectName) }
    }

    public func run(workers: Int, metrics: WorkQueueMetrics? = nil) async {
        let runner = ControllerRunner(
            queue: queue, name: "ClusterRoleAggregator", metrics: metrics, logger: logger,
            failure: "clusterrole aggregation failed; retrying", label: "clusterrole") { [self] in try await sync($0) }
        await runner.run(workers: workers)
    }

    /// Writes the aggregated rules of ClusterRole `name`.
    public func sync(_ name: String) async throws {
        guard var role = clusterRoles.get(namespace: "", name: name), let rule = role.aggregationRule else { return }
        let rules = try Self.aggregatedRules(rule, of: name, from: clusterRoles.list())
        if rules == (role.rules ?? []) { return }
        role.rules = rules
        do {
            _ = try await client.update(role.withTypeMeta())
        } catch let error as StatusError where error.isConflict || error.isNotFound {
            logger.debug("aggregated clusterrole changed under the update; it is queued again", metadata: ["clusterrole": "\(name)"])
        }
    }

    /// The rules of the roles `rule` selects (the aggregated role itself left out), in
    /// selector order, then by role name, each rule once.
    static func aggregatedRules(_ rule: RBACV1.AggregationRule, of name: String, from roles: [RBACV1.ClusterRole]) throws -> [RBACV1.PolicyRule] {
        let sorted = roles.sorted { $0.objectName < $1.objectName }
        var rules: [RBACV1.PolicyRule] = []
        for selector in rule.clusterRoleSelectors ?? [] {
            let query = try selector.query()
            for role in sorted where role.objectName != name && query.matches(role.metadata?.labels ?? [:]) {
                for policy in role.rules ?? [] where !rules.contains(policy) { rules.append(policy) }
            }
        }
        return rules
    }
}
