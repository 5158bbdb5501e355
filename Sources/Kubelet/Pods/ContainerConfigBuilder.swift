import APIMachinery
import CRIAPI
import Foundation

/// The CRI configuration of one container (upstream `generateContainerConfig`): command and
/// args with `$(VAR)` expanded from its environment, working dir, environment, mounts (its
/// volumes, with subPath and readOnly, and the termination-message file), log path, the
/// kubelet's labels and annotations (hash, restart count, grace period), resources as cgroup
/// values, and the security context merged over the pod's.
public struct ContainerConfigBuilder: Sendable {
    public var podDirectory: String
    /// Where Localhost seccomp profiles live (`<root-dir>/seccomp`).
    public var seccompRoot: String

    public init(podDirectory: String, seccompRoot: String = "/var/lib/kubelet/seccomp") {
        self.podDirectory = podDirectory
        self.seccompRoot = seccompRoot
    }

    public func build(
        pod: CoreV1.Pod, container: CoreV1.Container, restartCount: Int, kind: String,
        environment: [(String, String)], volumes: [String: String], imageRef: String
    ) throws(EnvironmentError) -> Runtime_V1_ContainerConfig {
        let meta = pod.metadata ?? MetaV1.ObjectMeta()
        let spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        var config = Runtime_V1_ContainerConfig()
        config.metadata.name = container.name
        config.metadata.attempt = UInt32(restartCount)
        config.image.image = imageRef.isEmpty ? (container.image ?? "") : imageRef
        config.image.userSpecifiedImage = container.image ?? ""
        let values = Dictionary(environment, uniquingKeysWith: { _, new in new })
        config.command = (container.command ?? []).map { EnvironmentBuilder.expand($0, values) }
        config.args = (container.args ?? []).map { EnvironmentBuilder.expand($0, values) }
        config.workingDir = container.workingDir ?? ""
        config.envs = environment.map { name, value in
            var variable = Runtime_V1_KeyValue()
            variable.key = name
            variable.value = value
            return variable
        }
        config.stdin = container.stdin ?? false
        config.stdinOnce = container.stdinOnce ?? false
        config.tty = container.tty ?? false
        config.logPath = "\(container.name)/\(restartCount).log"

        for mount in container.volumeMounts ?? [] {
            guard let hostPath = volumes[mount.name] else {
                throw EnvironmentError("cannot find volume \"\(mount.name)\" to mount into container \"\(container.name)\"")
            }
            var source = hostPath
            var subPath = mount.subPath ?? ""
            if let expression = mount.subPathExpr, !expression.isEmpty { subPath = EnvironmentBuilder.expand(expression, values) }
            if !subPath.isEmpty {
                guard !subPath.hasPrefix("/"), !subPath.split(separator: "/").contains("..") else {
                    throw EnvironmentError("subPath \"\(subPath)\" must be a relative path without \"..\"")
                }
                source = hostPath + "/" + subPath
                if !FileManager.default.fileExists(atPath: source) {
                    do {
                        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
                    } catch {
                        throw EnvironmentError("failed to create subPath directory for volumeMount \"\(mount.name)\" of container \"\(container.name)\"")
                    }
                }
            }
            var cri = Runtime_V1_Mount()
            cri.containerPath = mount.mountPath
            cri.hostPath = source
            cri.readonly = mount.readOnly ?? false
            switch mount.mountPropagation {
            case "HostToContainer": cri.propagation = .propagationHostToContainer
            case "Bidirectional": cri.propagation = .propagationBidirectional
            default: cri.propagation = .propagationPrivate
            }
            config.mounts.append(cri)
        }
        // The termination message file, written by the container and read back by the kubelet.
        let messagePath = container.terminationMessagePath ?? "/dev/termination-log"
        if !messagePath.isEmpty {
            let host = "\(podDirectory)/containers/\(container.name)/\(UUID().uuidString.lowercased().prefix(8))"
            do {
                try FileManager.default.createDirectory(atPath: (host as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            } catch {
                throw EnvironmentError("cannot create the termination message file of container \"\(container.name)\": \(error)")
            }
            guard FileManager.default.createFile(atPath: host, contents: nil, attributes: [.posixPermissions: 0o666]) else {
                throw EnvironmentError("cannot create the termination message file of container \"\(container.name)\"")
            }
            var cri = Runtime_V1_Mount()
            cri.containerPath = messagePath
            cri.hostPath = host
            config.mounts.append(cri)
            config.annotations["io.skiff.container.terminationMessageHostPath"] = host
        }

        config.labels = [
            RuntimeLabels.podName: meta.name ?? "", RuntimeLabels.podNamespace: meta.namespace ?? "default",
            RuntimeLabels.podUID: meta.uid ?? "", RuntimeLabels.containerName: container.name,
        ]
        config.annotations[RuntimeLabels.containerHash] = ContainerHash.of(container)
        config.annotations[RuntimeLabels.restartCount] = String(restartCount)
        config.annotations[RuntimeLabels.terminationMessagePath] = messagePath
        config.annotations[RuntimeLabels.terminationMessagePolicy] = container.terminationMessagePolicy ?? "File"
        config.annotations[RuntimeLabels.gracePeriod] = String(spec.terminationGracePeriodSeconds ?? 30)
        config.annotations[RuntimeLabels.containerKind] = kind

        config.linux.resources = Self.resources(container)
        config.linux.securityContext = Self.security(container: container, pod: spec, seccompRoot: seccompRoot)
        return config
    }

    /// Upstream's cgroup values: cpu shares from the request (2 minimum; the limit when only
    /// it is set), CFS quota from the limit over a 100 ms period, the memory limit in bytes.
    static func resources(_ container: CoreV1.Container) -> Runtime_V1_LinuxContainerResources {
        var resources = Runtime_V1_LinuxContainerResources()
        let requests = container.resources?.requests ?? [:]
        let limits = container.resources?.limits ?? [:]
        let cpuRequest = requests["cpu"] ?? limits["cpu"]
        let milli = cpuRequest?.milliValue() ?? 0
        resources.cpuShares = max(2, milli * 1024 / 1000)
        resources.cpuPeriod = 100_000
        if let limit = limits["cpu"], !limit.isZero {
            resources.cpuQuota = max(1000, limit.milliValue() * 100_000 / 1000)
        }
        if let memory = limits["memory"], !memory.isZero { resources.memoryLimitInBytes = memory.value() }
        return resources
    }

    /// The container's security context over the pod's (users, groups, capabilities,
    /// privileged, read-only root, no-new-privileges, seccomp RuntimeDefault unless Unconfined).
    static func security(container: CoreV1.Container, pod: CoreV1.PodSpec,
                         seccompRoot: String = "/var/lib/kubelet/seccomp") -> Runtime_V1_LinuxContainerSecurityContext {
        var security = Runtime_V1_LinuxContainerSecurityContext()
        let own = container.securityContext
        let podContext = pod.securityContext
        if let user = own?.runAsUser ?? podContext?.runAsUser { security.runAsUser.value = user }
        if let group = own?.runAsGroup ?? podContext?.runAsGroup { security.runAsGroup.value = group }
        security.supplementalGroups = (podContext?.supplementalGroups ?? []) + (podContext?.fsGroup.map { [$0] } ?? [])
        security.privileged = own?.privileged ?? false
        security.readonlyRootfs = own?.readOnlyRootFilesystem ?? false
        security.noNewPrivs = own?.allowPrivilegeEscalation == false
        if let capabilities = own?.capabilities {
            security.capabilities.addCapabilities = (capabilities.add ?? []).map(Self.capability)
            security.capabilities.dropCapabilities = (capabilities.drop ?? []).map(Self.capability)
        }
        security.namespaceOptions.network = pod.hostNetwork == true ? .node : .pod
        security.namespaceOptions.pid = pod.hostPID == true ? .node : (pod.shareProcessNamespace == true ? .pod : .container)
        security.namespaceOptions.ipc = pod.hostIPC == true ? .node : .pod
        let profile = own?.seccompProfile ?? podContext?.seccompProfile
        switch profile?.type {
        case "Unconfined": security.seccomp.profileType = .unconfined
        case "Localhost":
            security.seccomp.profileType = .localhost
            security.seccomp.localhostRef = Self.seccompPath(profile?.localhostProfile, root: seccompRoot)
        case "RuntimeDefault": security.seccomp.profileType = .runtimeDefault
        default: security.seccomp.profileType = .unconfined
        }
        if security.privileged { security.seccomp.profileType = .unconfined }
        security.maskedPaths = security.privileged ? [] : Self.maskedPaths
        security.readonlyPaths = security.privileged ? [] : Self.readonlyPaths
        return security
    }

    /// Capabilities go to the runtime as written in the spec: containerd adds `CAP_` itself.
    static func capability(_ name: String) -> String { name }

    /// A Localhost seccomp profile as an absolute path under `root`.
    static func seccompPath(_ profile: String?, root: String) -> String {
        let name = profile ?? ""
        return name.hasPrefix("/") ? name : "\(root)/\(name)"
    }

    /// Upstream's defaults for unprivileged containers.
    static let maskedPaths = [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ]
    static let readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
}
