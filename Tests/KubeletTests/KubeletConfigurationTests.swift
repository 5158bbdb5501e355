import APIMachinery
import Foundation
import Testing
@testable import Kubelet

/// `KubeletConfiguration` against upstream's kubelet.config.k8s.io/v1beta1 defaults and its
/// strict decoding and validation.
@Suite("Kubelet configuration file")
struct KubeletConfigurationTests {
    static let header = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"

    static func parseError(_ yaml: String) -> KubeletConfigurationError? {
        return #expect(throws: KubeletConfigurationError.self) { try KubeletConfiguration.parse(yaml) }
    }

    @Test("defaults are upstream's v1beta1 defaults")
    func defaults() {
        let config = KubeletConfiguration()
        #expect(config.syncFrequency == .seconds(60))
        #expect(config.fileCheckFrequency == .seconds(20))
        #expect(config.nodeStatusUpdateFrequency == .seconds(10))
        #expect(config.nodeStatusReportFrequency == .seconds(300))
        #expect(config.nodeLeaseDurationSeconds == 40)
        #expect(config.maxPods == 110)
        #expect(config.podsPerCore == 0)
        #expect(config.imageGCHighThresholdPercent == 85)
        #expect(config.imageGCLowThresholdPercent == 80)
        #expect(config.imageMinimumGCAge == .seconds(120))
        #expect(config.serializeImagePulls)
        #expect(config.registerNode)
        #expect(config.registerWithTaints.isEmpty)
        #expect(config.cgroupDriver == "cgroupfs")
        #expect(config.cgroupsPerQOS)
        #expect(config.runtimeRequestTimeout == .seconds(120))
        #expect(config.port == 10250)
        #expect(config.healthzPort == 10248)
        #expect(config.healthzBindAddress == "127.0.0.1")
        #expect(config.address == "0.0.0.0")
        #expect(config.podPidsLimit == -1)
        #expect(config.enableServiceLinks)
        #expect(config.resolvConf == "/etc/resolv.conf")
        #expect(config.clusterDNS.isEmpty)
        #expect(config.clusterDomain == "")
        #expect(config.evictionHard["memory.available"] == "100Mi")
        #expect(config.evictionHard["nodefs.available"] == "10%")
        #expect(config.evictionHard["nodefs.inodesFree"] == "5%")
        #expect(config.evictionHard["imagefs.available"] == "15%")
        #expect(config.crashLoopBackOffInitial == .seconds(10))
        #expect(config.crashLoopBackOffMax == .seconds(300))
        #expect(config.maxPerPodContainerCount == 1)
        #expect(config.maxContainerCount == -1)
    }

    @Test("a file with only kind and apiVersion gives the defaults")
    func emptyFileGivesDefaults() throws {
        #expect(try KubeletConfiguration.parse(Self.header) == KubeletConfiguration())
    }

    @Test("fields of a KubeletConfiguration file are read")
    func parsesFields() throws {
        let yaml = Self.header + """
            syncFrequency: 30s
            nodeStatusUpdateFrequency: 1m30s
            imageMinimumGCAge: 5m
            maxPods: 250
            podsPerCore: 10
            serializeImagePulls: false
            registerNode: false
            cgroupDriver: systemd
            cgroupsPerQOS: false
            clusterDNS:
            - 10.96.0.10
            - fd00::a
            clusterDomain: cluster.local
            port: 11250
            podPidsLimit: 4096
            enableServiceLinks: false
            staticPodPath: /etc/kubernetes/manifests
            resolvConf: /run/systemd/resolve/resolv.conf
            kubeReserved:
              cpu: 100m
              memory: 256Mi
            systemReserved:
              cpu: "1"
              ephemeral-storage: 1Gi
            crashLoopBackOff:
              maxContainerRestartPeriod: 1m
            """
        let config = try KubeletConfiguration.parse(yaml)
        #expect(config.syncFrequency == .seconds(30))
        #expect(config.nodeStatusUpdateFrequency == .seconds(90))
        #expect(config.imageMinimumGCAge == .seconds(300))
        #expect(config.maxPods == 250)
        #expect(config.podsPerCore == 10)
        #expect(!config.serializeImagePulls)
        #expect(!config.registerNode)
        #expect(config.cgroupDriver == "systemd")
        #expect(!config.cgroupsPerQOS)
        #expect(config.clusterDNS == ["10.96.0.10", "fd00::a"])
        #expect(config.clusterDomain == "cluster.local")
        #expect(config.port == 11250)
        #expect(config.podPidsLimit == 4096)
        #expect(!config.enableServiceLinks)
        #expect(config.staticPodPath == "/etc/kubernetes/manifests")
        #expect(config.resolvConf == "/run/systemd/resolve/resolv.conf")
        #expect(config.kubeReserved == ["cpu": Fx.q("100m"), "memory": Fx.q("256Mi")])
        #expect(config.systemReserved == ["cpu": Fx.q("1"), "ephemeral-storage": Fx.q("1Gi")])
        #expect(config.crashLoopBackOffMax == .seconds(60))
        // Untouched fields keep their defaults.
        #expect(config.fileCheckFrequency == .seconds(20))
        #expect(config.maxPerPodContainerCount == 1)
    }

    @Test("registerWithTaints is a list of taints")
    func registerWithTaints() throws {
        let yaml = Self.header + """
            registerWithTaints:
            - key: dedicated
              value: gpu
              effect: NoSchedule
            - key: node.example.com/maintenance
              effect: NoExecute
            """
        let config = try KubeletConfiguration.parse(yaml)
        #expect(config.registerWithTaints == [
            CoreV1.Taint(effect: "NoSchedule", key: "dedicated", value: "gpu"),
            CoreV1.Taint(effect: "NoExecute", key: "node.example.com/maintenance"),
        ])
    }

    @Test("a malformed taint names registerWithTaints")
    func badTaint() {
        let error = Self.parseError(Self.header + "registerWithTaints:\n- key: a\n  colour: blue\n")
        #expect(error?.message.contains("registerWithTaints") == true)
    }

    @Test("evictionHard replaces the default thresholds as a whole")
    func evictionHardReplaces() throws {
        let yaml = Self.header + """
            evictionHard:
              memory.available: 500Mi
              nodefs.available: 5%
            """
        let config = try KubeletConfiguration.parse(yaml)
        #expect(config.evictionHard == ["memory.available": "500Mi", "nodefs.available": "5%"])
    }

    @Test("an unknown field is refused, naming it")
    func unknownField() {
        let error = Self.parseError(Self.header + "maxPods: 10\nfrobnicate: true\n")
        #expect(error?.message == "strict decoding error: unknown field \"frobnicate\"")
    }

    @Test("upstream fields this kubelet does not act on are still accepted")
    func knownButIgnoredFields() throws {
        let yaml = Self.header + """
            authentication:
              anonymous:
                enabled: false
            authorization:
              mode: Webhook
            readOnlyPort: 0
            failSwapOn: false
            featureGates:
              SidecarContainers: true
            """
        #expect(try KubeletConfiguration.parse(yaml) == KubeletConfiguration())
    }

    @Test("a bad duration names its field")
    func badDuration() {
        let error = Self.parseError(Self.header + "syncFrequency: soon\n")
        #expect(error?.message.hasPrefix("syncFrequency: Invalid value: \"soon\"") == true)
        let number = Self.parseError(Self.header + "runtimeRequestTimeout: 10\n")
        #expect(number?.message.hasPrefix("runtimeRequestTimeout: Invalid value") == true)
    }

    @Test("an integer out of range names its field and the range")
    func outOfRange() {
        let port = Self.parseError(Self.header + "port: 70000\n")
        #expect(port?.message == "port: Invalid value: 70000: must be between 1 and 65535, inclusive")
        let maxPods = Self.parseError(Self.header + "maxPods: 0\n")
        #expect(maxPods?.message.hasPrefix("maxPods: Invalid value: 0") == true)
        let percent = Self.parseError(Self.header + "imageGCHighThresholdPercent: 101\n")
        #expect(percent?.message.hasPrefix("imageGCHighThresholdPercent: Invalid value: 101") == true)
    }

    @Test("a value of the wrong type names its field")
    func wrongTypes() {
        #expect(Self.parseError(Self.header + "maxPods: lots\n")?.message.hasPrefix("maxPods: Invalid value") == true)
        #expect(Self.parseError(Self.header + "registerNode: maybe\n")?.message.hasPrefix("registerNode: Invalid value") == true)
        #expect(Self.parseError(Self.header + "kubeReserved:\n  cpu: lots\n")?.message.hasPrefix("kubeReserved.cpu: Invalid value") == true)
        #expect(Self.parseError(Self.header + "clusterDNS: 10.96.0.10\n")?.message.hasPrefix("clusterDNS: Invalid value") == true)
    }

    @Test("a wrong kind or apiVersion is refused")
    func wrongKindOrVersion() {
        let kind = Self.parseError("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeProxyConfiguration\n")
        #expect(kind?.message.contains("KubeProxyConfiguration") == true)
        let version = Self.parseError("apiVersion: kubelet.config.k8s.io/v1alpha9\nkind: KubeletConfiguration\n")
        #expect(version?.message.contains("kubelet.config.k8s.io/v1alpha9") == true)
        #expect(Self.parseError("- just\n- a list\n") != nil)
    }

    @Test("cross-field validation: cgroupDriver and image GC thresholds")
    func crossFieldValidation() {
        #expect(Self.parseError(Self.header + "cgroupDriver: openrc\n")?.message.contains("cgroupDriver") == true)
        let gc = Self.parseError(Self.header + "imageGCHighThresholdPercent: 70\nimageGCLowThresholdPercent: 75\n")
        #expect(gc?.message == "imageGCLowThresholdPercent (75) must be less than imageGCHighThresholdPercent (70)")
    }

    @Test("load reads a file and names it in errors")
    func loadFromFile() throws {
        let directory = Fx.temporaryDirectory("config")
        defer { Fx.remove(directory) }
        let path = directory + "/kubelet.yaml"
        try (Self.header + "maxPods: 42\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try KubeletConfiguration.load(path: path).maxPods == 42)

        try (Self.header + "bogus: 1\n").write(toFile: path, atomically: true, encoding: .utf8)
        let bad = #expect(throws: KubeletConfigurationError.self) { try KubeletConfiguration.load(path: path) }
        #expect(bad?.message.contains(path) == true)
        #expect(bad?.message.contains("unknown field \"bogus\"") == true)

        let missing = #expect(throws: KubeletConfigurationError.self) { try KubeletConfiguration.load(path: directory + "/absent.yaml") }
        #expect(missing?.message.contains("absent.yaml") == true)
    }
}
