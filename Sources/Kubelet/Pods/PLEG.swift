import CRIAPI
import Component
import Logging

/// The pod lifecycle event generator (upstream's generic PLEG): relists the runtime every
/// `period` and reports the pod UIDs whose sandboxes or containers changed state since the
/// last relist, plus UIDs the runtime holds that no known pod has (for clean-up). It reads
/// labels only; the sync reads details.
public struct PLEG: Sendable {
    let runtime: any ContainerRuntime
    let clock: any ComponentClock
    let period: Swift.Duration
    let logger: Logger
    let known: @Sendable () -> Set<String>
    let changed: @Sendable (String) -> Void

    public init(runtime: any ContainerRuntime, clock: any ComponentClock, period: Swift.Duration, logger: Logger,
                known: @escaping @Sendable () -> Set<String>, changed: @escaping @Sendable (String) -> Void) {
        self.runtime = runtime
        self.clock = clock
        self.period = period
        self.logger = logger
        self.known = known
        self.changed = changed
    }

    /// State of everything by pod UID: object ID → state.
    public typealias Snapshot = [String: [String: Int]]

    /// The UIDs whose entries differ between two relists.
    public static func diff(_ old: Snapshot, _ new: Snapshot) -> Set<String> {
        var result = Set<String>()
        for uid in Set(old.keys).union(new.keys) where old[uid] != new[uid] { result.insert(uid) }
        return result
    }

    func relist() async throws -> Snapshot {
        var snapshot: Snapshot = [:]
        for sandbox in try await runtime.listPodSandboxes(podUID: nil) {
            guard let uid = sandbox.labels[RuntimeLabels.podUID] else { continue }
            snapshot[uid, default: [:]][sandbox.id] = sandbox.state.rawValue
        }
        for container in try await runtime.listContainers(podUID: nil) {
            guard let uid = container.labels[RuntimeLabels.podUID] else { continue }
            snapshot[uid, default: [:]][container.id] = container.state.rawValue
        }
        return snapshot
    }

    public func run() async {
        var previous: Snapshot = [:]
        var failing = false
        while !Task.isCancelled {
            do {
                let current = try await relist()
                let knownPods = known()
                for uid in Self.diff(previous, current) { changed(uid) }
                // Leftovers of pods that are gone are reported until cleaned up.
                for uid in current.keys where !knownPods.contains(uid) && previous[uid] != nil { changed(uid) }
                previous = current
                if failing { logger.info("runtime relist works again") }
                failing = false
            } catch {
                if !failing { logger.warning("runtime relist failed", metadata: ["error": "\(error)"]) }
                failing = true
            }
            do { try await clock.sleep(for: period) } catch { return }
        }
    }
}
