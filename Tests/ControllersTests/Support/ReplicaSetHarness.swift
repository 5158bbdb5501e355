import APIMachinery
import Client
import Component
@testable import Controllers

/// A `ReplicaSetController` over listers whose stores the fake client keeps up to date, on a
/// manual clock; tests call `sync` and the handlers directly (no workers run).
struct ReplicaSetHarness {
    let clock = ManualClock()
    let replicaSets = ThreadSafeStore<AppsV1.ReplicaSet>()
    let pods = ThreadSafeStore<CoreV1.Pod>()
    let client = FakeControllerClient()
    let events = RecordingEvents()
    let controller: ReplicaSetController
    let key = "\(Fixtures.namespace)/web"

    init(_ replicaSet: AppsV1.ReplicaSet? = Fixtures.replicaSet(), pods: [CoreV1.Pod] = []) {
        controller = ReplicaSetController(
            replicaSets: Lister(store: replicaSets), pods: Lister(store: self.pods), client: client, events: events,
            clock: clock, logger: Fixtures.logger)
        client.mirror(replicaSets)
        client.mirror(self.pods)
        if let replicaSet { client.seed(replicaSet) }
        for pod in pods { client.seed(pod) }
    }

    /// The ReplicaSet as the informer holds it.
    var replicaSet: AppsV1.ReplicaSet? { replicaSets.get(key: key) }
    var status: AppsV1.ReplicaSetStatus? { replicaSet?.status }

    /// Runs one sync; returns the error it threw, if any.
    @discardableResult
    func sync() async -> (any Error)? {
        do {
            try await controller.sync(key)
            return nil
        } catch {
            return error
        }
    }

    /// Delivers an informer `add` for every pod in the store (what a caught-up informer does
    /// after the controller's creates).
    func observeAllPods() {
        for pod in pods.list() { controller.podAdded(pod) }
    }

    /// Names of the pods deleted, sorted.
    var deletedPods: [String] {
        client.actions("delete", kind: "Pod").map(\.name).sorted()
    }

    /// Takes every ready key out of the controller's queue, in order.
    func drainQueue() async -> [String] { await controller.queue.drainReady() }
}
