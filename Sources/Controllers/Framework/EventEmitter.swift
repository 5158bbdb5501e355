import APIMachinery
import Client

/// Where a controller reports events (`SuccessfulCreate`, `FailedCreate`, …): an
/// `EventRecorder` in the process, a recording fake in tests.
public protocol EventEmitter: Sendable {
    func event(regarding object: CoreV1.ObjectReference, type: EventType, reason: String, message: String)
}

extension EventEmitter {
    /// An event about `object`, referenced by kind, name, namespace, uid and resourceVersion.
    public func event(regarding object: some KubernetesObject, type: EventType, reason: String, message: String) {
        event(regarding: CoreV1.ObjectReference(referencing: object), type: type, reason: reason, message: message)
    }
}

extension EventRecorder: EventEmitter {
    public func event(regarding object: CoreV1.ObjectReference, type: EventType, reason: String, message: String) {
        let _: Bool = self.event(regarding: object, type: type, reason: reason, message: message)
    }
}
