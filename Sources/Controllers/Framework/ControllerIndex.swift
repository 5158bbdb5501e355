import APIMachinery
import Client

/// An informer index of objects by their controller's uid (orphans filed per namespace), so
/// that a controller's sync reads only its own objects and the orphans it may adopt instead of
/// its whole namespace: with 1,000 ReplicaSets of 10 pods, a sync reads 10 pods, not 10,000.
public enum ControllerIndex {
    public static let name = "controller"

    static func value(uid: String) -> String { uid }
    static func orphanValue(namespace: String) -> String { "orphan/\(namespace)" }

    /// Adds the index to `store` unless it is there already (informers are shared).
    public static func ensure<T: KubernetesObject & InformerObject>(_ store: ThreadSafeStore<T>) {
        do {
            try store.addIndexers([name: { object in
                [object.controllerRef.map { value(uid: $0.uid) } ?? orphanValue(namespace: object.namespace)]
            }])
        } catch .indexExists {
            return  // another controller of the process added it
        } catch {
            preconditionFailure("ControllerIndex: \(error)")
        }
    }

    /// The objects whose controller has `uid` (a scan when the store lacks the index).
    public static func controlled<T: KubernetesObject & InformerObject>(by uid: String, in lister: Lister<T>) -> [T] {
        do {
            return try lister.byIndex(name, value(uid: uid))
        } catch {
            return lister.list().filter { $0.controllerRef?.uid == uid }
        }
    }

    /// The objects of `namespace` that have no controller (a scan when the store lacks the index).
    public static func orphans<T: KubernetesObject & InformerObject>(in namespace: String, _ lister: Lister<T>) -> [T] {
        do {
            return try lister.byIndex(name, orphanValue(namespace: namespace))
        } catch {
            return lister.list(namespace: namespace).filter { $0.controllerRef == nil }
        }
    }
}
