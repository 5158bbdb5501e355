import APIMachinery
import Client
import Component
import Logging

/// An object a controller reads from an informer and writes through a `ControllerClient`.
public typealias ControlledObject = KubernetesObject & InformerObject & JSONCodable

/// The writes a controller makes, so that the same sync runs against the apiserver
/// (`RESTControllerClient`) or a fake that records them. Errors are `StatusError`s as the
/// apiserver returns them.
public protocol ControllerClient: Sendable {
    /// Reads `name` from the apiserver rather than a cache (where upstream confirms what an
    /// informer may not have seen yet); nil when it does not exist.
    func get<T: ControlledObject>(_ type: T.Type, namespace: String, name: String) async throws -> T?
    /// Creates `object` (its `metadata.namespace` says where); returns it as stored.
    func create<T: ControlledObject>(_ object: T) async throws -> T
    /// Replaces `object` (compare-and-swap on its resourceVersion).
    func update<T: ControlledObject>(_ object: T) async throws -> T
    /// Replaces the `status` subresource of `object`.
    func updateStatus<T: ControlledObject>(_ object: T) async throws -> T
    /// Applies a JSON merge patch (RFC 7386) to `name`.
    func patch<T: ControlledObject>(_ type: T.Type, namespace: String, name: String, merge: JSONValue) async throws -> T
    /// Deletes `name`; with `uid`, only if the object still has that uid (a precondition); with
    /// `gracePeriodSeconds` 0, at once (a force delete).
    func delete<T: ControlledObject>(
        _ type: T.Type, namespace: String, name: String, uid: String?, propagation: String?, gracePeriodSeconds: Int64?
    ) async throws
}

extension ControllerClient {
    /// Deletes `name` with the object's own grace period.
    public func delete<T: ControlledObject>(_ type: T.Type, namespace: String, name: String, uid: String?, propagation: String?) async throws {
        try await delete(type, namespace: namespace, name: name, uid: uid, propagation: propagation, gracePeriodSeconds: nil)
    }
}

/// `ControllerClient` over the apiserver's REST API.
public struct RESTControllerClient: ControllerClient {
    public let rest: RESTClient

    public init(rest: RESTClient) { self.rest = rest }

    public func get<T: ControlledObject>(_ type: T.Type, namespace: String, name: String) async throws -> T? {
        do {
            return try await rest.resource(T.self, namespace: namespace).get(name)
        } catch let error as StatusError where error.isNotFound {
            return nil
        }
    }

    public func create<T: ControlledObject>(_ object: T) async throws -> T {
        try await rest.resource(T.self, namespace: object.namespace).create(object)
    }

    public func update<T: ControlledObject>(_ object: T) async throws -> T {
        try await rest.resource(T.self, namespace: object.namespace).update(object)
    }

    public func updateStatus<T: ControlledObject>(_ object: T) async throws -> T {
        try await rest.resource(T.self, namespace: object.namespace).updateStatus(object)
    }

    public func patch<T: ControlledObject>(_ type: T.Type, namespace: String, name: String, merge: JSONValue) async throws -> T {
        try await rest.resource(T.self, namespace: namespace).patch(name, type: .merge, body: JSONCodec.encode(merge))
    }

    public func delete<T: ControlledObject>(
        _ type: T.Type, namespace: String, name: String, uid: String?, propagation: String?, gracePeriodSeconds: Int64?
    ) async throws {
        var options = MetaV1.DeleteOptions()
        options.gracePeriodSeconds = gracePeriodSeconds
        if let uid { options.preconditions = MetaV1.Preconditions(uid: uid) }
        options.propagationPolicy = propagation
        try await rest.resource(T.self, namespace: namespace).delete(name, options: options)
    }
}

extension StatusError {
    /// The namespace is terminating: creations in it are refused, and that is no one's failure.
    public var isNamespaceTerminating: Bool {
        status.details?.causes?.contains { $0.reason == "NamespaceTerminating" } == true
    }
}

extension Logger {
    /// Logs a failed sync that will be retried: conflicts (a stale cache, the normal case of
    /// optimistic concurrency) at debug, anything else at info, as upstream logs them.
    public func syncFailed(_ message: Logger.Message, _ error: any Error, metadata: Logger.Metadata) {
        var metadata = metadata
        metadata["error"] = "\(error)"
        if let status = error as? StatusError, status.isConflict {
            debug(message, metadata: metadata)
        } else {
            info(message, metadata: metadata)
        }
    }
}

extension ControllerRunner where Key == String {
    /// A runner over the queue `name` logging each failed sync as `failure`, with the key under
    /// `label`, and timing each sync into `metrics` when given.
    init(
        queue: WorkQueue<String>, name: String, metrics: WorkQueueMetrics?, logger: Logger, failure: Logger.Message, label: String,
        sync: @escaping @Sendable (String) async throws -> Void
    ) {
        metrics?.watch(queue, name: name)
        let clock = queue.clock
        self.init(queue: queue, onFailure: { key, error, _ in
            logger.syncFailed(failure, error, metadata: [label: "\(key)"])
        }, sync: { key in
            guard let metrics else { return try await sync(key) }
            let start = clock.now
            do {
                try await sync(key)
                metrics.processed(name, seconds: (clock.now - start).seconds, failed: false)
            } catch {
                metrics.processed(name, seconds: (clock.now - start).seconds, failed: true)
                throw error
            }
        })
    }
}
