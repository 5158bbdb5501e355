import APIMachinery
import Crypto
import Foundation

/// Static pods: pod manifests in `staticPodPath` that the kubelet runs on its own, whatever the
/// apiserver holds, and shows there as mirror pods. As upstream's file source: every `.yaml`,
/// `.yml` or `.json` file not starting with a dot holds one Pod; its name gets the node's name
/// appended, its namespace defaults to `default`, its UID is a hash of the manifest, the node and
/// the file (so an edited manifest is a new pod), and it is bound to this node and tolerates
/// every NoExecute taint.
public enum StaticPodSource {
    public static let hashAnnotation = "kubernetes.io/config.hash"
    public static let mirrorAnnotation = "kubernetes.io/config.mirror"
    public static let sourceAnnotation = "kubernetes.io/config.source"
    public static let seenAnnotation = "kubernetes.io/config.seen"

    /// Whether a file name is a manifest the source reads.
    public static func isManifest(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json"))
    }

    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The static pod a manifest describes.
    public static func pod(path: String, contents: String, nodeName: String, seen: String) throws(Invalid) -> CoreV1.Pod {
        let tree: JSONValue
        do { tree = try YAMLCodec.parse(contents) } catch { throw Invalid(description: "\(path): \(error)") }
        guard tree["kind"]?.stringValue == "Pod", tree["apiVersion"]?.stringValue == "v1" else {
            throw Invalid(description: "\(path): not a v1 Pod manifest")
        }
        var pod: CoreV1.Pod
        do { pod = try JSONCodec.decode(CoreV1.Pod.self, from: tree) } catch {
            throw Invalid(description: "\(path): \(error)")
        }
        guard let name = pod.metadata?.name, !name.isEmpty else { throw Invalid(description: "\(path): metadata.name is required") }
        guard !(pod.spec?.containers ?? []).isEmpty else { throw Invalid(description: "\(path): spec.containers is required") }
        let node = nodeName.lowercased()
        var digest = SHA256()
        digest.update(data: Array(contents.utf8))
        digest.update(data: Array("host:\(node)file:\(path)".utf8))
        let uid = digest.finalize().prefix(16).map { String(format: "%02x", $0) }.joined()
        var metadata = pod.metadata ?? MetaV1.ObjectMeta()
        metadata.name = "\(name)-\(node)"
        if (metadata.namespace ?? "").isEmpty { metadata.namespace = "default" }
        metadata.uid = uid
        var annotations = metadata.annotations ?? [:]
        annotations[hashAnnotation] = uid
        annotations[sourceAnnotation] = "file"
        annotations[seenAnnotation] = seen
        metadata.annotations = annotations
        metadata.resourceVersion = nil
        pod.metadata = metadata
        var spec = pod.spec ?? CoreV1.PodSpec()
        spec.nodeName = node
        var tolerations = spec.tolerations ?? []
        if !tolerations.contains(where: { $0.operator == "Exists" && $0.key == nil && $0.effect == "NoExecute" }) {
            tolerations.append(CoreV1.Toleration(effect: "NoExecute", operator: "Exists"))
        }
        spec.tolerations = tolerations
        pod.spec = spec
        pod.status = nil
        return pod
    }

    /// The mirror pod to create in the apiserver for a static pod: same name, namespace,
    /// labels, annotations and spec, marked with `kubernetes.io/config.mirror` and owned by the
    /// Node (so it goes when the Node does).
    public static func mirror(of pod: CoreV1.Pod, node: CoreV1.Node?) -> CoreV1.Pod {
        var metadata = MetaV1.ObjectMeta()
        metadata.name = pod.metadata?.name
        metadata.namespace = pod.metadata?.namespace
        metadata.labels = pod.metadata?.labels
        var annotations = pod.metadata?.annotations ?? [:]
        annotations[mirrorAnnotation] = pod.metadata?.uid ?? ""
        metadata.annotations = annotations
        if let node, let name = node.metadata?.name, let uid = node.metadata?.uid {
            metadata.ownerReferences = [MetaV1.OwnerReference(kind: "Node", apiVersion: "v1", controller: false, name: name, uid: uid)]
        }
        return CoreV1.Pod(kind: "Pod", apiVersion: "v1", metadata: metadata, spec: pod.spec)
    }

    /// Whether an apiserver pod is a mirror pod.
    public static func isMirror(_ pod: CoreV1.Pod) -> Bool { pod.metadata?.annotations?[mirrorAnnotation] != nil }
}
