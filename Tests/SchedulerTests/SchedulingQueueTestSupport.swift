import APIMachinery
@testable import Scheduler

/// Builders for scheduling-queue tests.
enum QueueTestPods {
    static func pod(
        _ name: String,
        namespace: String = "default",
        priority: Int32? = nil,
        labels: [String: String]? = nil,
        nodeName: String? = nil,
        nominatedNodeName: String? = nil,
        cpu: String? = nil
    ) -> CoreV1.Pod {
        let requests = cpu.flatMap { try? Quantity($0) }.map { ["cpu": $0] }
        return CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(labels: labels, name: name, namespace: namespace, uid: "uid-\(name)"),
            spec: CoreV1.PodSpec(
                containers: [CoreV1.Container(name: "app", resources: CoreV1.ResourceRequirements(requests: requests))],
                nodeName: nodeName,
                priority: priority),
            status: nominatedNodeName.map { CoreV1.PodStatus(nominatedNodeName: $0) }
        )
    }

    static func key(_ name: String, namespace: String = "default") -> String { "\(namespace)/\(name)" }
}

extension SchedulingQueueState {
    /// A state ordered by PrioritySort.
    static func prioritySorted(_ options: SchedulingQueueOptions = SchedulingQueueOptions()) -> SchedulingQueueState {
        SchedulingQueueState(less: QueuedPodInfo.prioritySort, options: options)
    }

    /// Pops the head and hands it back as failed by `plugins` (none: an error) in the same
    /// cycle; returns where it went.
    mutating func failHead(
        rejectedBy plugins: Set<String>,
        now: ContinuousClock.Instant
    ) throws -> SchedulingQueueUpdate {
        guard var info = pop() else { throw QueueTestError.emptyQueue }
        info.unschedulablePlugins = plugins
        return try addUnschedulableIfNotPresent(info, now: now)
    }

    /// The head of the active queue, popped; throws when it is empty.
    mutating func popOrThrow() throws -> QueuedPodInfo {
        guard let info = pop() else { throw QueueTestError.emptyQueue }
        return info
    }

    /// Keys in pop order (drains the active queue).
    mutating func drainActive() -> [String] {
        var keys: [String] = []
        while let info = pop() {
            keys.append(info.key)
            done(info.key)
        }
        return keys
    }
}

enum QueueTestError: Error { case emptyQueue }
