import APIMachinery
import APIServer
import Testing

/// Validation of built-in kinds: exact field paths and Kubernetes' messages. Objects are
/// defaulted first, as the request pipeline does.
struct ValidationTests {
    /// One object and the errors it must produce (`field: message`, in order).
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var kind: GroupVersionKind
        var namespaced: Bool = true
        var json: String
        var expected: [String]
        var testDescription: String { name }
    }

    static let pod = GroupVersionKind(group: "", version: "v1", kind: "Pod")
    static let service = GroupVersionKind(group: "", version: "v1", kind: "Service")
    static let deployment = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")

    static let subdomainMessage =
        #"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
    static let labelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

    /// A pod with one container and whatever `spec` members are added.
    static func podJSON(container: String = #""name":"app","image":"nginx""#, spec: String = "", metadata: String = #""name":"web","namespace":"default""#) -> String {
        #"{"apiVersion":"v1","kind":"Pod","metadata":{\#(metadata)},"spec":{"containers":[{\#(container)}]\#(spec.isEmpty ? "" : "," + spec)}}"#
    }

    static func deploymentJSON(selector: String = #","selector":{"matchLabels":{"app":"web"}}"#, labels: String = #"{"app":"web"}"#, extra: String = "") -> String {
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"template":{"metadata":{"labels":\#(labels)},"spec":{"containers":[{"name":"app","image":"nginx"}]}}\#(selector)\#(extra)}}"#
    }

    static func errors(_ json: String, kind: GroupVersionKind, namespaced: Bool = true, old: String? = nil) throws -> [String] {
        let object = Defaulting.apply(try JSONCodec.parse(json), gvk: kind)
        let previous = try old.map { Defaulting.apply(try JSONCodec.parse($0), gvk: kind) }
        return Validation.validate(object, old: previous, gvk: kind, namespaced: namespaced).map(\.description)
    }

    // MARK: Creates

    static let cases: [Case] = [
        // ObjectMeta
        Case(
            name: "missing name", kind: pod, json: podJSON(metadata: #""namespace":"default""#),
            expected: ["metadata.name: Required value: name or generateName is required"]),
        Case(
            name: "invalid pod name", kind: pod, json: podJSON(metadata: #""name":"Web_1","namespace":"default""#),
            expected: [#"metadata.name: Invalid value: "Web_1": "# + subdomainMessage]),
        Case(name: "generateName prefix may end in a dash", kind: pod, json: podJSON(metadata: #""generateName":"web-","name":"web-x2bz9","namespace":"default""#), expected: []),
        Case(name: "missing namespace", kind: pod, json: podJSON(metadata: #""name":"web""#), expected: ["metadata.namespace: Required value"]),
        Case(
            name: "namespace on a cluster-scoped kind", kind: GroupVersionKind(group: "", version: "v1", kind: "Namespace"),
            namespaced: false, json: #"{"kind":"Namespace","metadata":{"name":"team-a","namespace":"x"}}"#,
            expected: ["metadata.namespace: Forbidden: not allowed on this type"]),
        Case(
            name: "namespace names are labels", kind: GroupVersionKind(group: "", version: "v1", kind: "Namespace"),
            namespaced: false, json: #"{"kind":"Namespace","metadata":{"name":"Team_A"}}"#,
            expected: [#"metadata.name: Invalid value: "Team_A": "# + labelMessage]),
        Case(
            name: "label value", kind: pod, json: podJSON(metadata: #""name":"web","namespace":"default","labels":{"app":"-bad-"}"#),
            expected: [
                #"metadata.labels: Invalid value: "-bad-": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"#
            ]),
        Case(
            name: "finalizer without a domain", kind: pod,
            json: podJSON(metadata: #""name":"web","namespace":"default","finalizers":["cleanup"]"#),
            expected: [#"metadata.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified"#]),
        Case(
            name: "custom resources get metadata checks only", kind: GroupVersionKind(group: "example.com", version: "v1", kind: "Widget"),
            json: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"Bad Name","namespace":"default"},"spec":{"anything":1}}"#,
            expected: [#"metadata.name: Invalid value: "Bad Name": "# + subdomainMessage]),

        // Pods
        Case(name: "valid pod", kind: pod, json: podJSON(), expected: []),
        Case(name: "missing image", kind: pod, json: podJSON(container: #""name":"app""#), expected: ["spec.containers[0].image: Required value"]),
        Case(
            name: "no containers", kind: pod,
            json: #"{"kind":"Pod","metadata":{"name":"web","namespace":"default"},"spec":{"containers":[]}}"#,
            expected: ["spec.containers: Required value"]),
        Case(
            name: "container names are unique labels", kind: pod,
            json: #"{"kind":"Pod","metadata":{"name":"web","namespace":"default"},"spec":{"containers":[{"name":"App","image":"a"},{"name":"App","image":"b"}]}}"#,
            expected: [
                #"spec.containers[0].name: Invalid value: "App": "# + labelMessage,
                #"spec.containers[1].name: Invalid value: "App": "# + labelMessage,
                #"spec.containers[1].name: Duplicate value: "App""#,
            ]),
        Case(
            name: "container ports", kind: pod,
            json: podJSON(container: #""name":"app","image":"nginx","ports":[{"containerPort":70000,"protocol":"HTTP"},{"containerPort":0}]"#),
            expected: [
                "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
                #"spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP""#,
                "spec.containers[0].ports[1].containerPort: Required value",
            ]),
        Case(
            name: "requests above limits", kind: pod,
            json: podJSON(container: #""name":"app","image":"nginx","resources":{"limits":{"cpu":"1"},"requests":{"cpu":"2"}}"#),
            expected: [#"spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1"#]),
        Case(
            name: "unknown resource name", kind: pod,
            json: podJSON(container: #""name":"app","image":"nginx","resources":{"limits":{"gpu":"1"}}"#),
            expected: [
                #"spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified"#,
                #"spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers"#,
                #"spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified"#,
                #"spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers"#,
            ]),
        Case(
            name: "restart and DNS policies", kind: pod, json: podJSON(spec: #""restartPolicy":"Sometimes","dnsPolicy":"Foo""#),
            expected: [
                #"spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never""#,
                #"spec.dnsPolicy: Unsupported value: "Foo": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None""#,
            ]),
        Case(
            name: "mount of a missing volume", kind: pod,
            json: podJSON(container: #""name":"app","image":"nginx","volumeMounts":[{"name":"data","mountPath":"/data"}]"#),
            expected: [#"spec.containers[0].volumeMounts[0].name: Not found: "data""#]),
        Case(
            name: "environment variable names", kind: pod, json: podJSON(container: #""name":"app","image":"nginx","env":[{"name":"A=B","value":"x"}]"#),
            expected: [
                #"spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='"#
            ]),
        Case(
            name: "probe without a handler", kind: pod, json: podJSON(container: #""name":"app","image":"nginx","livenessProbe":{}"#),
            expected: ["spec.containers[0].livenessProbe: Required value: must specify a handler type"]),
        Case(
            name: "two volume sources", kind: pod,
            json: podJSON(spec: #""volumes":[{"name":"data","emptyDir":{},"hostPath":{"path":"/tmp"}}]"#),
            expected: ["spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type"]),
        Case(
            name: "toleration operator", kind: pod, json: podJSON(spec: #""tolerations":[{"operator":"Equal","value":"x"}]"#),
            expected: [#"spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys""#]),

        // Services
        Case(
            name: "service without ports", kind: service,
            json: #"{"kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"selector":{"app":"web"}}}"#,
            expected: ["spec.ports: Required value"]),
        Case(
            name: "several ports need names", kind: service,
            json: #"{"kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"ports":[{"port":80},{"port":443}]}}"#,
            expected: ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"]),
        Case(
            name: "service type", kind: service,
            json: #"{"kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"type":"Foo","ports":[{"port":80}]}}"#,
            expected: [#"spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort""#]),
        Case(
            name: "node port on a ClusterIP service", kind: service,
            json: #"{"kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"ports":[{"port":80,"nodePort":30080}]}}"#,
            expected: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]),
        Case(
            name: "service names are DNS-1035 labels", kind: service,
            json: #"{"kind":"Service","metadata":{"name":"1web","namespace":"default"},"spec":{"ports":[{"port":80}]}}"#,
            expected: [
                #"metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"#
            ]),
        Case(
            name: "ExternalName needs a name", kind: service,
            json: #"{"kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"type":"ExternalName"}}"#,
            expected: ["spec.externalName: Required value"]),
        Case(
            name: "duplicate service port", kind: service,
            json: #"{"kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"ports":[{"name":"a","port":80},{"name":"b","port":80}]}}"#,
            expected: [
                #"spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}"#
            ]),

        // Workloads
        Case(name: "valid deployment", kind: deployment, json: deploymentJSON(), expected: []),
        Case(
            name: "selector does not match labels", kind: deployment, json: deploymentJSON(labels: #"{"app":"api"}"#),
            expected: [#"spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`"#]),
        Case(
            name: "missing selector", kind: deployment, json: deploymentJSON(selector: ""),
            expected: [
                "spec.selector: Required value",
                #"spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`"#,
            ]),
        Case(
            name: "negative replicas", kind: deployment, json: deploymentJSON(extra: #","replicas":-1"#),
            expected: ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]),
        Case(
            name: "template restart policy", kind: deployment,
            json: #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"restartPolicy":"Never","containers":[{"name":"app"}]}}}}"#,
            expected: [
                "spec.template.spec.containers[0].image: Required value",
                #"spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always""#,
            ]),
        Case(
            name: "strategy type", kind: deployment, json: deploymentJSON(extra: #","strategy":{"type":"Blue"}"#),
            expected: [
                #"spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"Blue", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate""#
            ]),
        Case(
            name: "max surge", kind: deployment,
            json: deploymentJSON(extra: #","strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"abc"}}"#),
            expected: [
                "spec.strategy.rollingUpdate.maxSurge: Invalid value: abc: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
            ]),
        Case(
            name: "empty statefulset selector", kind: GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet"),
            json: #"{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db","namespace":"default"},"spec":{"serviceName":"db","selector":{},"template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"db","image":"postgres"}]}}}}"#,
            expected: [
                "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset"
            ]),
        Case(
            name: "daemonset rolling update", kind: GroupVersionKind(group: "apps", version: "v1", kind: "DaemonSet"),
            json: #"{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent","namespace":"kube-system"},"spec":{"selector":{"matchLabels":{"app":"agent"}},"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0}},"template":{"metadata":{"labels":{"app":"agent"}},"spec":{"containers":[{"name":"a","image":"agent"}]}}}}"#,
            expected: ["spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"]),
        Case(
            name: "job restart policy", kind: GroupVersionKind(group: "batch", version: "v1", kind: "Job"),
            json: #"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi","namespace":"default","uid":"1234"},"spec":{"template":{"spec":{"containers":[{"name":"pi","image":"perl"}]}}}}"#,
            expected: [#"spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never""#]),
        Case(
            name: "valid job", kind: GroupVersionKind(group: "batch", version: "v1", kind: "Job"),
            json: #"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi","namespace":"default","uid":"1234"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}}"#,
            expected: []),
        Case(
            name: "job without a generated selector", kind: GroupVersionKind(group: "batch", version: "v1", kind: "Job"),
            json: #"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi","namespace":"default"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}}"#,
            expected: [
                "spec.selector: Required value",
                "spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`",
            ]),
        Case(
            name: "cron field count", kind: GroupVersionKind(group: "batch", version: "v1", kind: "CronJob"),
            json: #"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"tick","namespace":"default"},"spec":{"schedule":"* * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox"}]}}}}}}"#,
            expected: [#"spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]"#]),
        Case(
            name: "cron range", kind: GroupVersionKind(group: "batch", version: "v1", kind: "CronJob"),
            json: #"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"tick","namespace":"default"},"spec":{"schedule":"61 * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox"}]}}}}}}"#,
            expected: [#"spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61"#]),
        Case(
            name: "cron schedule required", kind: GroupVersionKind(group: "batch", version: "v1", kind: "CronJob"),
            json: #"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"tick","namespace":"default"},"spec":{"jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox"}]}}}}}}"#,
            expected: ["spec.schedule: Required value"]),

        // Configuration and storage
        Case(
            name: "configmap key", kind: GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"),
            json: #"{"kind":"ConfigMap","metadata":{"name":"cfg","namespace":"default"},"data":{"a b":"x"}}"#,
            expected: [
                #"data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"#
            ]),
        Case(
            name: "tls secret keys", kind: GroupVersionKind(group: "", version: "v1", kind: "Secret"),
            json: #"{"kind":"Secret","metadata":{"name":"tls","namespace":"default"},"type":"kubernetes.io/tls","data":{}}"#,
            expected: ["data[tls.crt]: Required value", "data[tls.key]: Required value"]),
        Case(
            name: "claim needs modes and storage", kind: GroupVersionKind(group: "", version: "v1", kind: "PersistentVolumeClaim"),
            json: #"{"kind":"PersistentVolumeClaim","metadata":{"name":"data","namespace":"default"},"spec":{}}"#,
            expected: ["spec.accessModes: Required value: at least 1 access mode is required", "spec.resources[storage]: Required value"]),
        Case(
            name: "limit range ordering", kind: GroupVersionKind(group: "", version: "v1", kind: "LimitRange"),
            json: #"{"kind":"LimitRange","metadata":{"name":"l","namespace":"default"},"spec":{"limits":[{"type":"Container","min":{"cpu":"2"},"max":{"cpu":"1"}}]}}"#,
            expected: [
                "spec.limits[0].min[cpu]: Invalid value: 2: min value 2 is greater than max value 1",
                "spec.limits[0].defaultRequest[cpu]: Invalid value: 1: min value 2 is greater than default request value 1",
                "spec.limits[0].default[cpu]: Invalid value: 2: min value 2 is greater than default value 1",
            ]),
        Case(
            name: "duplicate taints", kind: GroupVersionKind(group: "", version: "v1", kind: "Node"), namespaced: false,
            json: #"{"kind":"Node","metadata":{"name":"n1"},"spec":{"taints":[{"key":"k","effect":"NoSchedule"},{"key":"k","value":"v","effect":"NoSchedule"}]}}"#,
            expected: [
                #"metadata.taints[1]: Duplicate value: core.Taint{Key:"k", Value:"v", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair"#
            ]),

        // Other groups
        Case(
            name: "rules need verbs", kind: GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: "Role"),
            json: #"{"kind":"Role","metadata":{"name":"reader","namespace":"default"},"rules":[{"apiGroups":[""],"resources":["pods"]}]}"#,
            expected: ["rules[0].verbs: Required value: verbs must contain at least one value"]),
        Case(
            name: "role reference kind", kind: GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding"),
            json: #"{"kind":"RoleBinding","metadata":{"name":"b","namespace":"default"},"roleRef":{"kind":"Foo","name":"r"},"subjects":[{"kind":"User","name":"alice"}]}"#,
            expected: [#"roleRef.kind: Unsupported value: "Foo": supported values: "Role", "ClusterRole""#]),
        Case(
            name: "priority ceiling", kind: GroupVersionKind(group: "scheduling.k8s.io", version: "v1", kind: "PriorityClass"),
            namespaced: false, json: #"{"kind":"PriorityClass","metadata":{"name":"high"},"value":2000000000}"#,
            expected: ["value: Forbidden: maximum allowed value of a user defined priority is 1000000000"]),
        Case(
            name: "ingress needs rules or a backend", kind: GroupVersionKind(group: "networking.k8s.io", version: "v1", kind: "Ingress"),
            json: #"{"kind":"Ingress","metadata":{"name":"web","namespace":"default"},"spec":{}}"#,
            expected: ["spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"]),
        Case(
            name: "ingress paths are absolute", kind: GroupVersionKind(group: "networking.k8s.io", version: "v1", kind: "Ingress"),
            json: #"{"kind":"Ingress","metadata":{"name":"web","namespace":"default"},"spec":{"rules":[{"host":"example.com","http":{"paths":[{"path":"api","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}"#,
            expected: [#"spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path"#]),
        Case(
            name: "lease duration", kind: GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease"),
            json: #"{"kind":"Lease","metadata":{"name":"n1","namespace":"kube-node-lease"},"spec":{"leaseDurationSeconds":0}}"#,
            expected: ["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"]),
        Case(
            name: "core events skip name rules", kind: GroupVersionKind(group: "", version: "v1", kind: "Event"),
            json: #"{"kind":"Event","metadata":{"name":"web.17a3b","namespace":"default"},"involvedObject":{"kind":"Pod","name":"web","namespace":"default"},"reason":"Started"}"#,
            expected: []),
    ]

    @Test(arguments: cases)
    func create(_ testCase: Case) throws {
        #expect(try Self.errors(testCase.json, kind: testCase.kind, namespaced: testCase.namespaced) == testCase.expected)
    }

    // MARK: Updates

    @Test func podSpecIsMostlyImmutable() throws {
        let old = Self.podJSON(container: #""name":"app","image":"nginx","ports":[{"containerPort":80}]"#)
        let changed = Self.podJSON(container: #""name":"app","image":"nginx","ports":[{"containerPort":8080}]"#)
        let errors = try Self.errors(changed, kind: Self.pod, old: old)
        #expect(errors.count == 1)
        let message = try #require(errors.first)
        #expect(
            message.hasPrefix(
                "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"
            ))
        #expect(message.contains("- \tcontainers[0].ports[0].containerPort: 80\n+ \tcontainers[0].ports[0].containerPort: 8080"))
    }

    @Test func podImageMayChange() throws {
        let old = Self.podJSON(container: #""name":"app","image":"nginx:1.26""#)
        let changed = Self.podJSON(container: #""name":"app","image":"nginx:1.27""#)
        #expect(try Self.errors(changed, kind: Self.pod, old: old) == [])
    }

    @Test func podContainersMayNotBeAdded() throws {
        let old = Self.podJSON()
        let changed = Self.podJSON(spec: #""initContainers":[{"name":"init","image":"busybox"}]"#)
        #expect(try Self.errors(changed, kind: Self.pod, old: old) == ["spec.initContainers: Forbidden: pod updates may not add or remove containers"])
    }

    @Test func identityIsImmutable() throws {
        let old = Self.podJSON(metadata: #""name":"web","namespace":"default","uid":"a""#)
        let changed = Self.podJSON(metadata: #""name":"web","namespace":"default","uid":"b""#)
        #expect(try Self.errors(changed, kind: Self.pod, old: old) == [#"metadata.uid: Invalid value: "b": field is immutable"#])
    }

    @Test func deploymentSelectorIsImmutable() throws {
        let old = Self.deploymentJSON()
        let changed = Self.deploymentJSON(selector: #","selector":{"matchLabels":{"app":"web2"}}"#, labels: #"{"app":"web2"}"#)
        #expect(
            try Self.errors(changed, kind: Self.deployment, old: old) == [
                #"spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"#
            ])
        // Scaling is an ordinary update.
        #expect(try Self.errors(Self.deploymentJSON(extra: #","replicas":5"#), kind: Self.deployment, old: old) == [])
    }

    @Test func clusterIPIsImmutable() throws {
        let old = #"{"kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"clusterIP":"10.0.0.10","ports":[{"port":80}]}}"#
        let changed = #"{"kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"clusterIP":"10.0.0.11","ports":[{"port":80}]}}"#
        #expect(
            try Self.errors(changed, kind: Self.service, old: old) == [
                #"spec.clusterIPs[0]: Invalid value: []string{"10.0.0.11"}: may not change once set"#
            ])
        // A client that leaves the allocated address out keeps it.
        let omitted = #"{"kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"ports":[{"port":8080}]}}"#
        #expect(try Self.errors(omitted, kind: Self.service, old: old).isEmpty)
    }

    @Test func statefulSetSpecIsMostlyImmutable() throws {
        let kind = GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet")
        func statefulSet(_ serviceName: String, replicas: Int) -> String {
            #"{"kind":"StatefulSet","metadata":{"name":"db","namespace":"default"},"spec":{"replicas":\#(replicas),"serviceName":"\#(serviceName)","selector":{"matchLabels":{"app":"db"}},"template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"db","image":"postgres"}]}}}}"#
        }
        #expect(try Self.errors(statefulSet("db", replicas: 3), kind: kind, old: statefulSet("db", replicas: 1)) == [])
        #expect(
            try Self.errors(statefulSet("other", replicas: 1), kind: kind, old: statefulSet("db", replicas: 1)) == [
                "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
            ])
    }

    @Test func immutableSecretData() throws {
        let kind = GroupVersionKind(group: "", version: "v1", kind: "Secret")
        let old = #"{"kind":"Secret","metadata":{"name":"s","namespace":"default"},"immutable":true,"data":{"a":"YQ=="}}"#
        let changed = #"{"kind":"Secret","metadata":{"name":"s","namespace":"default"},"immutable":true,"data":{"a":"Yg=="}}"#
        #expect(try Self.errors(changed, kind: kind, old: old) == ["data: Forbidden: field is immutable when `immutable` is set"])
    }

    @Test func noNewFinalizersWhileDeleting() throws {
        let old = Self.podJSON(metadata: #""name":"web","namespace":"default","deletionTimestamp":"2024-01-01T00:00:00Z","deletionGracePeriodSeconds":30"#)
        let changed = Self.podJSON(
            metadata: #""name":"web","namespace":"default","deletionTimestamp":"2024-01-01T00:00:00Z","deletionGracePeriodSeconds":30,"finalizers":["example.com/x"]"#)
        #expect(
            try Self.errors(changed, kind: Self.pod, old: old) == [
                #"metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/x"}"#
            ])
    }

    // MARK: Errors

    @Test(arguments: [
        (FieldError(type: .required, field: "spec.containers[0].image"), "Required value"),
        (FieldError(type: .required, field: "f", badValue: "\"ignored\"", detail: "must be set"), "Required value: must be set"),
        (FieldError(type: .invalid, field: "f", badValue: "\"x\"", detail: "bad"), #"Invalid value: "x": bad"#),
        (FieldError(type: .notSupported, field: "f", badValue: "\"x\"", detail: #"supported values: "a", "b""#), #"Unsupported value: "x": supported values: "a", "b""#),
        (FieldError(type: .duplicate, field: "f", badValue: "\"x\""), #"Duplicate value: "x""#),
        (FieldError(type: .notFound, field: "f", badValue: "\"x\""), #"Not found: "x""#),
        (FieldError(type: .forbidden, field: "f", badValue: "\"x\"", detail: "no"), "Forbidden: no"),
        (FieldError(type: .tooLong, field: "f", badValue: "\"x\"", detail: "must have at most 3 bytes"), "Too long: must have at most 3 bytes"),
        (FieldError(type: .tooMany, field: "f", badValue: "4", detail: "must have at most 3 items"), "Too many: 4: must have at most 3 items"),
        (FieldError(type: .internalError, field: "f", detail: "boom"), "Internal error: boom"),
    ])
    func messages(error: FieldError, message: String) {
        #expect(error.message == message)
        #expect(error.description == "\(error.field): \(message)")
    }

    @Test func statusCause() {
        let error = FieldError(type: .required, field: "spec.containers[0].image")
        #expect(
            error.statusCause
                == MetaV1.StatusCause(field: "spec.containers[0].image", message: "Required value", reason: "FieldValueRequired"))
        let status = MetaV1.Status.invalid(group: "", kind: "Pod", name: "web", causes: [error.statusCause])
        #expect(status.message == #"Pod "web" is invalid: spec.containers[0].image: Required value"#)
    }

    @Test func annotationsAreLimitedTo256KiB() throws {
        let big = String(repeating: "x", count: 256 * 1024)
        let json = Self.podJSON(metadata: #""name":"web","namespace":"default","annotations":{"a":"\#(big)"}"#)
        #expect(try Self.errors(json, kind: Self.pod) == ["metadata.annotations: Too long: must have at most 262144 bytes"])
    }

    @Test func undecodableObjectsAreReported() throws {
        let json = #"{"kind":"Pod","metadata":{"name":"web","namespace":"default"},"spec":{"containers":[{"name":"a","image":5}]}}"#
        let errors = Validation.validate(try JSONCodec.parse(json), old: nil, gvk: Self.pod, namespaced: true)
        #expect(errors.count == 1)
        #expect(errors.first?.type == FieldError.ErrorType.internalError)
    }
}
