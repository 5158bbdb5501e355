import APIMachinery
import CRIAPI
import Client
import Component
import Foundation
import Testing
@testable import Kubelet

/// Small builders shared by the Kubelet test suites.
enum Fx {
    /// A quantity from its text; the tests only use valid literals.
    static func q(_ text: String) -> Quantity {
        do { return try Quantity(text) } catch { fatalError("bad quantity literal \(text): \(error)") }
    }

    static func resources(requests: [String: String] = [:], limits: [String: String] = [:]) -> CoreV1.ResourceRequirements {
        CoreV1.ResourceRequirements(
            limits: limits.isEmpty ? nil : limits.mapValues { q($0) },
            requests: requests.isEmpty ? nil : requests.mapValues { q($0) })
    }

    static func container(_ name: String, image: String = "registry.example.com/app:1.0") -> CoreV1.Container {
        CoreV1.Container(image: image, name: name)
    }

    /// A restartable init container (a sidecar).
    static func sidecar(_ name: String, image: String = "registry.example.com/proxy:1.0") -> CoreV1.Container {
        var container = CoreV1.Container(image: image, name: name)
        container.restartPolicy = "Always"
        return container
    }

    static func pod(
        name: String = "web", namespace: String = "default", uid: String = "uid-1",
        containers: [CoreV1.Container], initContainers: [CoreV1.Container]? = nil, restartPolicy: String? = nil
    ) -> CoreV1.Pod {
        var spec = CoreV1.PodSpec(containers: containers)
        spec.initContainers = initContainers
        spec.restartPolicy = restartPolicy
        return CoreV1.Pod(metadata: MetaV1.ObjectMeta(name: name, namespace: namespace, uid: uid), spec: spec)
    }

    static func readySandbox(id: String = "sb-1", attempt: UInt32 = 0, ip: String = "10.88.0.5", createdAt: Int64 = 1) -> RuntimePodStatus.Sandbox {
        RuntimePodStatus.Sandbox(id: id, attempt: attempt, ready: true, ip: ip, createdAt: createdAt)
    }

    static func deadSandbox(id: String = "sb-1", attempt: UInt32 = 0, createdAt: Int64 = 1) -> RuntimePodStatus.Sandbox {
        RuntimePodStatus.Sandbox(id: id, attempt: attempt, ready: false, ip: "", createdAt: createdAt)
    }

    /// A running record of `container` with its current spec hash.
    static func running(_ container: CoreV1.Container, id: String? = nil, createdAt: Int64 = 10, startedAt: Int64? = nil,
                        restartCount: Int = 0) -> RuntimePodStatus.Container {
        RuntimePodStatus.Container(
            id: id ?? "\(container.name)-\(createdAt)", name: container.name, sandboxID: "sb-1", state: .running,
            restartCount: restartCount, hash: ContainerHash.of(container), createdAt: createdAt,
            startedAt: startedAt ?? createdAt)
    }

    /// An exited record of `container`.
    static func exited(_ container: CoreV1.Container, code: Int32, id: String? = nil, createdAt: Int64 = 10,
                       startedAt: Int64? = nil, finishedAt: Int64? = nil, restartCount: Int = 0,
                       reason: String = "") -> RuntimePodStatus.Container {
        RuntimePodStatus.Container(
            id: id ?? "\(container.name)-\(createdAt)", name: container.name, sandboxID: "sb-1", state: .exited,
            restartCount: restartCount, hash: ContainerHash.of(container), createdAt: createdAt,
            startedAt: startedAt ?? createdAt, finishedAt: finishedAt ?? (createdAt + 1), exitCode: code, reason: reason)
    }

    /// A fresh directory under the system's temporary directory.
    static func temporaryDirectory(_ label: String) -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("kubelet-tests-\(label)-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            fatalError("cannot create \(path): \(error)")
        }
        return path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The permission bits of the item at `path` (following symlinks in the parent path only).
    static func mode(_ path: String) -> Int? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let number = attributes[.posixPermissions] as? NSNumber
        else { return nil }
        return number.intValue & 0o7777
    }

    /// Environment pairs as a dictionary (last value wins).
    static func dictionary(_ pairs: [(String, String)]) -> [String: String] {
        Dictionary(pairs, uniquingKeysWith: { _, new in new })
    }
}
