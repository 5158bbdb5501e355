import APIMachinery
import Client
import Synchronization
@testable import Controllers

/// A `ControllerClient` over an in-memory apiserver: it records every write, names objects
/// created with `generateName` (`prefix` + a counter), assigns uids and resourceVersions, and
/// can be told to refuse creates after some successes, so that slow start and `FailedCreate`
/// can be observed.
///
/// Writes that succeed are also applied to the `ThreadSafeStore`s registered with `mirror(_:)`
/// (the stores behind the listers handed to a controller), so that a second sync sees the
/// first's writes, as an informer would; `setLagging(_:)` makes one kind's informer lag.
final class FakeControllerClient: ControllerClient {
    /// One call made to the client, successful or not.
    enum Action: Equatable, Sendable, CustomStringConvertible {
        case create(kind: String, namespace: String, name: String)
        case update(kind: String, namespace: String, name: String)
        case updateStatus(kind: String, namespace: String, name: String)
        case patch(kind: String, namespace: String, name: String, patch: JSONValue)
        case delete(kind: String, namespace: String, name: String, uid: String?, propagation: String?)

        var verb: String {
            switch self {
            case .create: "create"
            case .update: "update"
            case .updateStatus: "updateStatus"
            case .patch: "patch"
            case .delete: "delete"
            }
        }

        var kind: String {
            switch self {
            case .create(let kind, _, _), .update(let kind, _, _), .updateStatus(let kind, _, _),
                .patch(let kind, _, _, _), .delete(let kind, _, _, _, _):
                kind
            }
        }

        var name: String {
            switch self {
            case .create(_, _, let name), .update(_, _, let name), .updateStatus(_, _, let name),
                .patch(_, _, let name, _), .delete(_, _, let name, _, _):
                name
            }
        }

        var description: String { "\(verb) \(kind) \(name)" }
    }

    /// Writes an object to (or removes it from) an informer store, type-erased.
    struct Mirror: Sendable {
        let upsert: @Sendable (JSONValue) throws -> Void
        let remove: @Sendable (String) -> Void
    }

    private struct State {
        /// Stored objects by `Kind/namespace/name`.
        var objects: [String: JSONValue] = [:]
        var actions: [Action] = []
        var counter = 0
        var resourceVersion = 100
        var createAttempts = 0
        var createSuccesses = 0
        /// Creates succeed this many times, then fail with `createError`.
        var createsAllowed: Int?
        var createError: StatusError?
        /// Every delete fails with this, when set.
        var deleteError: StatusError?
        var mirrors: [String: Mirror] = [:]
        /// Kinds whose writes do not reach their mirrored store.
        var lagging: Set<String> = []
        /// The grace period each delete asked for, by `namespace/name`, when it named one.
        var gracePeriods: [String: Int64] = [:]
        /// Deletes honour finalizers (see `honorFinalizers(_:)`).
        var honorsFinalizers = false
        var gets: [String] = []

        mutating func nextResourceVersion() -> String {
            resourceVersion += 1
            return String(resourceVersion)
        }
    }

    private let state = Mutex(State())

    // MARK: Set-up

    /// Applies successful writes of `T` to `store` (unless `T` is lagging).
    func mirror<T: ControlledObject>(_ store: ThreadSafeStore<T>) {
        let mirror = Mirror(
            upsert: { json in store.add(try JSONCodec.decode(T.self, from: json)) },
            remove: { key in store.delete(key: key) })
        state.withLock { $0.mirrors[T.groupVersionKind.kind] = mirror }
    }

    /// Whether writes of `T` stop reaching its mirrored store: a lagging informer.
    func setLagging<T: ControlledObject>(_ type: T.Type, _ lagging: Bool = true) {
        state.withLock { s in
            let kind = T.groupVersionKind.kind
            if lagging {
                s.lagging.insert(kind)
            } else {
                s.lagging.remove(kind)
            }
        }
    }

    /// Stores `object` as the apiserver holds it, and in its mirrored store (always: seeding
    /// is the state both sides agree on). Not recorded as an action.
    func seed<T: ControlledObject>(_ object: T, mirror: Bool = true) {
        let json = JSONCodec.tree(of: object.withTypeMeta())
        let key = Self.key(T.self, object.namespace, object.name)
        let target = state.withLock { s -> Mirror? in
            s.objects[key] = json
            return mirror ? s.mirrors[T.groupVersionKind.kind] : nil
        }
        do {
            try target?.upsert(json)
        } catch {
            preconditionFailure("seeded \(T.groupVersionKind.kind) does not decode: \(error)")
        }
    }

    /// Removes an object from the fake apiserver only (the informer has not seen it go).
    func forget<T: ControlledObject>(_ type: T.Type, namespace: String, name: String) {
        _ = state.withLock { $0.objects.removeValue(forKey: Self.key(type, namespace, name)) }
    }

    /// After `successes` more successful creates, every create fails with `error`.
    func failCreates(after successes: Int, with error: StatusError) {
        state.withLock { s in
            s.createsAllowed = s.createSuccesses + successes
            s.createError = error
        }
    }

    /// Every delete fails with `error` (nil: deletes work again).
    func failDeletes(with error: StatusError?) {
        state.withLock { $0.deleteError = error }
    }

    /// Makes deletes honour finalizers as the apiserver does: an object that has any is only
    /// marked, with a `deletionTimestamp` (`deletionTime`), and goes when a patch removes its
    /// last finalizer. Off by default: a delete removes the object at once.
    func honorFinalizers(_ on: Bool = true) {
        state.withLock { $0.honorsFinalizers = on }
    }

    /// The `deletionTimestamp` a delete sets on an object with finalizers: `Fixtures.epoch`.
    static let deletionTime = "2026-01-01T00:00:00Z"

    /// Creates succeed again.
    func stopFailingCreates() {
        state.withLock { s in
            s.createsAllowed = nil
            s.createError = nil
        }
    }

    // MARK: Inspection

    var actions: [Action] { state.withLock { $0.actions } }
    var createAttempts: Int { state.withLock { $0.createAttempts } }
    var createSuccesses: Int { state.withLock { $0.createSuccesses } }

    func actions(_ verb: String, kind: String? = nil) -> [Action] {
        actions.filter { $0.verb == verb && (kind == nil || $0.kind == kind) }
    }

    /// Forgets the recorded actions (not the objects).
    func clearActions() { state.withLock { $0.actions.removeAll() } }

    /// The grace period the delete of `namespace/name` asked for, if it named one.
    func gracePeriod(_ key: String) -> Int64? { state.withLock { $0.gracePeriods[key] } }

    /// The stored objects of `T`, sorted by namespace and name.
    func objects<T: ControlledObject>(_ type: T.Type) -> [T] {
        let prefix = T.groupVersionKind.kind + "/"
        let values = state.withLock { s in s.objects.filter { $0.key.hasPrefix(prefix) }.sorted { $0.key < $1.key }.map(\.value) }
        return values.compactMap { try? JSONCodec.decode(T.self, from: $0) }
    }

    func object<T: ControlledObject>(_ type: T.Type, namespace: String, name: String) -> T? {
        let json = state.withLock { $0.objects[Self.key(type, namespace, name)] }
        return json.flatMap { try? JSONCodec.decode(T.self, from: $0) }
    }

    // MARK: ControllerClient

    func get<T: ControlledObject>(_ type: T.Type, namespace: String, name: String) async throws -> T? {
        state.withLock { $0.gets.append("\(T.groupVersionKind.kind)/\(namespace)/\(name)") }
        return object(type, namespace: namespace, name: name)
    }

    /// The live reads made (`Kind/namespace/name`), in order; reads are not writes, so they
    /// are not among `actions`.
    var gets: [String] { state.withLock { $0.gets } }

    func create<T: ControlledObject>(_ object: T) async throws -> T {
        let kind = T.groupVersionKind.kind
        let outcome = state.withLock { s -> (Result<JSONValue, StatusError>, Mirror?) in
            s.createAttempts += 1
            var meta = object.metadata ?? MetaV1.ObjectMeta()
            if (meta.name ?? "").isEmpty, let prefix = meta.generateName {
                s.counter += 1
                meta.name = prefix + String(s.counter)
            }
            let namespace = meta.namespace ?? "", name = meta.name ?? ""
            s.actions.append(.create(kind: kind, namespace: namespace, name: name))
            if let allowed = s.createsAllowed, s.createSuccesses >= allowed, let error = s.createError {
                return (.failure(error), nil)
            }
            let key = Self.key(T.self, namespace, name)
            guard s.objects[key] == nil else {
                return (.failure(StatusError(.alreadyExists(group: T.groupVersionKind.group, resource: Self.resource(T.self), name: name))), nil)
            }
            s.counter += 1
            meta.uid = meta.uid ?? "uid-\(s.counter)"
            meta.resourceVersion = s.nextResourceVersion()
            var stored = object.withTypeMeta()
            stored.metadata = meta
            let json = JSONCodec.tree(of: stored)
            s.objects[key] = json
            s.createSuccesses += 1
            return (.success(json), s.lagging.contains(kind) ? nil : s.mirrors[kind])
        }
        let json = try outcome.0.get()
        try outcome.1?.upsert(json)
        return try JSONCodec.decode(T.self, from: json)
    }

    func update<T: ControlledObject>(_ object: T) async throws -> T {
        try await replace(object, action: .update(kind: T.groupVersionKind.kind, namespace: object.namespace, name: object.name)) { _, new in new }
    }

    func updateStatus<T: ControlledObject>(_ object: T) async throws -> T {
        try await replace(object, action: .updateStatus(kind: T.groupVersionKind.kind, namespace: object.namespace, name: object.name)) { old, new in
            // The status subresource replaces `status` whole and nothing else.
            guard case .object(var object) = old else { return old }
            object["status"] = new["status"]
            return .object(object)
        }
    }

    /// Update and updateStatus: the object must exist and, when it names a resourceVersion,
    /// still have it.
    private func replace<T: ControlledObject>(_ object: T, action: Action, merge: (JSONValue, JSONValue) -> JSONValue) async throws -> T {
        let kind = T.groupVersionKind.kind
        let key = Self.key(T.self, object.namespace, object.name)
        let outcome = state.withLock { s -> (Result<JSONValue, StatusError>, Mirror?) in
            s.actions.append(action)
            guard let old = s.objects[key] else {
                return (.failure(StatusError(.notFound(group: T.groupVersionKind.group, resource: Self.resource(T.self), name: object.name))), nil)
            }
            let wanted = object.metadata?.resourceVersion ?? ""
            if !wanted.isEmpty, old["metadata"]?["resourceVersion"]?.stringValue != wanted {
                return (.failure(StatusError(.conflict(group: T.groupVersionKind.group, resource: Self.resource(T.self), name: object.name))), nil)
            }
            var json = merge(old, JSONCodec.tree(of: object.withTypeMeta()))
            json = MergePatch.apply(["metadata": ["resourceVersion": .string(s.nextResourceVersion())]], to: json)
            s.objects[key] = json
            return (.success(json), s.lagging.contains(kind) ? nil : s.mirrors[kind])
        }
        let json = try outcome.0.get()
        try outcome.1?.upsert(json)
        return try JSONCodec.decode(T.self, from: json)
    }

    func patch<T: ControlledObject>(_ type: T.Type, namespace: String, name: String, merge: JSONValue) async throws -> T {
        let kind = T.groupVersionKind.kind
        let key = Self.key(T.self, namespace, name)
        let outcome = state.withLock { s -> (Result<JSONValue, StatusError>, Mirror?, Bool) in
            s.actions.append(.patch(kind: kind, namespace: namespace, name: name, patch: merge))
            guard let old = s.objects[key] else {
                return (.failure(StatusError(.notFound(group: T.groupVersionKind.group, resource: Self.resource(T.self), name: name))), nil, false)
            }
            // A uid in the patch is a precondition, as the apiserver treats it.
            if let uid = merge["metadata"]?["uid"]?.stringValue, uid != old["metadata"]?["uid"]?.stringValue {
                return (.failure(StatusError(.conflict(group: T.groupVersionKind.group, resource: Self.resource(T.self), name: name))), nil, false)
            }
            var json = MergePatch.apply(merge, to: old)
            json = MergePatch.apply(["metadata": ["resourceVersion": .string(s.nextResourceVersion())]], to: json)
            // An object being deleted goes once its last finalizer is removed.
            let gone = s.honorsFinalizers && Self.isDeleting(json) && !Self.hasFinalizers(json)
            s.objects[key] = gone ? nil : json
            return (.success(json), s.lagging.contains(kind) ? nil : s.mirrors[kind], gone)
        }
        let json = try outcome.0.get()
        if outcome.2 {
            outcome.1?.remove(MetaNamespaceKey.key(namespace: namespace, name: name))
        } else {
            try outcome.1?.upsert(json)
        }
        return try JSONCodec.decode(T.self, from: json)
    }

    func delete<T: ControlledObject>(
        _ type: T.Type, namespace: String, name: String, uid: String?, propagation: String?, gracePeriodSeconds: Int64?
    ) async throws {
        let kind = T.groupVersionKind.kind
        let key = Self.key(T.self, namespace, name)
        let outcome = state.withLock { s -> (StatusError?, Mirror?, JSONValue?) in
            s.actions.append(.delete(kind: kind, namespace: namespace, name: name, uid: uid, propagation: propagation))
            if let gracePeriodSeconds { s.gracePeriods["\(namespace)/\(name)"] = gracePeriodSeconds }
            if let error = s.deleteError { return (error, nil, nil) }
            guard let old = s.objects[key] else {
                return (StatusError(.notFound(group: T.groupVersionKind.group, resource: Self.resource(T.self), name: name)), nil, nil)
            }
            if let uid, old["metadata"]?["uid"]?.stringValue != uid {
                return (StatusError(.conflict(group: T.groupVersionKind.group, resource: Self.resource(T.self), name: name)), nil, nil)
            }
            let mirror = s.lagging.contains(kind) ? nil : s.mirrors[kind]
            if s.honorsFinalizers && Self.hasFinalizers(old) {
                // Only marked: it stays until its finalizers are removed.
                var json = old
                if !Self.isDeleting(old) {
                    json = MergePatch.apply(["metadata": ["deletionTimestamp": .string(Self.deletionTime)]], to: json)
                }
                json = MergePatch.apply(["metadata": ["resourceVersion": .string(s.nextResourceVersion())]], to: json)
                s.objects[key] = json
                return (nil, mirror, json)
            }
            s.objects[key] = nil
            return (nil, mirror, nil)
        }
        if let error = outcome.0 { throw error }
        if let marked = outcome.2 {
            try outcome.1?.upsert(marked)
        } else {
            outcome.1?.remove(MetaNamespaceKey.key(namespace: namespace, name: name))
        }
    }

    // MARK: Helpers

    /// Whether `json` names any finalizer.
    static func hasFinalizers(_ json: JSONValue) -> Bool {
        if case .array(let finalizers)? = json["metadata"]?["finalizers"] { return !finalizers.isEmpty }
        return false
    }

    /// Whether `json` has a `deletionTimestamp`.
    static func isDeleting(_ json: JSONValue) -> Bool {
        guard let timestamp = json["metadata"]?["deletionTimestamp"] else { return false }
        return timestamp != .null
    }

    static func key<T: ControlledObject>(_ type: T.Type, _ namespace: String, _ name: String) -> String {
        "\(T.groupVersionKind.kind)/\(namespace)/\(name)"
    }

    static func resource<T: ControlledObject>(_ type: T.Type) -> String {
        T.groupVersionKind.kind.lowercased() + "s"
    }
}

extension StatusError {
    /// `403 Forbidden` as a ResourceQuota admission refusal words it.
    static func quotaExceeded(_ name: String = "compute") -> StatusError {
        StatusError(.failure(
            .forbidden,
            message: "pods \"web-x\" is forbidden: exceeded quota: \(name), requested: pods=1, used: pods=3, limited: pods=3"))
    }

    /// `403 Forbidden` with the `NamespaceTerminating` cause, as the apiserver refuses creations
    /// in a namespace being deleted.
    static func namespaceTerminating(_ namespace: String) -> StatusError {
        StatusError(.failure(
            .forbidden,
            message: "pods \"web-x\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
            details: MetaV1.StatusDetails(causes: [MetaV1.StatusCause(
                field: "metadata.namespace", message: "namespace \(namespace) is being terminated", reason: "NamespaceTerminating")])))
    }
}
