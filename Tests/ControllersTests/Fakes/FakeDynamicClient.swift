import APIMachinery
import Client
import Synchronization
@testable import Controllers

/// A `DynamicClient` over in-memory objects per resource, for the namespace controller and the
/// garbage collector. It behaves as the apiserver does where those controllers depend on it:
/// deleting an object with finalizers only marks it (`deletionTimestamp`); a uid given to
/// `delete` or in a patch's `metadata.uid` is a precondition (409 Conflict), and so is a
/// patch's `metadata.resourceVersion`; an object being deleted goes once a patch clears its
/// last finalizer. Every call is recorded.
final class FakeDynamicClient: DynamicClient {
    enum Action: Equatable, Sendable {
        case serverResources
        case list(resource: String, namespace: String?)
        case get(resource: String, namespace: String, name: String)
        case deleteCollection(resource: String, namespace: String)
        case delete(resource: String, namespace: String, name: String, uid: String?, propagation: String?)
        case patch(resource: String, namespace: String, name: String, patch: JSONValue)
        case finalize(namespace: String, finalizers: [String])

        /// Only the writes (delete, deletecollection, patch, finalize).
        var isWrite: Bool {
            switch self {
            case .serverResources, .list, .get: false
            case .deleteCollection, .delete, .patch, .finalize: true
            }
        }
    }

    private struct State {
        var resources: [ResourceInfo] = []
        var discoveryError: StatusError?
        /// deletecollection of these resources (by plural) fails with the error.
        var deleteCollectionErrors: [String: StatusError] = [:]
        /// Objects by resource, then by `namespace/name`.
        var objects: [GroupVersionResource: [String: ObjectMetadata]] = [:]
        var actions: [Action] = []
        var resourceVersion = 1000
        /// The wall time stamped as `deletionTimestamp`.
        var now = Time(secondsSinceEpoch: 1_767_225_600)
    }

    private let state = Mutex(State())

    init(resources: [ResourceInfo] = []) {
        state.withLock { $0.resources = resources }
    }

    // MARK: Set-up and inspection

    func setResources(_ resources: [ResourceInfo]) { state.withLock { $0.resources = resources } }
    func failDiscovery(_ error: StatusError?) { state.withLock { $0.discoveryError = error } }
    func failDeleteCollection(_ resource: ResourceInfo, with error: StatusError?) {
        state.withLock { $0.deleteCollectionErrors[resource.plural] = error }
    }

    func seed(_ resource: ResourceInfo, _ object: ObjectMetadata) {
        state.withLock { $0.objects[resource.gvr, default: [:]][object.objectKey] = object }
    }

    func remove(_ resource: ResourceInfo, namespace: String, name: String) {
        _ = state.withLock { $0.objects[resource.gvr]?.removeValue(forKey: MetaNamespaceKey.key(namespace: namespace, name: name)) }
    }

    func object(_ resource: ResourceInfo, namespace: String, name: String) -> ObjectMetadata? {
        state.withLock { $0.objects[resource.gvr]?[MetaNamespaceKey.key(namespace: namespace, name: name)] }
    }

    func objects(_ resource: ResourceInfo, namespace: String) -> [ObjectMetadata] {
        state.withLock { s in (s.objects[resource.gvr] ?? [:]).values.filter { $0.objectNamespace == namespace }.sorted { $0.objectName < $1.objectName } }
    }

    var actions: [Action] { state.withLock { $0.actions } }
    var writes: [Action] { actions.filter(\.isWrite) }
    func clearActions() { state.withLock { $0.actions.removeAll() } }

    // MARK: DynamicClient

    func serverResources() async throws -> [ResourceInfo] {
        let (resources, error) = state.withLock { s in
            s.actions.append(.serverResources)
            return (s.resources, s.discoveryError)
        }
        if let error { throw error }
        return resources
    }

    func list(_ resource: ResourceInfo, namespace: String?) async throws -> [ObjectMetadata] {
        state.withLock { s in
            s.actions.append(.list(resource: resource.plural, namespace: namespace))
            let all = (s.objects[resource.gvr] ?? [:]).values
            return all.filter { namespace == nil || $0.objectNamespace == namespace }.sorted { $0.objectName < $1.objectName }
        }
    }

    func get(_ resource: ResourceInfo, namespace: String, name: String) async throws -> ObjectMetadata? {
        state.withLock { s in
            s.actions.append(.get(resource: resource.plural, namespace: namespace, name: name))
            return s.objects[resource.gvr]?[MetaNamespaceKey.key(namespace: namespace, name: name)]
        }
    }

    func deleteCollection(_ resource: ResourceInfo, namespace: String) async throws {
        let error = state.withLock { s -> StatusError? in
            s.actions.append(.deleteCollection(resource: resource.plural, namespace: namespace))
            if let error = s.deleteCollectionErrors[resource.plural] { return error }
            for (key, object) in s.objects[resource.gvr] ?? [:] where object.objectNamespace == namespace {
                s.objects[resource.gvr]?[key] = Self.deleted(object, at: s.now)
            }
            return nil
        }
        if let error { throw error }
    }

    func delete(_ resource: ResourceInfo, namespace: String, name: String, uid: String?, propagation: String?) async throws {
        let error = state.withLock { s -> StatusError? in
            s.actions.append(.delete(resource: resource.plural, namespace: namespace, name: name, uid: uid, propagation: propagation))
            let key = MetaNamespaceKey.key(namespace: namespace, name: name)
            guard let object = s.objects[resource.gvr]?[key] else {
                return StatusError(.notFound(group: resource.gvk.group, resource: resource.plural, name: name))
            }
            if let uid, object.metadata.uid != uid {
                return StatusError(.conflict(group: resource.gvk.group, resource: resource.plural, name: name))
            }
            s.objects[resource.gvr]?[key] = Self.deleted(object, at: s.now)
            return nil
        }
        if let error { throw error }
    }

    func patch(_ resource: ResourceInfo, namespace: String, name: String, merge: JSONValue) async throws {
        let error = state.withLock { s -> (any Error)? in
            s.actions.append(.patch(resource: resource.plural, namespace: namespace, name: name, patch: merge))
            let key = MetaNamespaceKey.key(namespace: namespace, name: name)
            guard let object = s.objects[resource.gvr]?[key] else {
                return StatusError(.notFound(group: resource.gvk.group, resource: resource.plural, name: name))
            }
            let uid = merge["metadata"]?["uid"]?.stringValue, version = merge["metadata"]?["resourceVersion"]?.stringValue
            if (uid != nil && uid != object.metadata.uid) || (version != nil && version != object.metadata.resourceVersion) {
                return StatusError(.conflict(group: resource.gvk.group, resource: resource.plural, name: name))
            }
            do {
                var patched = try JSONCodec.decode(ObjectMetadata.self, from: MergePatch.apply(merge, to: JSONCodec.tree(of: object)))
                s.resourceVersion += 1
                patched.metadata.resourceVersion = String(s.resourceVersion)
                if patched.metadata.deletionTimestamp != nil && (patched.metadata.finalizers ?? []).isEmpty {
                    s.objects[resource.gvr]?[key] = nil
                } else {
                    s.objects[resource.gvr]?[key] = patched
                }
                return nil
            } catch {
                return error
            }
        }
        if let error { throw error }
    }

    func finalize(_ namespace: CoreV1.Namespace) async throws {
        state.withLock { $0.actions.append(.finalize(namespace: namespace.name, finalizers: namespace.spec?.finalizers ?? [])) }
    }

    /// `object` after a delete: gone, or marked when finalizers hold it.
    private static func deleted(_ object: ObjectMetadata, at now: Time) -> ObjectMetadata? {
        guard !(object.metadata.finalizers ?? []).isEmpty else { return nil }
        var marked = object
        if marked.metadata.deletionTimestamp == nil { marked.metadata.deletionTimestamp = now }
        return marked
    }
}
