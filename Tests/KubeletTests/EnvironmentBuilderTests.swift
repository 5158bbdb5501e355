import APIMachinery
import Testing
@testable import Kubelet

/// `EnvironmentBuilder` against upstream's `makeEnvironmentVariables`, `expansion.Expand`,
/// `envvars.FromServices` and the downward API; `QOSClass` against `qos.GetPodQOS`.
@Suite("Container environment (makeEnvironmentVariables)")
struct EnvironmentBuilderTests {
    static func builder(
        _ pod: CoreV1.Pod, configMaps: [CoreV1.ConfigMap] = [], secrets: [CoreV1.Secret] = [], services: [CoreV1.Service] = []
    ) -> EnvironmentBuilder {
        EnvironmentBuilder(
            pod: pod, nodeName: "node-1", hostIPs: ["192.168.1.10", "fd00::10"], podIPs: ["10.88.0.5", "fd00::5"],
            configMaps: Dictionary(configMaps.map { ($0.metadata?.name ?? "", $0) }, uniquingKeysWith: { _, new in new }),
            secrets: Dictionary(secrets.map { ($0.metadata?.name ?? "", $0) }, uniquingKeysWith: { _, new in new }),
            services: services, nodeAllocatable: ["cpu": Fx.q("4"), "memory": Fx.q("8Gi"), "ephemeral-storage": Fx.q("100Gi")])
    }

    static func configMap(_ name: String, _ data: [String: String], namespace: String = "default") -> CoreV1.ConfigMap {
        CoreV1.ConfigMap(metadata: MetaV1.ObjectMeta(name: name, namespace: namespace), data: data)
    }

    static func secret(_ name: String, _ data: [String: String], namespace: String = "default") -> CoreV1.Secret {
        CoreV1.Secret(metadata: MetaV1.ObjectMeta(name: name, namespace: namespace), data: data.mapValues { Base64Bytes($0) })
    }

    static func service(_ name: String, namespace: String, clusterIP: String, ports: [CoreV1.ServicePort]) -> CoreV1.Service {
        CoreV1.Service(metadata: MetaV1.ObjectMeta(name: name, namespace: namespace),
                       spec: CoreV1.ServiceSpec(clusterIP: clusterIP, ports: ports))
    }

    static func value(_ name: String, _ value: String) -> CoreV1.EnvVar { CoreV1.EnvVar(name: name, value: value) }

    static func from(_ name: String, _ source: CoreV1.EnvVarSource) -> CoreV1.EnvVar { CoreV1.EnvVar(name: name, valueFrom: source) }

    static func field(_ name: String, _ path: String) -> CoreV1.EnvVar {
        from(name, CoreV1.EnvVarSource(fieldRef: CoreV1.ObjectFieldSelector(fieldPath: path)))
    }

    static func resource(_ name: String, _ resource: String, divisor: String? = nil, container: String? = nil) -> CoreV1.EnvVar {
        from(name, CoreV1.EnvVarSource(resourceFieldRef: CoreV1.ResourceFieldSelector(
            containerName: container, divisor: divisor.map { Fx.q($0) }, resource: resource)))
    }

    /// Builds the environment of the pod's first container as a dictionary.
    static func environment(_ pod: CoreV1.Pod, configMaps: [CoreV1.ConfigMap] = [], secrets: [CoreV1.Secret] = [],
                            services: [CoreV1.Service] = []) throws -> [String: String] {
        let b = builder(pod, configMaps: configMaps, secrets: secrets, services: services)
        return Fx.dictionary(try b.build(for: pod.spec!.containers[0]))
    }

    static func pod(env: [CoreV1.EnvVar] = [], envFrom: [CoreV1.EnvFromSource]? = nil, namespace: String = "default") -> CoreV1.Pod {
        var main = Fx.container("main")
        main.env = env
        main.envFrom = envFrom
        return Fx.pod(namespace: namespace, containers: [main])
    }

    // MARK: Values and expansion

    @Test("a plain value is passed as written")
    func plainValue() throws {
        let env = try Self.environment(Self.pod(env: [Self.value("GREETING", "hello world")]))
        #expect(env["GREETING"] == "hello world")
    }

    @Test("$(VAR) expands earlier variables; $$ is a literal $; unknown or unclosed references stay as written")
    func expansion() throws {
        let env = try Self.environment(Self.pod(env: [
            Self.value("NAME", "web"),
            Self.value("URL", "http://$(NAME):8080/"),
            Self.value("ESCAPED", "$$(NAME)"),
            Self.value("DOLLAR", "cost: $$5"),
            Self.value("UNKNOWN", "$(NOPE)-x"),
            Self.value("UNCLOSED", "a$(NAME"),
            Self.value("LONE", "100$"),
            Self.value("OTHER", "$x and $"),
            Self.value("TRIPLE", "$$$(NAME)"),
        ]))
        #expect(env["URL"] == "http://web:8080/")
        #expect(env["ESCAPED"] == "$(NAME)")
        #expect(env["DOLLAR"] == "cost: $5")
        #expect(env["UNKNOWN"] == "$(NOPE)-x")
        #expect(env["UNCLOSED"] == "a$(NAME")
        #expect(env["LONE"] == "100$")
        #expect(env["OTHER"] == "$x and $")
        #expect(env["TRIPLE"] == "$web")
    }

    @Test("expand is upstream's expansion.Expand")
    func expandFunction() {
        let values = ["A": "1", "B": "two"]
        #expect(EnvironmentBuilder.expand("$(A)$(B)", values) == "1two")
        #expect(EnvironmentBuilder.expand("$(A", values) == "$(A")
        #expect(EnvironmentBuilder.expand("$$(A)", values) == "$(A)")
        #expect(EnvironmentBuilder.expand("$(C)", values) == "$(C)")
        #expect(EnvironmentBuilder.expand("", values) == "")
        #expect(EnvironmentBuilder.expand("$", values) == "$")
        #expect(EnvironmentBuilder.expand("$()", values) == "$()")
    }

    @Test("a reference to a variable declared later is not expanded")
    func laterReferenceNotExpanded() throws {
        let env = try Self.environment(Self.pod(env: [Self.value("FIRST", "$(SECOND)"), Self.value("SECOND", "2")]))
        #expect(env["FIRST"] == "$(SECOND)")
        #expect(env["SECOND"] == "2")
    }

    @Test("references resolve against envFrom variables and service links too")
    func expansionSeesEnvFromAndServices() throws {
        let kubernetes = Self.service("kubernetes", namespace: "default", clusterIP: "10.96.0.1", ports: [CoreV1.ServicePort(name: "https", port: 443)])
        let env = try Self.environment(
            Self.pod(env: [Self.value("API", "https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)"), Self.value("MODE", "$(CFG_mode)")],
                     envFrom: [CoreV1.EnvFromSource(configMapRef: CoreV1.ConfigMapEnvSource(name: "settings"), prefix: "CFG_")]),
            configMaps: [Self.configMap("settings", ["mode": "fast"])], services: [kubernetes])
        #expect(env["API"] == "https://10.96.0.1:443")
        #expect(env["MODE"] == "fast")
    }

    // MARK: ConfigMaps and Secrets

    @Test("configMapKeyRef and secretKeyRef read the referenced keys")
    func keyRefs() throws {
        let env = try Self.environment(Self.pod(env: [
            Self.from("LEVEL", CoreV1.EnvVarSource(configMapKeyRef: CoreV1.ConfigMapKeySelector(key: "level", name: "settings"))),
            Self.from("PASSWORD", CoreV1.EnvVarSource(secretKeyRef: CoreV1.SecretKeySelector(key: "password", name: "creds"))),
        ]), configMaps: [Self.configMap("settings", ["level": "debug"])], secrets: [Self.secret("creds", ["password": "s3cr3t"])])
        #expect(env["LEVEL"] == "debug")
        #expect(env["PASSWORD"] == "s3cr3t")
    }

    @Test("a missing ConfigMap fails with upstream's message")
    func missingConfigMap() {
        let pod = Self.pod(env: [Self.from("LEVEL", CoreV1.EnvVarSource(configMapKeyRef: CoreV1.ConfigMapKeySelector(key: "level", name: "settings")))])
        let error = #expect(throws: EnvironmentError.self) { try Self.environment(pod) }
        #expect(error?.message == "configmap \"settings\" not found")
    }

    @Test("a missing key fails naming the key and the ConfigMap or Secret with its namespace")
    func missingKeys() {
        let cm = Self.pod(env: [Self.from("LEVEL", CoreV1.EnvVarSource(configMapKeyRef: CoreV1.ConfigMapKeySelector(key: "level", name: "settings")))],
                          namespace: "shop")
        let cmError = #expect(throws: EnvironmentError.self) {
            try Self.environment(cm, configMaps: [Self.configMap("settings", ["other": "x"], namespace: "shop")])
        }
        #expect(cmError?.message == "couldn't find key level in ConfigMap shop/settings")

        let secret = Self.pod(env: [Self.from("PASSWORD", CoreV1.EnvVarSource(secretKeyRef: CoreV1.SecretKeySelector(key: "password", name: "creds")))],
                              namespace: "shop")
        let secretError = #expect(throws: EnvironmentError.self) {
            try Self.environment(secret, secrets: [Self.secret("creds", ["user": "admin"], namespace: "shop")])
        }
        #expect(secretError?.message == "couldn't find key password in Secret shop/creds")

        let missingSecret = #expect(throws: EnvironmentError.self) { try Self.environment(secret) }
        #expect(missingSecret?.message == "secret \"creds\" not found")
    }

    @Test("optional references to missing ConfigMaps, Secrets or keys are skipped")
    func optionalReferencesSkipped() throws {
        let env = try Self.environment(Self.pod(env: [
            Self.from("A", CoreV1.EnvVarSource(configMapKeyRef: CoreV1.ConfigMapKeySelector(key: "a", name: "absent", optional: true))),
            Self.from("B", CoreV1.EnvVarSource(configMapKeyRef: CoreV1.ConfigMapKeySelector(key: "nope", name: "settings", optional: true))),
            Self.from("C", CoreV1.EnvVarSource(secretKeyRef: CoreV1.SecretKeySelector(key: "c", name: "absent", optional: true))),
            Self.from("D", CoreV1.EnvVarSource(secretKeyRef: CoreV1.SecretKeySelector(key: "nope", name: "creds", optional: true))),
            Self.value("E", "kept"),
        ], envFrom: [
            CoreV1.EnvFromSource(configMapRef: CoreV1.ConfigMapEnvSource(name: "absent", optional: true)),
            CoreV1.EnvFromSource(secretRef: CoreV1.SecretEnvSource(name: "absent", optional: true)),
        ]), configMaps: [Self.configMap("settings", ["level": "debug"])], secrets: [Self.secret("creds", ["user": "admin"])])
        #expect(env["A"] == nil)
        #expect(env["B"] == nil)
        #expect(env["C"] == nil)
        #expect(env["D"] == nil)
        #expect(env["E"] == "kept")
    }

    @Test("envFrom brings every key of a ConfigMap or Secret, with the prefix prepended")
    func envFromWithPrefix() throws {
        let env = try Self.environment(Self.pod(envFrom: [
            CoreV1.EnvFromSource(configMapRef: CoreV1.ConfigMapEnvSource(name: "settings"), prefix: "CFG_"),
            CoreV1.EnvFromSource(secretRef: CoreV1.SecretEnvSource(name: "creds")),
        ]), configMaps: [Self.configMap("settings", ["level": "debug", "mode": "fast"])], secrets: [Self.secret("creds", ["DB_USER": "admin"])])
        #expect(env["CFG_level"] == "debug")
        #expect(env["CFG_mode"] == "fast")
        #expect(env["DB_USER"] == "admin")
        #expect(env["level"] == nil)
    }

    @Test("a missing, non-optional envFrom source fails")
    func envFromMissing() {
        let pod = Self.pod(envFrom: [CoreV1.EnvFromSource(secretRef: CoreV1.SecretEnvSource(name: "creds"))])
        let error = #expect(throws: EnvironmentError.self) { try Self.environment(pod) }
        #expect(error?.message == "secret \"creds\" not found")
    }

    @Test("envFrom keys that are not valid variable names are skipped, the others kept")
    func envFromInvalidKeysSkipped() throws {
        let env = try Self.environment(Self.pod(envFrom: [CoreV1.EnvFromSource(configMapRef: CoreV1.ConfigMapEnvSource(name: "settings"))]),
                                       configMaps: [Self.configMap("settings", ["1badkey": "x", "GOOD": "y"])])
        #expect(env["1badkey"] == nil)
        #expect(env["GOOD"] == "y")
    }

    @Test("a later name overrides an earlier one and each name appears once")
    func laterOverrides() throws {
        let pod = Self.pod(env: [Self.value("MODE", "explicit"), Self.value("X", "1"), Self.value("X", "2")],
                           envFrom: [CoreV1.EnvFromSource(configMapRef: CoreV1.ConfigMapEnvSource(name: "settings"))])
        let b = Self.builder(pod, configMaps: [Self.configMap("settings", ["MODE": "from-map"])])
        let pairs = try b.build(for: pod.spec!.containers[0])
        let env = Fx.dictionary(pairs)
        #expect(env["MODE"] == "explicit")
        #expect(env["X"] == "2")
        #expect(pairs.filter { $0.0 == "MODE" }.count == 1)
        #expect(pairs.filter { $0.0 == "X" }.count == 1)
    }

    // MARK: Downward API

    @Test("fieldRef reads the pod's metadata, spec and status fields")
    func fieldRefs() throws {
        var pod = Self.pod(env: [
            Self.field("NAME", "metadata.name"), Self.field("NS", "metadata.namespace"), Self.field("UID", "metadata.uid"),
            Self.field("APP", "metadata.labels['app']"), Self.field("NOLABEL", "metadata.labels['absent']"),
            Self.field("OWNER", "metadata.annotations['team']"), Self.field("NODE", "spec.nodeName"),
            Self.field("SA", "spec.serviceAccountName"), Self.field("POD_IP", "status.podIP"), Self.field("POD_IPS", "status.podIPs"),
            Self.field("HOST_IP", "status.hostIP"), Self.field("HOST_IPS", "status.hostIPs"), Self.field("LABELS", "metadata.labels"),
        ], namespace: "shop")
        pod.metadata?.labels = ["app": "web", "tier": "front"]
        pod.metadata?.annotations = ["team": "payments"]
        pod.spec?.nodeName = "node-7"
        pod.spec?.serviceAccountName = "web-sa"
        let env = try Self.environment(pod)
        #expect(env["NAME"] == "web")
        #expect(env["NS"] == "shop")
        #expect(env["UID"] == "uid-1")
        #expect(env["APP"] == "web")
        #expect(env["NOLABEL"] == "")
        #expect(env["OWNER"] == "payments")
        #expect(env["NODE"] == "node-7")
        #expect(env["SA"] == "web-sa")
        #expect(env["POD_IP"] == "10.88.0.5")
        #expect(env["POD_IPS"] == "10.88.0.5,fd00::5")
        #expect(env["HOST_IP"] == "192.168.1.10")
        #expect(env["HOST_IPS"] == "192.168.1.10,fd00::10")
        #expect(env["LABELS"] == "app=\"web\"\ntier=\"front\"")
    }

    @Test("an unsupported fieldPath is an error")
    func unsupportedFieldPath() {
        let pod = Self.pod(env: [Self.field("X", "spec.containers")])
        #expect(throws: EnvironmentError.self) { try Self.environment(pod) }
    }

    @Test("resourceFieldRef divides by the divisor and rounds up; unset limits are the node's allocatable")
    func resourceFieldRefs() throws {
        var main = Fx.container("main")
        main.resources = Fx.resources(requests: ["cpu": "250m", "memory": "32Mi"], limits: ["cpu": "500m", "memory": "64Mi"])
        main.env = [
            Self.resource("CPU_MILLI", "limits.cpu", divisor: "1m"),
            Self.resource("CPU_CORES", "limits.cpu"),
            Self.resource("REQ_CPU", "requests.cpu", divisor: "1m"),
            Self.resource("MEM_MI", "limits.memory", divisor: "1Mi"),
            Self.resource("MEM_BYTES", "limits.memory"),
            Self.resource("REQ_MEM", "requests.memory", divisor: "1Mi"),
        ]
        var bare = Fx.container("bare")
        bare.env = [
            Self.resource("NODE_MEM", "limits.memory", divisor: "1Mi"),
            Self.resource("NODE_CPU", "limits.cpu"),
            Self.resource("REQ_CPU", "requests.cpu"),
            Self.resource("MAIN_MEM", "limits.memory", divisor: "1Mi", container: "main"),
        ]
        let pod = Fx.pod(containers: [main, bare])
        let b = Self.builder(pod)
        let env = Fx.dictionary(try b.build(for: main))
        #expect(env["CPU_MILLI"] == "500")
        #expect(env["CPU_CORES"] == "1")
        #expect(env["REQ_CPU"] == "250")
        #expect(env["MEM_MI"] == "64")
        #expect(env["MEM_BYTES"] == "67108864")
        #expect(env["REQ_MEM"] == "32")
        let bareEnv = Fx.dictionary(try b.build(for: bare))
        #expect(bareEnv["NODE_MEM"] == "8192")
        #expect(bareEnv["NODE_CPU"] == "4")
        #expect(bareEnv["REQ_CPU"] == "0")
        #expect(bareEnv["MAIN_MEM"] == "64")
    }

    // MARK: Service links

    @Test("service links: docker-link variables for each service of the namespace plus the kubernetes service")
    func serviceLinks() throws {
        let services = [
            Self.service("redis-primary", namespace: "shop", clusterIP: "10.96.0.20", ports: [CoreV1.ServicePort(name: "redis", port: 6379)]),
            Self.service("kubernetes", namespace: "default", clusterIP: "10.96.0.1", ports: [CoreV1.ServicePort(name: "https", port: 443, protocol: "TCP")]),
            Self.service("headless", namespace: "shop", clusterIP: "None", ports: [CoreV1.ServicePort(port: 80)]),
            Self.service("elsewhere", namespace: "other", clusterIP: "10.96.0.30", ports: [CoreV1.ServicePort(port: 80)]),
        ]
        let env = try Self.environment(Self.pod(namespace: "shop"), services: services)
        #expect(env["REDIS_PRIMARY_SERVICE_HOST"] == "10.96.0.20")
        #expect(env["REDIS_PRIMARY_SERVICE_PORT"] == "6379")
        #expect(env["REDIS_PRIMARY_SERVICE_PORT_REDIS"] == "6379")
        #expect(env["REDIS_PRIMARY_PORT"] == "tcp://10.96.0.20:6379")
        #expect(env["REDIS_PRIMARY_PORT_6379_TCP"] == "tcp://10.96.0.20:6379")
        #expect(env["REDIS_PRIMARY_PORT_6379_TCP_PROTO"] == "tcp")
        #expect(env["REDIS_PRIMARY_PORT_6379_TCP_PORT"] == "6379")
        #expect(env["REDIS_PRIMARY_PORT_6379_TCP_ADDR"] == "10.96.0.20")
        #expect(env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1")
        #expect(env["KUBERNETES_SERVICE_PORT"] == "443")
        #expect(env["KUBERNETES_SERVICE_PORT_HTTPS"] == "443")
        #expect(env["KUBERNETES_PORT"] == "tcp://10.96.0.1:443")
        #expect(!env.keys.contains { $0.hasPrefix("HEADLESS_") })
        #expect(!env.keys.contains { $0.hasPrefix("ELSEWHERE_") })
    }

    @Test("a UDP port gets udp:// links; the first port is the service's _PORT")
    func serviceLinksUDP() throws {
        let dns = Self.service("dns", namespace: "default", clusterIP: "10.96.0.10", ports: [
            CoreV1.ServicePort(name: "dns", port: 53, protocol: "UDP"), CoreV1.ServicePort(name: "dns-tcp", port: 53, protocol: "TCP"),
        ])
        let env = try Self.environment(Self.pod(), services: [dns])
        #expect(env["DNS_PORT"] == "udp://10.96.0.10:53")
        #expect(env["DNS_PORT_53_UDP"] == "udp://10.96.0.10:53")
        #expect(env["DNS_PORT_53_UDP_PROTO"] == "udp")
        #expect(env["DNS_PORT_53_TCP"] == "tcp://10.96.0.10:53")
        #expect(env["DNS_SERVICE_PORT_DNS_TCP"] == "53")
    }

    @Test("enableServiceLinks false keeps only the kubernetes service's variables")
    func serviceLinksDisabled() throws {
        var pod = Self.pod(namespace: "shop")
        pod.spec?.enableServiceLinks = false
        let services = [
            Self.service("redis", namespace: "shop", clusterIP: "10.96.0.20", ports: [CoreV1.ServicePort(port: 6379)]),
            Self.service("kubernetes", namespace: "default", clusterIP: "10.96.0.1", ports: [CoreV1.ServicePort(name: "https", port: 443)]),
        ]
        let env = try Self.environment(pod, services: services)
        #expect(env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1")
        #expect(env["REDIS_SERVICE_HOST"] == nil)
        #expect(!env.keys.contains { $0.hasPrefix("REDIS_") })
    }

    @Test("explicit variables override service links of the same name")
    func envOverridesServiceLinks() throws {
        let services = [Self.service("kubernetes", namespace: "default", clusterIP: "10.96.0.1", ports: [CoreV1.ServicePort(port: 443)])]
        let env = try Self.environment(Self.pod(env: [Self.value("KUBERNETES_SERVICE_HOST", "api.internal")]), services: services)
        #expect(env["KUBERNETES_SERVICE_HOST"] == "api.internal")
        #expect(env["KUBERNETES_SERVICE_PORT"] == "443")
    }

    @Test("an IPv6 cluster IP is bracketed in the link URLs")
    func serviceLinksIPv6() throws {
        let services = [Self.service("kubernetes", namespace: "default", clusterIP: "fd00::1", ports: [CoreV1.ServicePort(name: "https", port: 443)])]
        let env = try Self.environment(Self.pod(), services: services)
        #expect(env["KUBERNETES_SERVICE_HOST"] == "fd00::1")
        #expect(env["KUBERNETES_PORT_443_TCP_ADDR"] == "fd00::1")
        #expect(env["KUBERNETES_PORT"] == "tcp://[fd00::1]:443")
        #expect(env["KUBERNETES_PORT_443_TCP"] == "tcp://[fd00::1]:443")
    }
}

@Suite("QoS class (qos.GetPodQOS)")
struct QOSClassTests {
    static func spec(_ resources: [CoreV1.ResourceRequirements?], initContainers initResources: [CoreV1.ResourceRequirements?] = []) -> CoreV1.PodSpec {
        func containers(_ list: [CoreV1.ResourceRequirements?], _ prefix: String) -> [CoreV1.Container] {
            list.enumerated().map { index, resources in
                var container = Fx.container("\(prefix)\(index)")
                container.resources = resources
                return container
            }
        }
        var spec = CoreV1.PodSpec(containers: containers(resources, "c"))
        spec.initContainers = initResources.isEmpty ? nil : containers(initResources, "i")
        return spec
    }

    static let equal = Fx.resources(requests: ["cpu": "1", "memory": "1Gi"], limits: ["cpu": "1", "memory": "1Gi"])

    @Test("Guaranteed: every container limits cpu and memory with requests equal to the limits")
    func guaranteed() {
        #expect(QOSClass.of(Self.spec([Self.equal, Self.equal])) == "Guaranteed")
        #expect(QOSClass.of(Self.spec([Self.equal], initContainers: [Self.equal])) == "Guaranteed")
        // Equal amounts written differently are still equal.
        let milli = Fx.resources(requests: ["cpu": "1000m", "memory": "1024Mi"], limits: ["cpu": "1", "memory": "1Gi"])
        #expect(QOSClass.of(Self.spec([milli])) == "Guaranteed")
    }

    @Test("Burstable: requests below limits, a missing limit, or another container without resources")
    func burstable() {
        #expect(QOSClass.of(Self.spec([Fx.resources(requests: ["cpu": "500m", "memory": "1Gi"], limits: ["cpu": "1", "memory": "1Gi"])])) == "Burstable")
        #expect(QOSClass.of(Self.spec([Fx.resources(requests: ["memory": "64Mi"])])) == "Burstable")
        #expect(QOSClass.of(Self.spec([Fx.resources(limits: ["memory": "64Mi"])])) == "Burstable")
        #expect(QOSClass.of(Self.spec([Self.equal, nil])) == "Burstable")
        #expect(QOSClass.of(Self.spec([nil], initContainers: [Fx.resources(requests: ["cpu": "100m"])])) == "Burstable")
    }

    @Test("BestEffort: no container requests or limits cpu or memory (zero amounts and other resources do not count)")
    func bestEffort() {
        #expect(QOSClass.of(Self.spec([nil, nil])) == "BestEffort")
        #expect(QOSClass.of(Self.spec([Fx.resources(requests: ["cpu": "0", "memory": "0"])])) == "BestEffort")
        #expect(QOSClass.of(Self.spec([Fx.resources(requests: ["ephemeral-storage": "1Gi"], limits: ["ephemeral-storage": "2Gi"])])) == "BestEffort")
    }
}
