/// A misuse of the scheduling queue that the scheduler should log.
public enum SchedulingQueueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `addUnschedulableIfNotPresent` for a pod the queue already holds.
    case alreadyPresent(key: String, in: SchedulingQueueState.SubQueue)

    public var description: String {
        switch self {
        case .alreadyPresent(let key, .active): "Pod \(key) is already present in the active queue"
        case .alreadyPresent(let key, .backoff): "Pod \(key) is already present in the backoff queue"
        case .alreadyPresent(let key, .unschedulable): "Pod \(key) is already present in unschedulable queue"
        }
    }
}
