import APIMachinery
import APIServer
import Testing

/// Defaulting of built-in kinds: the trees Kubernetes would store for minimal inputs.
struct DefaultingTests {
    static func defaulted(_ json: String, _ group: String, _ kind: String) throws -> JSONValue {
        Defaulting.apply(try JSONCodec.parse(json), gvk: GroupVersionKind(group: group, version: "v1", kind: kind))
    }

    static func tree(_ json: String) throws -> JSONValue { try JSONCodec.parse(json) }

    /// The tree of a JSON literal written in this file (nil if it does not parse, failing the
    /// comparison it is used in).
    static func parsed(_ json: String) -> JSONValue? { try? JSONCodec.parse(json) }

    static let podSpecDefaults =
        #""dnsPolicy":"ClusterFirst","restartPolicy":"Always","securityContext":{},"terminationGracePeriodSeconds":30,"schedulerName":"default-scheduler""#

    // MARK: Pods

    @Test func pod() throws {
        let pod = try Self.defaulted(
            #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"app","image":"nginx","ports":[{"containerPort":80}]}]}}"#,
            "", "Pod")
        let expected = try Self.tree(
            #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"app","image":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"imagePullPolicy":"Always","terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],\#(Self.podSpecDefaults),"enableServiceLinks":true,"priority":0,"preemptionPolicy":"PreemptLowerPriority"}}"#
        )
        #expect(pod == expected)
    }

    @Test func membersKeepTheirOrderAndDefaultsFollow() throws {
        let pod = try Self.defaulted(
            #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"restartPolicy":"Never","containers":[{"name":"app","image":"nginx"}]}}"#,
            "", "Pod")
        guard case .object(let spec)? = pod["spec"] else {
            Issue.record("no spec")
            return
        }
        #expect(Array(spec.keys.prefix(3)) == ["restartPolicy", "containers", "dnsPolicy"])
        #expect(pod["spec"]?["restartPolicy"] == "Never")
    }

    @Test(arguments: [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        ("nginx@sha256:0123456789abcdef", "IfNotPresent"),
        ("nginx:1.27@sha256:0123456789abcdef", "IfNotPresent"),
        ("localhost:5000/app", "Always"),
        ("registry.example.com:5000/team/app:v1", "IfNotPresent"),
        ("", "IfNotPresent"),
    ])
    func imagePullPolicy(image: String, policy: String) throws {
        let pod = try Self.defaulted(
            #"{"kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"app","image":"\#(image)"}]}}"#, "", "Pod")
        #expect(pod["spec"]?["containers"]?[0]?["imagePullPolicy"] == JSONValue.string(policy))
    }

    @Test func explicitValuesAreKept() throws {
        let pod = try Self.defaulted(
            #"{"kind":"Pod","metadata":{"name":"web"},"spec":{"dnsPolicy":"Default","terminationGracePeriodSeconds":5,"enableServiceLinks":false,"containers":[{"name":"app","image":"nginx","imagePullPolicy":"Never"}]}}"#,
            "", "Pod")
        #expect(pod["spec"]?["dnsPolicy"] == "Default")
        #expect(pod["spec"]?["terminationGracePeriodSeconds"] == 5)
        #expect(pod["spec"]?["enableServiceLinks"] == false)
        #expect(pod["spec"]?["containers"]?[0]?["imagePullPolicy"] == "Never")
    }

    @Test func requestsDefaultToLimitsProbesAndVolumes() throws {
        let pod = try Self.defaulted(
            #"{"kind":"Pod","metadata":{"name":"web"},"spec":{"volumes":[{"name":"scratch"},{"name":"cfg","configMap":{"name":"cfg"}}],"containers":[{"name":"app","image":"nginx","resources":{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"500m"}},"livenessProbe":{"httpGet":{"port":80}}}]}}"#,
            "", "Pod")
        let container = pod["spec"]?["containers"]?[0]
        #expect(container?["resources"]?["requests"] == (Self.parsed(#"{"cpu":"500m","memory":"1Gi"}"#)))
        #expect(
            container?["livenessProbe"]
                == (Self.parsed(
                    #"{"httpGet":{"port":80,"path":"/","scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3}"#
                )))
        #expect(pod["spec"]?["volumes"] == (Self.parsed(#"[{"name":"scratch","emptyDir":{}},{"name":"cfg","configMap":{"name":"cfg","defaultMode":420}}]"#)))
    }

    @Test func hostNetworkCopiesContainerPorts() throws {
        let pod = try Self.defaulted(
            #"{"kind":"Pod","metadata":{"name":"web"},"spec":{"hostNetwork":true,"containers":[{"name":"app","image":"nginx","ports":[{"containerPort":8080}]}]}}"#,
            "", "Pod")
        #expect(pod["spec"]?["containers"]?[0]?["ports"] == (Self.parsed(#"[{"containerPort":8080,"hostPort":8080,"protocol":"TCP"}]"#)))
    }

    // MARK: Services

    @Test func clusterIPService() throws {
        let service = try Self.defaulted(
            #"{"kind":"Service","metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80},{"name":"metrics","port":9090,"targetPort":"metrics"}]}}"#,
            "", "Service")
        let expected = try Self.tree(
            #"{"kind":"Service","metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80,"protocol":"TCP","targetPort":80},{"name":"metrics","port":9090,"targetPort":"metrics","protocol":"TCP"}],"sessionAffinity":"None","type":"ClusterIP","internalTrafficPolicy":"Cluster","ipFamilyPolicy":"SingleStack","ipFamilies":["IPv4"]}}"#
        )
        #expect(service == expected)
    }

    @Test func externallyAccessibleServices() throws {
        let nodePort = try Self.defaulted(#"{"kind":"Service","spec":{"type":"NodePort","ports":[{"port":80}]}}"#, "", "Service")
        #expect(nodePort["spec"]?["externalTrafficPolicy"] == "Cluster")
        #expect(nodePort["spec"]?["allocateLoadBalancerNodePorts"] == nil)
        let balancer = try Self.defaulted(#"{"kind":"Service","spec":{"type":"LoadBalancer","ports":[{"port":80}]}}"#, "", "Service")
        #expect(balancer["spec"]?["allocateLoadBalancerNodePorts"] == true)
        #expect(balancer["spec"]?["externalTrafficPolicy"] == "Cluster")
    }

    @Test func externalNameServiceGetsNoAddressFields() throws {
        let service = try Self.defaulted(#"{"kind":"Service","spec":{"type":"ExternalName","externalName":"example.com"}}"#, "", "Service")
        #expect(service == (Self.parsed(#"{"kind":"Service","spec":{"type":"ExternalName","externalName":"example.com","sessionAffinity":"None"}}"#)))
    }

    @Test func clientIPAffinityGetsATimeout() throws {
        let service = try Self.defaulted(#"{"kind":"Service","spec":{"sessionAffinity":"ClientIP","ports":[{"port":80}]}}"#, "", "Service")
        #expect(service["spec"]?["sessionAffinityConfig"] == (Self.parsed(#"{"clientIP":{"timeoutSeconds":10800}}"#)))
    }

    @Test func clusterIPsFollowClusterIP() throws {
        let service = try Self.defaulted(#"{"kind":"Service","spec":{"clusterIP":"fd00::10","ports":[{"port":80}]}}"#, "", "Service")
        #expect(service["spec"]?["clusterIPs"] == ["fd00::10"])
        #expect(service["spec"]?["ipFamilies"] == ["IPv6"])
    }

    // MARK: Workloads

    @Test func deployment() throws {
        let deployment = try Self.defaulted(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}}}}"#,
            "apps", "Deployment")
        let expected = try Self.tree(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.27","imagePullPolicy":"IfNotPresent","terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],\#(Self.podSpecDefaults)}},"replicas":1,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},"revisionHistoryLimit":10,"progressDeadlineSeconds":600}}"#
        )
        #expect(deployment == expected)
    }

    @Test func recreateStrategyHasNoRollingUpdate() throws {
        let deployment = try Self.defaulted(#"{"kind":"Deployment","spec":{"strategy":{"type":"Recreate"}}}"#, "apps", "Deployment")
        #expect(deployment["spec"]?["strategy"] == (Self.parsed(#"{"type":"Recreate"}"#)))
    }

    @Test func replicaSetDaemonSetStatefulSet() throws {
        let replicaSet = try Self.defaulted(#"{"kind":"ReplicaSet","spec":{}}"#, "apps", "ReplicaSet")
        #expect(replicaSet["spec"] == (Self.parsed(#"{"replicas":1}"#)))

        let daemonSet = try Self.defaulted(#"{"kind":"DaemonSet","spec":{"template":{"spec":{"containers":[]}}}}"#, "apps", "DaemonSet")
        #expect(
            daemonSet["spec"]
                == (Self.parsed(
                    #"{"template":{"spec":{"containers":[],\#(Self.podSpecDefaults)}},"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}},"revisionHistoryLimit":10}"#
                )))

        let statefulSet = try Self.defaulted(
            #"{"kind":"StatefulSet","spec":{"template":{"spec":{"containers":[]}},"volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"]}}]}}"#,
            "apps", "StatefulSet")
        #expect(
            statefulSet["spec"]
                == (Self.parsed(
                    #"{"template":{"spec":{"containers":[],\#(Self.podSpecDefaults)}},"volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"volumeMode":"Filesystem"},"status":{"phase":"Pending"}}],"podManagementPolicy":"OrderedReady","updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0}},"persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Retain","whenScaled":"Retain"},"replicas":1,"revisionHistoryLimit":10}"#
                )))
    }

    @Test func jobWithUIDGetsAGeneratedSelector() throws {
        let job = try Self.defaulted(
            #"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi","uid":"u-1"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl:5.34"}]}}}}"#,
            "batch", "Job")
        let labels = #"{"job-name":"pi","batch.kubernetes.io/job-name":"pi","controller-uid":"u-1","batch.kubernetes.io/controller-uid":"u-1"}"#
        let expected = try Self.tree(
            #"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi","uid":"u-1","labels":\#(labels)},"spec":{"template":{"metadata":{"labels":\#(labels)},"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl:5.34","imagePullPolicy":"IfNotPresent","terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],"dnsPolicy":"ClusterFirst","securityContext":{},"terminationGracePeriodSeconds":30,"schedulerName":"default-scheduler"}},"completions":1,"parallelism":1,"backoffLimit":6,"completionMode":"NonIndexed","suspend":false,"podReplacementPolicy":"TerminatingOrFailed","selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"u-1"}},"manualSelector":false}}"#
        )
        #expect(job == expected)
    }

    @Test func jobParallelismAlone() throws {
        let job = try Self.defaulted(#"{"kind":"Job","spec":{"parallelism":3,"manualSelector":true}}"#, "batch", "Job")
        #expect(job["spec"]?["completions"] == nil)
        #expect(job["spec"]?["parallelism"] == 3)
        #expect(job["spec"]?["selector"] == nil)
    }

    @Test func cronJob() throws {
        let cronJob = try Self.defaulted(
            #"{"kind":"CronJob","spec":{"schedule":"*/5 * * * *","jobTemplate":{"spec":{"template":{"spec":{"containers":[]}}}}}}"#,
            "batch", "CronJob")
        #expect(
            cronJob["spec"]
                == (Self.parsed(
                    #"{"schedule":"*/5 * * * *","jobTemplate":{"spec":{"template":{"spec":{"containers":[],\#(Self.podSpecDefaults)}}}},"concurrencyPolicy":"Allow","suspend":false,"successfulJobsHistoryLimit":3,"failedJobsHistoryLimit":1}"#
                )))
    }

    // MARK: Other kinds

    @Test func secret() throws {
        let secret = try Self.defaulted(
            #"{"kind":"Secret","metadata":{"name":"s"},"data":{"a":"YQ=="},"stringData":{"user":"admin"}}"#, "", "Secret")
        #expect(secret == (Self.parsed(#"{"kind":"Secret","metadata":{"name":"s"},"data":{"a":"YQ==","user":"YWRtaW4="},"type":"Opaque"}"#)))
    }

    @Test func namespace() throws {
        let namespace = try Self.defaulted(#"{"kind":"Namespace","metadata":{"name":"team-a","labels":{"x":"y"}}}"#, "", "Namespace")
        #expect(
            namespace
                == (Self.parsed(
                    #"{"kind":"Namespace","metadata":{"name":"team-a","labels":{"x":"y","kubernetes.io/metadata.name":"team-a"}},"status":{"phase":"Active"}}"#
                )))
    }

    @Test func persistentVolumeClaim() throws {
        let claim = try Self.defaulted(#"{"kind":"PersistentVolumeClaim","spec":{"accessModes":["ReadWriteOnce"]}}"#, "", "PersistentVolumeClaim")
        #expect(
            claim
                == (Self.parsed(
                    #"{"kind":"PersistentVolumeClaim","spec":{"accessModes":["ReadWriteOnce"],"volumeMode":"Filesystem"},"status":{"phase":"Pending"}}"#
                )))
    }

    @Test func bindingsAndPriorityClasses() throws {
        let binding = try Self.defaulted(
            #"{"kind":"RoleBinding","roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"User","name":"a"},{"kind":"ServiceAccount","name":"b","namespace":"n"}]}"#,
            "rbac.authorization.k8s.io", "RoleBinding")
        #expect(binding["roleRef"]?["apiGroup"] == "rbac.authorization.k8s.io")
        #expect(binding["subjects"]?[0]?["apiGroup"] == "rbac.authorization.k8s.io")
        #expect(binding["subjects"]?[1]?["apiGroup"] == "")
        let priorityClass = try Self.defaulted(#"{"kind":"PriorityClass","value":10}"#, "scheduling.k8s.io", "PriorityClass")
        #expect(priorityClass["preemptionPolicy"] == "PreemptLowerPriority")
    }

    @Test func unknownKindsAreUnchanged() throws {
        let input = try Self.tree(#"{"apiVersion":"example.com/v1","kind":"Widget","spec":{"replicas":null}}"#)
        #expect(Defaulting.apply(input, gvk: GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")) == input)
    }

    // MARK: Properties

    static let samples: [(String, String, String)] = [
        (#"{"kind":"Pod","metadata":{"name":"web","namespace":"default"},"spec":{"containers":[{"name":"app","image":"nginx","livenessProbe":{"tcpSocket":{"port":80}}}],"volumes":[{"name":"v"}]}}"#, "", "Pod"),
        (#"{"kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"type":"LoadBalancer","ports":[{"port":80}]}}"#, "", "Service"),
        (#"{"kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx"}]}}}}"#, "apps", "Deployment"),
        (#"{"kind":"StatefulSet","metadata":{"name":"db","namespace":"default"},"spec":{"serviceName":"db","selector":{"matchLabels":{"app":"db"}},"template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"db","image":"postgres"}]}}}}"#, "apps", "StatefulSet"),
        (#"{"kind":"DaemonSet","metadata":{"name":"agent","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"agent"}},"template":{"metadata":{"labels":{"app":"agent"}},"spec":{"containers":[{"name":"a","image":"agent"}]}}}}"#, "apps", "DaemonSet"),
        (#"{"kind":"Job","metadata":{"name":"pi","namespace":"default","uid":"u-1"},"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"pi","image":"perl"}]}}}}"#, "batch", "Job"),
        (#"{"kind":"CronJob","metadata":{"name":"tick","namespace":"default"},"spec":{"schedule":"@hourly","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}}}"#, "batch", "CronJob"),
        (#"{"kind":"Secret","metadata":{"name":"s","namespace":"default"},"stringData":{"k":"v"}}"#, "", "Secret"),
        (#"{"kind":"PersistentVolumeClaim","metadata":{"name":"data","namespace":"default"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}"#, "", "PersistentVolumeClaim"),
    ]

    @Test(arguments: samples)
    func defaultingIsIdempotent(json: String, group: String, kind: String) throws {
        let gvk = GroupVersionKind(group: group, version: "v1", kind: kind)
        let once = Defaulting.apply(try JSONCodec.parse(json), gvk: gvk)
        #expect(Defaulting.apply(once, gvk: gvk) == once)
    }

    @Test(arguments: samples)
    func defaultedSamplesAreValid(json: String, group: String, kind: String) throws {
        let gvk = GroupVersionKind(group: group, version: "v1", kind: kind)
        let object = Defaulting.apply(try JSONCodec.parse(json), gvk: gvk)
        #expect(Validation.validate(object, old: nil, gvk: gvk, namespaced: true).map(\.description) == [])
    }
}
