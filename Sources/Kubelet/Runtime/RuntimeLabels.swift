/// The labels and annotations the kubelet puts on sandboxes and containers, as upstream's
/// kubelet does: they are the only link from runtime objects back to pods, so a restarted
/// kubelet (or any other kubelet implementation) finds and adopts what is running.
public enum RuntimeLabels {
    public static let podName = "io.kubernetes.pod.name"
    public static let podNamespace = "io.kubernetes.pod.namespace"
    public static let podUID = "io.kubernetes.pod.uid"
    public static let containerName = "io.kubernetes.container.name"

    // Container annotations.
    public static let containerHash = "io.kubernetes.container.hash"
    public static let restartCount = "io.kubernetes.container.restartCount"
    public static let terminationMessagePath = "io.kubernetes.container.terminationMessagePath"
    public static let terminationMessagePolicy = "io.kubernetes.container.terminationMessagePolicy"
    public static let gracePeriod = "io.kubernetes.pod.terminationGracePeriod"
    /// Whether the container is an init container, and whether it restarts (a sidecar).
    public static let containerKind = "io.skiff.container.kind"
}
