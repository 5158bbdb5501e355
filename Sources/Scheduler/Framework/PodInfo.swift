import APIMachinery

/// A pod with everything scheduling reads from it computed once: requests, tolerations,
/// host ports, node and pod affinity, images. Built when a pod enters the cache or the queue
/// and shared (by reference) by every `NodeInfo` and scheduling cycle that needs it, so no
/// plugin re-derives these per node.
///
/// Immutable; a new pod version needs a new `PodInfo`. Parse problems in affinity terms do
/// not fail construction: the affected terms are dropped and the first problem is kept in
/// `parseError` (upstream ignores them for pods already placed and refuses to schedule a
/// pod that has them).
public final class PodInfo: Sendable {
    public let pod: CoreV1.Pod
    /// The cache key: the UID, or `namespace/name` for a pod without one.
    public let key: String
    public let namespace: String
    public let name: String
    /// `spec.nodeName`, empty when unassigned.
    public let nodeName: String
    /// `spec.priority`, 0 when unset.
    public let priority: Int32
    public let labels: [String: String]
    /// Whether `metadata.deletionTimestamp` is set (the pod is terminating).
    public let isTerminating: Bool

    /// The effective request (see `PodRequests`), as NodeResourcesFit checks it.
    public let requests: Resource
    /// CPU of the effective request with 100m for each container that names no CPU request.
    public let nonZeroMilliCPU: Int64
    /// Memory of the effective request with 200Mi for each container that names none.
    public let nonZeroMemory: Int64

    public let tolerations: [PodToleration]
    public let hostPorts: [HostPort]
    /// `spec.nodeSelector` and the required node affinity.
    public let requiredNodeAffinity: RequiredNodeAffinity
    public let preferredNodeAffinity: PreferredNodeAffinity

    public let requiredAffinityTerms: [AffinityTerm]
    public let requiredAntiAffinityTerms: [AffinityTerm]
    public let preferredAffinityTerms: [WeightedAffinityTerm]
    public let preferredAntiAffinityTerms: [WeightedAffinityTerm]
    /// The first inter-pod affinity term that failed to parse, if any.
    public let parseError: String?

    /// Images of the init containers then the containers, normalised as ImageLocality looks
    /// them up (`:latest` added when no tag is given).
    public let images: [String]

    public convenience init(_ pod: CoreV1.Pod) {
        self.init(pod: pod, basis: nil)
    }

    /// A copy with `spec.nodeName` set to `nodeName`, reusing everything computed (the shape
    /// the cache records for an assumed pod).
    public func assigned(to nodeName: String) -> PodInfo {
        var pod = self.pod
        if pod.spec == nil { pod.spec = CoreV1.PodSpec() }
        pod.spec?.nodeName = nodeName
        return PodInfo(pod: pod, basis: self)
    }

    /// Whether the pod has inter-pod affinity or anti-affinity (required or preferred).
    public var hasPodAffinity: Bool {
        let affinity = pod.spec?.affinity
        return affinity?.podAffinity != nil || affinity?.podAntiAffinity != nil
    }

    /// Whether the pod has required anti-affinity terms.
    public var hasRequiredAntiAffinity: Bool {
        !(pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).isEmpty
    }

    private init(pod: CoreV1.Pod, basis: PodInfo?) {
        self.pod = pod
        let metadata = pod.metadata
        namespace = metadata?.namespace ?? ""
        name = metadata?.name ?? ""
        if let uid = metadata?.uid, !uid.isEmpty { key = uid } else { key = namespace + "/" + name }
        nodeName = pod.spec?.nodeName ?? ""
        labels = metadata?.labels ?? [:]
        isTerminating = metadata?.deletionTimestamp != nil
        if let basis {
            priority = basis.priority
            requests = basis.requests
            nonZeroMilliCPU = basis.nonZeroMilliCPU
            nonZeroMemory = basis.nonZeroMemory
            tolerations = basis.tolerations
            hostPorts = basis.hostPorts
            requiredNodeAffinity = basis.requiredNodeAffinity
            preferredNodeAffinity = basis.preferredNodeAffinity
            requiredAffinityTerms = basis.requiredAffinityTerms
            requiredAntiAffinityTerms = basis.requiredAntiAffinityTerms
            preferredAffinityTerms = basis.preferredAffinityTerms
            preferredAntiAffinityTerms = basis.preferredAntiAffinityTerms
            parseError = basis.parseError
            images = basis.images
            return
        }
        let spec = pod.spec
        priority = spec?.priority ?? 0
        requests = PodRequests.resource(of: spec)
        if let spec {
            let nonZero = PodRequests.of(spec, defaults: PodRequests.scoringDefaults)
            nonZeroMilliCPU = nonZero[ResourceNames.cpu]?.milliValue() ?? 0
            nonZeroMemory = nonZero[ResourceNames.memory]?.value() ?? 0
        } else {
            nonZeroMilliCPU = 0
            nonZeroMemory = 0
        }
        tolerations = (spec?.tolerations ?? []).map(PodToleration.init)
        hostPorts = HostPort.ports(of: pod)
        requiredNodeAffinity = RequiredNodeAffinity(pod: pod)
        preferredNodeAffinity = PreferredNodeAffinity(
            spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])

        var firstError: String?
        let podNamespace = namespace
        func parse(_ terms: [CoreV1.PodAffinityTerm]?) -> [AffinityTerm] {
            var parsed: [AffinityTerm] = []
            for term in terms ?? [] {
                do {
                    parsed.append(try AffinityTerm(term, podNamespace: podNamespace))
                } catch {
                    if firstError == nil { firstError = error.message }
                }
            }
            return parsed
        }
        func parseWeighted(_ terms: [CoreV1.WeightedPodAffinityTerm]?) -> [WeightedAffinityTerm] {
            var parsed: [WeightedAffinityTerm] = []
            for weighted in terms ?? [] {
                do {
                    let term = try AffinityTerm(weighted.podAffinityTerm, podNamespace: podNamespace)
                    parsed.append(WeightedAffinityTerm(term: term, weight: weighted.weight))
                } catch {
                    if firstError == nil { firstError = error.message }
                }
            }
            return parsed
        }
        let affinity = spec?.affinity
        requiredAffinityTerms = parse(affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution)
        requiredAntiAffinityTerms = parse(affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution)
        preferredAffinityTerms = parseWeighted(affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution)
        preferredAntiAffinityTerms = parseWeighted(
            affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution)
        parseError = firstError

        var images: [String] = []
        for container in spec?.initContainers ?? [] { images.append(Self.normalizedImageName(container.image ?? "")) }
        for container in spec?.containers ?? [] { images.append(Self.normalizedImageName(container.image ?? "")) }
        self.images = images
    }

    /// The image name as nodes report it: `:latest` appended when the reference has no tag
    /// (no `:` after the last `/`). Digests (`@sha256:…`) already contain a `:`.
    public static func normalizedImageName(_ name: String) -> String {
        let lastColon = name.lastIndex(of: ":")
        let lastSlash = name.lastIndex(of: "/")
        switch (lastColon, lastSlash) {
        case (nil, _): return name + ":latest"
        case (let colon?, let slash?) where colon < slash: return name + ":latest"
        default: return name
        }
    }
}

extension PodInfo: CustomStringConvertible {
    public var description: String { namespace.isEmpty ? name : namespace + "/" + name }
}
