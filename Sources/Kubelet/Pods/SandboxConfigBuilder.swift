import APIMachinery
import CRIAPI
import Foundation

/// The CRI sandbox configuration of a pod (upstream `generatePodSandboxConfig`): metadata
/// with the attempt, hostname (unset for host-network pods), log directory, DNS
/// (ClusterFirst with `clusterDNS`, Default from the node's resolv.conf, None from
/// `dnsConfig`), host port mappings, the kubelet's labels beside the pod's, the pod's
/// annotations, the cgroup parent of its QoS class, and the namespace and security options.
public struct SandboxConfigBuilder: Sendable {
    public var config: KubeletConfiguration
    public var podLogsDir: String
    /// The node's resolv.conf, parsed (nameservers, searches, options).
    public var hostDNS: (nameservers: [String], searches: [String], options: [String])
    /// Where Localhost seccomp profiles live (`<root-dir>/seccomp`).
    public var seccompRoot: String

    public init(config: KubeletConfiguration, podLogsDir: String, hostDNS: (nameservers: [String], searches: [String], options: [String]),
                seccompRoot: String = "/var/lib/kubelet/seccomp") {
        self.seccompRoot = seccompRoot
        self.config = config
        self.podLogsDir = podLogsDir
        self.hostDNS = hostDNS
    }

    public static func parseResolvConf(_ text: String) -> (nameservers: [String], searches: [String], options: [String]) {
        var servers: [String] = [], searches: [String] = [], options: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let key = fields.first, !key.hasPrefix("#"), !key.hasPrefix(";") else { continue }
            switch key {
            case "nameserver": servers += fields.dropFirst()
            case "search": searches = fields.dropFirst().map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
            case "options": options += fields.dropFirst()
            default: break
            }
        }
        return (servers, searches, options)
    }

    public func logDirectory(_ pod: CoreV1.Pod) -> String {
        let meta = pod.metadata
        return "\(podLogsDir)/\(meta?.namespace ?? "default")_\(meta?.name ?? "")_\(meta?.uid ?? "")"
    }

    public func cgroupParent(_ pod: CoreV1.Pod) -> String {
        let uid = pod.metadata?.uid ?? ""
        let qos = QOSClass.of(pod.spec ?? CoreV1.PodSpec(containers: []))
        guard config.cgroupsPerQOS else { return config.cgroupRoot }
        if config.cgroupDriver == "systemd" {
            // The expanded slice path of upstream's CgroupName.ToSystemd.
            let id = uid.replacingOccurrences(of: "-", with: "_")
            switch qos {
            case "Guaranteed": return "/kubepods.slice/kubepods-pod\(id).slice"
            case "BestEffort": return "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(id).slice"
            default: return "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(id).slice"
            }
        }
        let root = config.cgroupRoot == "/" ? "" : config.cgroupRoot
        switch qos {
        case "Guaranteed": return "\(root)/kubepods/pod\(uid)"
        case "BestEffort": return "\(root)/kubepods/besteffort/pod\(uid)"
        default: return "\(root)/kubepods/burstable/pod\(uid)"
        }
    }

    public func build(_ pod: CoreV1.Pod, attempt: UInt32) -> Runtime_V1_PodSandboxConfig {
        let meta = pod.metadata ?? MetaV1.ObjectMeta()
        let spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        var sandbox = Runtime_V1_PodSandboxConfig()
        sandbox.metadata.name = meta.name ?? ""
        sandbox.metadata.namespace = meta.namespace ?? "default"
        sandbox.metadata.uid = meta.uid ?? ""
        sandbox.metadata.attempt = attempt
        if spec.hostNetwork != true {
            var hostname = spec.hostname ?? meta.name ?? ""
            if hostname.count > 63 { hostname = String(hostname.prefix(63)) }
            while hostname.hasSuffix("-") || hostname.hasSuffix(".") { hostname.removeLast() }
            sandbox.hostname = hostname
        }
        sandbox.logDirectory = logDirectory(pod)
        if let dns = dnsConfig(pod) { sandbox.dnsConfig = dns }
        for container in spec.containers {
            // Every declared port, as upstream's MakePortMappings passes them; the runtime maps
            // only those with a hostPort.
            for port in container.ports ?? [] {
                var mapping = Runtime_V1_PortMapping()
                mapping.containerPort = port.containerPort
                mapping.hostPort = port.hostPort ?? 0
                mapping.hostIp = port.hostIP ?? ""
                switch port.protocol ?? "TCP" {
                case "UDP": mapping.protocol = .udp
                case "SCTP": mapping.protocol = .sctp
                default: mapping.protocol = .tcp
                }
                sandbox.portMappings.append(mapping)
            }
        }
        var labels = meta.labels ?? [:]
        labels[RuntimeLabels.podName] = meta.name ?? ""
        labels[RuntimeLabels.podNamespace] = meta.namespace ?? "default"
        labels[RuntimeLabels.podUID] = meta.uid ?? ""
        sandbox.labels = labels
        sandbox.annotations = meta.annotations ?? [:]
        sandbox.linux.cgroupParent = cgroupParent(pod)
        var security = Runtime_V1_LinuxSandboxSecurityContext()
        security.namespaceOptions.network = spec.hostNetwork == true ? .node : .pod
        security.namespaceOptions.pid = spec.hostPID == true ? .node : (spec.shareProcessNamespace == true ? .pod : .container)
        security.namespaceOptions.ipc = spec.hostIPC == true ? .node : .pod
        if let context = spec.securityContext {
            if let user = context.runAsUser { security.runAsUser.value = user }
            if let group = context.runAsGroup { security.runAsGroup.value = group }
            security.supplementalGroups = (context.supplementalGroups ?? []) + (context.fsGroup.map { [$0] } ?? [])
            for sysctl in context.sysctls ?? [] { sandbox.linux.sysctls[sysctl.name] = sysctl.value }
        }
        switch spec.securityContext?.seccompProfile?.type {
        case "RuntimeDefault": security.seccomp.profileType = .runtimeDefault
        case "Localhost":
            security.seccomp.profileType = .localhost
            security.seccomp.localhostRef = ContainerConfigBuilder.seccompPath(spec.securityContext?.seccompProfile?.localhostProfile, root: seccompRoot)
        default: security.seccomp.profileType = .unconfined
        }
        security.privileged = spec.containers.contains { $0.securityContext?.privileged == true }
            || (spec.initContainers ?? []).contains { $0.securityContext?.privileged == true }
        sandbox.linux.securityContext = security
        return sandbox
    }

    /// Upstream `getPodDNS`.
    func dnsConfig(_ pod: CoreV1.Pod) -> Runtime_V1_DNSConfig? {
        let spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        var policy = spec.dnsPolicy ?? "ClusterFirst"
        if policy == "ClusterFirst" && spec.hostNetwork == true { policy = "Default" }
        if policy == "ClusterFirstWithHostNet" { policy = "ClusterFirst" }
        var dns = Runtime_V1_DNSConfig()
        switch policy {
        case "None":
            break
        case "ClusterFirst" where !config.clusterDNS.isEmpty:
            let namespace = pod.metadata?.namespace ?? "default"
            let domain = config.clusterDomain
            dns.servers = config.clusterDNS
            // Without a cluster domain only the host's searches apply, as upstream does it.
            dns.searches = (domain.isEmpty ? [] : ["\(namespace).svc.\(domain)", "svc.\(domain)", domain]) + hostDNS.searches
            dns.options = ["ndots:5"]
        default:
            dns.servers = hostDNS.nameservers
            dns.searches = hostDNS.searches
            dns.options = hostDNS.options
        }
        if let extra = spec.dnsConfig {
            dns.servers += extra.nameservers ?? []
            dns.searches += extra.searches ?? []
            for option in extra.options ?? [] {
                let name = option.name ?? ""
                dns.options.removeAll { $0 == name || $0.hasPrefix(name + ":") }
                dns.options.append(option.value.map { "\(name):\($0)" } ?? name)
            }
        }
        var seen = Set<String>()
        dns.searches = dns.searches.filter { seen.insert($0).inserted }.prefix(32).map { $0 }
        // Upstream's limit: at most three nameservers reach the pod.
        dns.servers = Array(dns.servers.prefix(3))
        return dns
    }
}
