import APIMachinery
import Client

/// `VolumeObjects` read live from the apiserver (a missing object is nil, not an error).
public struct APIVolumeObjects: VolumeObjects {
    let rest: RESTClient

    public init(rest: RESTClient) { self.rest = rest }

    private func read<T: KubernetesObject & InformerObject>(_ type: T.Type, namespace: String?, name: String) async throws -> T? {
        do {
            return try await rest.resource(type, namespace: namespace).get(name)
        } catch let error as StatusError where error.isNotFound {
            return nil
        }
    }

    public func configMap(namespace: String, name: String) async throws -> CoreV1.ConfigMap? {
        try await read(CoreV1.ConfigMap.self, namespace: namespace, name: name)
    }

    public func secret(namespace: String, name: String) async throws -> CoreV1.Secret? {
        try await read(CoreV1.Secret.self, namespace: namespace, name: name)
    }

    public func persistentVolumeClaim(namespace: String, name: String) async throws -> CoreV1.PersistentVolumeClaim? {
        try await read(CoreV1.PersistentVolumeClaim.self, namespace: namespace, name: name)
    }

    public func persistentVolume(name: String) async throws -> CoreV1.PersistentVolume? {
        try await read(CoreV1.PersistentVolume.self, namespace: nil, name: name)
    }
}
