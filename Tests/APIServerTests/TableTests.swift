import APIMachinery
import Testing

@testable import APIServer

// Expected cells are what kube-apiserver 1.32 returns for the same objects
// (pkg/printers/internalversion), measured at a fixed `now`.

/// 2024-06-01T12:00:00Z.
private let now = Time(secondsSinceEpoch: 1_717_243_200)

/// RFC 3339 text for `seconds` before `now`.
private func ago(_ seconds: Int64) -> String {
    Time(secondsSinceEpoch: now.secondsSinceEpoch - seconds).description
}

private let podGVK = GroupVersionKind(group: "", version: "v1", kind: "Pod")
private let serviceGVK = GroupVersionKind(group: "", version: "v1", kind: "Service")
private let nodeGVK = GroupVersionKind(group: "", version: "v1", kind: "Node")
private let eventGVK = GroupVersionKind(group: "", version: "v1", kind: "Event")
private let deploymentGVK = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
private let jobGVK = GroupVersionKind(group: "batch", version: "v1", kind: "Job")

/// One object and the cells expected for it.
struct CellCase: Sendable, CustomTestStringConvertible {
    var name: String
    var gvk: GroupVersionKind
    var object: String
    var expected: [JSONValue]
    var testDescription: String { name }
}

private func cells(_ testCase: CellCase) throws -> [JSONValue] {
    TablePrinter.cells(for: try JSONCodec.parse(testCase.object), gvk: testCase.gvk, now: now)
}

// MARK: - HumanDuration

@Suite struct HumanDurationTests {
    @Test(arguments: [
        (Int64(-5), "<invalid>"), (-2, "<invalid>"), (-1, "0s"), (0, "0s"), (59, "59s"), (119, "119s"),
        (120, "2m"), (130, "2m10s"), (599, "9m59s"), (600, "10m"), (10799, "179m"), (10800, "3h"),
        (11100, "3h5m"), (28799, "7h59m"), (28800, "8h"), (172_799, "47h"), (172_800, "2d"),
        (183_600, "2d3h"), (691_199, "7d23h"), (691_200, "8d"), (864_000, "10d"), (63_071_999, "729d"),
        (63_072_000, "2y"), (65_664_000, "2y30d"), (252_287_999, "7y364d"), (252_288_000, "8y"),
        (315_360_000, "10y"),
    ])
    func boundaries(seconds: Int64, expected: String) {
        #expect(HumanDuration.format(seconds: seconds) == expected)
    }

    @Test func ages() throws {
        #expect(HumanDuration.since(nil as Time?, now: now) == "<unknown>")
        #expect(HumanDuration.since(Time.zero, now: now) == "<unknown>")
        #expect(HumanDuration.since(Time(secondsSinceEpoch: now.secondsSinceEpoch - 310), now: now) == "5m10s")
        // Microsecond timestamps truncate: 90.5s reads 90s.
        let micro = try MicroTime(rfc3339: ago(91).replacingZ(with: ".500000Z"))
        #expect(HumanDuration.since(micro, now: now) == "90s")
    }
}

extension String {
    fileprivate func replacingZ(with suffix: String) -> String {
        hasSuffix("Z") ? String(dropLast()) + suffix : self
    }
}

// MARK: - Pods

private let podCases: [CellCase] = [
    CellCase(
        name: "running and ready", gvk: podGVK,
        object: """
            {"metadata":{"name":"web","creationTimestamp":"\(ago(310))"},
             "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"nginx"}]},
             "status":{"phase":"Running","podIP":"10.0.0.5","conditions":[{"type":"Ready","status":"True"}],
               "containerStatuses":[{"name":"app","ready":true,"restartCount":0,"state":{"running":{}}}]}}
            """,
        expected: ["web", "1/1", "Running", "0", "5m10s", "10.0.0.5", "node-1", "<none>", "<none>"]),
    CellCase(
        name: "pending, not scheduled", gvk: podGVK,
        object: """
            {"metadata":{"name":"p","creationTimestamp":"\(ago(30))"},
             "spec":{"containers":[{"name":"a"},{"name":"b"}]},"status":{"phase":"Pending"}}
            """,
        expected: ["p", "0/2", "Pending", "0", "30s", "<none>", "<none>", "<none>", "<none>"]),
    CellCase(
        name: "crash loop with last restart", gvk: podGVK,
        object: """
            {"metadata":{"name":"crashy","creationTimestamp":"\(ago(3 * 3600 + 300))"},
             "spec":{"nodeName":"node-1","containers":[{"name":"app"}]},
             "status":{"phase":"Running","podIPs":[{"ip":"10.0.0.6"}],
               "containerStatuses":[{"name":"app","ready":false,"restartCount":5,
                 "state":{"waiting":{"reason":"CrashLoopBackOff"}},
                 "lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"\(ago(300))"}}}]}}
            """,
        expected: ["crashy", "0/1", "CrashLoopBackOff", "5 (5m ago)", "3h5m", "10.0.0.6", "node-1", "<none>", "<none>"]),
    CellCase(
        name: "init container waiting", gvk: podGVK,
        object: """
            {"metadata":{"name":"init","creationTimestamp":"\(ago(45))"},
             "spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"app"}]},
             "status":{"phase":"Pending",
               "initContainerStatuses":[{"name":"i1","restartCount":0,"state":{"waiting":{"reason":"ErrImagePull"}}}],
               "containerStatuses":[{"name":"app","state":{"waiting":{"reason":"PodInitializing"}}}]}}
            """,
        expected: ["init", "0/1", "Init:ErrImagePull", "0", "45s", "<none>", "<none>", "<none>", "<none>"]),
    CellCase(
        name: "second init container running", gvk: podGVK,
        object: """
            {"metadata":{"name":"init","creationTimestamp":"\(ago(45))"},
             "spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"app"}]},
             "status":{"phase":"Pending","initContainerStatuses":[
               {"name":"i1","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
               {"name":"i2","state":{"running":{}}}]}}
            """,
        expected: ["init", "0/1", "Init:1/2", "0", "45s", "<none>", "<none>", "<none>", "<none>"]),
    CellCase(
        name: "init container failed, its restarts shown", gvk: podGVK,
        object: """
            {"metadata":{"name":"init","creationTimestamp":"\(ago(600))"},
             "spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"app"}]},
             "status":{"phase":"Pending","initContainerStatuses":[
               {"name":"i1","restartCount":3,"state":{"terminated":{"exitCode":1}},
                "lastState":{"terminated":{"exitCode":1,"finishedAt":"\(ago(120))"}}}]}}
            """,
        expected: ["init", "0/1", "Init:ExitCode:1", "3 (2m ago)", "10m", "<none>", "<none>", "<none>", "<none>"]),
    CellCase(
        name: "terminating", gvk: podGVK,
        object: """
            {"metadata":{"name":"bye","creationTimestamp":"\(ago(7200))","deletionTimestamp":"\(ago(5))"},
             "spec":{"nodeName":"node-1","containers":[{"name":"app"}]},
             "status":{"phase":"Running","podIP":"10.0.0.7",
               "containerStatuses":[{"name":"app","ready":true,"state":{"running":{}}}]}}
            """,
        expected: ["bye", "1/1", "Terminating", "0", "120m", "10.0.0.7", "node-1", "<none>", "<none>"]),
    CellCase(
        name: "node lost", gvk: podGVK,
        object: """
            {"metadata":{"name":"lost","creationTimestamp":"\(ago(7200))","deletionTimestamp":"\(ago(5))"},
             "spec":{"nodeName":"node-9","containers":[{"name":"app"}]},
             "status":{"phase":"Running","reason":"NodeLost",
               "containerStatuses":[{"name":"app","ready":true,"state":{"running":{}}}]}}
            """,
        expected: ["lost", "1/1", "Unknown", "0", "120m", "<none>", "node-9", "<none>", "<none>"]),
    CellCase(
        name: "succeeded", gvk: podGVK,
        object: """
            {"metadata":{"name":"done","creationTimestamp":"\(ago(86400 * 3))","deletionTimestamp":"\(ago(5))"},
             "spec":{"containers":[{"name":"job"}]},
             "status":{"phase":"Succeeded",
               "containerStatuses":[{"name":"job","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}}
            """,
        expected: ["done", "0/1", "Completed", "0", "3d", "<none>", "<none>", "<none>", "<none>"]),
    CellCase(
        name: "completed container beside a running one", gvk: podGVK,
        object: """
            {"metadata":{"name":"mixed","creationTimestamp":"\(ago(60))"},
             "spec":{"containers":[{"name":"a"},{"name":"b"}]},
             "status":{"phase":"Running","conditions":[{"type":"Ready","status":"False"}],"containerStatuses":[
               {"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
               {"name":"b","ready":true,"state":{"running":{}}}]}}
            """,
        expected: ["mixed", "1/2", "NotReady", "0", "60s", "<none>", "<none>", "<none>", "<none>"]),
    CellCase(
        name: "scheduling gated", gvk: podGVK,
        object: """
            {"metadata":{"name":"gated","creationTimestamp":"\(ago(5))"},
             "spec":{"schedulingGates":[{"name":"wait"}],"containers":[{"name":"a"}]},
             "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}}
            """,
        expected: ["gated", "0/1", "SchedulingGated", "0", "5s", "<none>", "<none>", "<none>", "<none>"]),
    CellCase(
        name: "sidecar init container counts as a container", gvk: podGVK,
        object: """
            {"metadata":{"name":"mesh","creationTimestamp":"\(ago(86400))"},
             "spec":{"initContainers":[{"name":"proxy","restartPolicy":"Always"}],"containers":[{"name":"app"}]},
             "status":{"phase":"Running",
               "conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}],
               "initContainerStatuses":[{"name":"proxy","started":true,"ready":true,"restartCount":2,
                 "state":{"running":{}},"lastState":{"terminated":{"exitCode":137,"finishedAt":"\(ago(3600))"}}}],
               "containerStatuses":[{"name":"app","ready":true,"restartCount":0,"state":{"running":{}}}]}}
            """,
        expected: ["mesh", "2/2", "Running", "2 (60m ago)", "24h", "<none>", "<none>", "<none>", "<none>"]),
    CellCase(
        name: "readiness gates and nominated node", gvk: podGVK,
        object: """
            {"metadata":{"name":"gates","creationTimestamp":"\(ago(5))"},
             "spec":{"readinessGates":[{"conditionType":"a"},{"conditionType":"b"}],"containers":[{"name":"c"}]},
             "status":{"phase":"Pending","nominatedNodeName":"node-2","podIPs":[{"ip":"fd00::1"}],
               "conditions":[{"type":"a","status":"True"},{"type":"b","status":"False"}]}}
            """,
        expected: ["gates", "0/1", "Pending", "0", "5s", "fd00::1", "<none>", "node-2", "1/2"]),
    CellCase(
        name: "killed by a signal", gvk: podGVK,
        object: """
            {"metadata":{"name":"sig","creationTimestamp":"\(ago(5))"},"spec":{"containers":[{"name":"c"}]},
             "status":{"phase":"Failed","containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":137,"signal":9}}}]}}
            """,
        expected: ["sig", "0/1", "Signal:9", "0", "5s", "<none>", "<none>", "<none>", "<none>"]),
]

@Suite struct PodTableTests {
    @Test(arguments: podCases)
    func podCells(testCase: CellCase) throws {
        #expect(try cells(testCase) == testCase.expected)
    }

    @Test func finishedPodsCarryRowConditions() throws {
        let succeeded = try JSONCodec.parse(#"{"metadata":{"name":"a"},"status":{"phase":"Succeeded"}}"#)
        let running = try JSONCodec.parse(#"{"metadata":{"name":"b"},"status":{"phase":"Running"}}"#)
        let table = TablePrinter.table(gvk: podGVK, objects: [succeeded, running], resourceVersion: "1", now: now)
        let expected: JSONValue = [
            ["type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."]
        ]
        #expect(table["rows"]?[0]?["conditions"] == expected)
        #expect(table["rows"]?[1]?["conditions"] == nil)
    }
}

// MARK: - Services

private let serviceCases: [CellCase] = {
    let created = ago(2 * 86400 + 3 * 3600)
    return [
        CellCase(
            name: "ClusterIP", gvk: serviceGVK,
            object: """
                {"metadata":{"name":"dns","creationTimestamp":"\(created)"},
                 "spec":{"type":"ClusterIP","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],
                   "ports":[{"port":53,"protocol":"UDP"},{"port":53,"protocol":"TCP"}],"selector":{"k8s-app":"kube-dns"}}}
                """,
            expected: ["dns", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP", "2d3h", "k8s-app=kube-dns"]),
        CellCase(
            name: "NodePort with external IP", gvk: serviceGVK,
            object: """
                {"metadata":{"name":"np","creationTimestamp":"\(created)"},
                 "spec":{"type":"NodePort","clusterIPs":["10.96.1.1"],"externalIPs":["1.2.3.4"],
                   "ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":443,"nodePort":30443,"protocol":"TCP"}]}}
                """,
            expected: ["np", "NodePort", "10.96.1.1", "1.2.3.4", "80:30080/TCP,443:30443/TCP", "2d3h", "<none>"]),
        CellCase(
            name: "LoadBalancer pending", gvk: serviceGVK,
            object: """
                {"metadata":{"name":"lb","creationTimestamp":"\(created)"},
                 "spec":{"type":"LoadBalancer","clusterIPs":["10.96.2.2"],
                   "ports":[{"port":80,"nodePort":31000,"protocol":"TCP"}],"selector":{"app":"web"}}}
                """,
            expected: ["lb", "LoadBalancer", "10.96.2.2", "<pending>", "80:31000/TCP", "2d3h", "app=web"]),
        CellCase(
            name: "LoadBalancer with ingress and external IPs", gvk: serviceGVK,
            object: """
                {"metadata":{"name":"lb","creationTimestamp":"\(created)"},
                 "spec":{"type":"LoadBalancer","clusterIPs":["10.96.2.2"],"externalIPs":["198.51.100.1"],
                   "ports":[{"port":80,"nodePort":31000,"protocol":"TCP"}]},
                 "status":{"loadBalancer":{"ingress":[{"hostname":"lb.example.com"},{"ip":"203.0.113.9"}]}}}
                """,
            expected: [
                "lb", "LoadBalancer", "10.96.2.2", "203.0.113.9,lb.example.com,198.51.100.1", "80:31000/TCP", "2d3h",
                "<none>",
            ]),
        CellCase(
            name: "ExternalName", gvk: serviceGVK,
            object: """
                {"metadata":{"name":"ext","creationTimestamp":"\(created)"},
                 "spec":{"type":"ExternalName","externalName":"db.example.com"}}
                """,
            expected: ["ext", "ExternalName", "<none>", "db.example.com", "<none>", "2d3h", "<none>"]),
        CellCase(
            name: "headless", gvk: serviceGVK,
            object: """
                {"metadata":{"name":"db","creationTimestamp":"\(created)"},
                 "spec":{"type":"ClusterIP","clusterIP":"None","clusterIPs":["None"],
                   "ports":[{"port":5432,"protocol":"TCP"}],"selector":{"tier":"backend","app":"db"}}}
                """,
            expected: ["db", "ClusterIP", "None", "<none>", "5432/TCP", "2d3h", "app=db,tier=backend"]),
    ]
}()

@Suite struct ServiceTableTests {
    @Test(arguments: serviceCases)
    func serviceCells(testCase: CellCase) throws {
        #expect(try cells(testCase) == testCase.expected)
    }
}

// MARK: - Workloads

private let workloadCases: [CellCase] = [
    CellCase(
        name: "deployment", gvk: deploymentGVK,
        object: """
            {"metadata":{"name":"web","creationTimestamp":"\(ago(600))"},
             "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
               "template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"},{"name":"log","image":"busybox"}]}}},
             "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}}
            """,
        expected: ["web", "2/3", 3, 2, "10m", "web,log", "nginx:1.27,busybox", "app=web"]),
    CellCase(
        name: "deployment with selector expressions", gvk: deploymentGVK,
        object: """
            {"metadata":{"name":"api","creationTimestamp":"\(ago(600))"},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app":"api"},"matchExpressions":[
               {"key":"tier","operator":"In","values":["b","a"]},{"key":"canary","operator":"DoesNotExist"}]},
               "template":{"spec":{"containers":[{"name":"api","image":"api:2"}]}}}}
            """,
        expected: ["api", "0/1", 0, 0, "10m", "api", "api:2", "app=api,!canary,tier in (a,b)"]),
    CellCase(
        name: "bare deployment", gvk: deploymentGVK,
        object: #"{"metadata":{"name":"bare"}}"#,
        expected: ["bare", "0/0", 0, 0, "<unknown>", "", "", ""]),
    CellCase(
        name: "complete job", gvk: jobGVK,
        object: """
            {"metadata":{"name":"pi","creationTimestamp":"\(ago(7200))"},
             "spec":{"completions":1,"parallelism":1,
               "selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"abc"}},
               "template":{"spec":{"containers":[{"name":"pi","image":"perl"}]}}},
             "status":{"succeeded":1,"startTime":"\(ago(7200))","completionTime":"\(ago(7200 - 35))",
               "conditions":[{"type":"SuccessCriteriaMet","status":"True"},{"type":"Complete","status":"True"}]}}
            """,
        expected: ["pi", "Complete", "1/1", "35s", "120m", "pi", "perl", "batch.kubernetes.io/controller-uid=abc"]),
    CellCase(
        name: "running parallel job", gvk: jobGVK,
        object: """
            {"metadata":{"name":"work","creationTimestamp":"\(ago(125))"},"spec":{"parallelism":3},
             "status":{"active":3,"startTime":"\(ago(125))"}}
            """,
        expected: ["work", "Running", "0/1 of 3", "2m5s", "2m5s", "", "", "<none>"]),
    CellCase(
        name: "failed job", gvk: jobGVK,
        object: """
            {"metadata":{"name":"bad","creationTimestamp":"\(ago(50))"},"spec":{"completions":5},
             "status":{"succeeded":2,"failed":4,
               "conditions":[{"type":"FailureTarget","status":"True"},{"type":"Failed","status":"True"}]}}
            """,
        expected: ["bad", "Failed", "2/5", "", "50s", "", "", "<none>"]),
    CellCase(
        name: "suspended job", gvk: jobGVK,
        object: """
            {"metadata":{"name":"held","creationTimestamp":"\(ago(50))"},"spec":{"completions":1,"suspend":true},
             "status":{"conditions":[{"type":"Suspended","status":"True"}]}}
            """,
        expected: ["held", "Suspended", "0/1", "", "50s", "", "", "<none>"]),
    CellCase(
        name: "job being deleted", gvk: jobGVK,
        object: """
            {"metadata":{"name":"gone","creationTimestamp":"\(ago(50))","deletionTimestamp":"\(ago(1))"},
             "spec":{"completions":1}}
            """,
        expected: ["gone", "Terminating", "0/1", "", "50s", "", "", "<none>"]),
    CellCase(
        name: "cron job", gvk: GroupVersionKind(group: "batch", version: "v1", kind: "CronJob"),
        object: """
            {"metadata":{"name":"cj","creationTimestamp":"\(ago(86400 * 40))"},
             "spec":{"schedule":"*/5 * * * *","suspend":false,
               "jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}},
             "status":{"active":[{"name":"cj-1"}],"lastScheduleTime":"\(ago(70))"}}
            """,
        expected: ["cj", "*/5 * * * *", "<none>", "False", 1, "70s", "40d", "c", "busybox", "<none>"]),
    CellCase(
        name: "stateful set", gvk: GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet"),
        object: """
            {"metadata":{"name":"db","creationTimestamp":"\(ago(600))"},
             "spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"pg","image":"postgres:16"}]}}},
             "status":{"readyReplicas":1}}
            """,
        expected: ["db", "1/3", "10m", "pg", "postgres:16"]),
    CellCase(
        name: "daemon set", gvk: GroupVersionKind(group: "apps", version: "v1", kind: "DaemonSet"),
        object: """
            {"metadata":{"name":"ds","creationTimestamp":"\(ago(600))"},
             "spec":{"selector":{"matchLabels":{"app":"ds"}},"template":{"spec":{
               "nodeSelector":{"kubernetes.io/os":"linux"},"containers":[{"name":"agent","image":"agent:1"}]}}},
             "status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":2,
               "updatedNumberScheduled":3,"numberAvailable":2}}
            """,
        expected: ["ds", 3, 3, 2, 3, 2, "kubernetes.io/os=linux", "10m", "agent", "agent:1", "app=ds"]),
    CellCase(
        name: "replica set", gvk: GroupVersionKind(group: "apps", version: "v1", kind: "ReplicaSet"),
        object: """
            {"metadata":{"name":"web-5d","creationTimestamp":"\(ago(600))"},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web","pod-template-hash":"5d"}},
               "template":{"spec":{"containers":[{"name":"web","image":"nginx"}]}}},
             "status":{"replicas":2,"readyReplicas":2}}
            """,
        expected: ["web-5d", 2, 2, 2, "10m", "web", "nginx", "app=web,pod-template-hash=5d"]),
    CellCase(
        name: "pod disruption budget", gvk: GroupVersionKind(group: "policy", version: "v1", kind: "PodDisruptionBudget"),
        object: """
            {"metadata":{"name":"pdb","creationTimestamp":"\(ago(600))"},"spec":{"maxUnavailable":"25%"},
             "status":{"disruptionsAllowed":1}}
            """,
        expected: ["pdb", "N/A", "25%", 1, "10m"]),
    CellCase(
        name: "autoscaling/v2 HPA", gvk: GroupVersionKind(group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler"),
        object: """
            {"metadata":{"name":"web","creationTimestamp":"\(ago(600))"},
             "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"minReplicas":2,"maxReplicas":10,"metrics":[
               {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}},
               {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"200Mi"}}},
               {"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"1k"}}}]},
             "status":{"currentReplicas":3,"currentMetrics":[
               {"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":45}}},
               {"type":"Resource","resource":{"name":"memory","current":{"averageValue":"100Mi"}}}]}}
            """,
        expected: ["web", "Deployment/web", "cpu: 45%/80%, memory: 100Mi/200Mi + 1 more...", "2", 10, 3, "10m"]),
    CellCase(
        name: "autoscaling/v1 HPA", gvk: GroupVersionKind(group: "autoscaling", version: "v1", kind: "HorizontalPodAutoscaler"),
        object: """
            {"metadata":{"name":"web","creationTimestamp":"\(ago(600))"},
             "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":5,"targetCPUUtilizationPercentage":50},
             "status":{"currentReplicas":1}}
            """,
        expected: ["web", "Deployment/web", "cpu: <unknown>/50%", "<unset>", 5, 1, "10m"]),
]

@Suite struct WorkloadTableTests {
    @Test(arguments: workloadCases)
    func workloadCells(testCase: CellCase) throws {
        #expect(try cells(testCase) == testCase.expected)
    }
}

// MARK: - Nodes and events

private let nodeAndEventCases: [CellCase] = [
    CellCase(
        name: "cordoned control-plane node", gvk: nodeGVK,
        object: """
            {"metadata":{"name":"cp-1","creationTimestamp":"\(ago(864_000))","labels":{
               "node-role.kubernetes.io/control-plane":"","kubernetes.io/role":"master","kubernetes.io/hostname":"cp-1"}},
             "spec":{"unschedulable":true},
             "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
               "addresses":[{"type":"InternalIP","address":"192.168.1.10"},{"type":"Hostname","address":"cp-1"}],
               "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Ubuntu 24.04 LTS","kernelVersion":"6.8.0",
                 "containerRuntimeVersion":"containerd://1.7.22"}}}
            """,
        expected: [
            "cp-1", "Ready,SchedulingDisabled", "control-plane,master", "10d", "v1.32.0", "192.168.1.10", "<none>",
            "Ubuntu 24.04 LTS", "6.8.0", "containerd://1.7.22",
        ]),
    CellCase(
        name: "not ready worker", gvk: nodeGVK,
        object: """
            {"metadata":{"name":"w-1","creationTimestamp":"\(ago(3600))","labels":{
               "node-role.kubernetes.io/worker":"","node-role.kubernetes.io/infra":""}},
             "status":{"conditions":[{"type":"Ready","status":"Unknown"}],
               "addresses":[{"type":"ExternalIP","address":"203.0.113.5"}]}}
            """,
        expected: ["w-1", "NotReady", "infra,worker", "60m", "", "<none>", "203.0.113.5", "<unknown>", "<unknown>", "<unknown>"]),
    CellCase(
        name: "node without conditions", gvk: nodeGVK,
        object: #"{"metadata":{"name":"new"}}"#,
        expected: ["new", "Unknown", "<none>", "<unknown>", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]),
    CellCase(
        name: "core event", gvk: eventGVK,
        object: """
            {"metadata":{"name":"web.17a"},"type":"Warning","reason":"BackOff",
             "involvedObject":{"kind":"Pod","name":"web","fieldPath":"spec.containers{app}"},
             "message":"Back-off restarting failed container\\n","count":7,
             "firstTimestamp":"\(ago(3600))","lastTimestamp":"\(ago(45))",
             "source":{"component":"kubelet","host":"node-1"}}
            """,
        expected: [
            "45s", "Warning", "BackOff", "pod/web", "spec.containers{app}", "kubelet, node-1",
            "Back-off restarting failed container", "60m", 7, "web.17a",
        ]),
    CellCase(
        name: "core event with only eventTime", gvk: eventGVK,
        object: """
            {"metadata":{"name":"e2"},"type":"Normal","reason":"Scheduled","involvedObject":{"kind":"Node"},
             "message":"ok","eventTime":"\(ago(91).replacingZ(with: ".500000Z"))",
             "reportingComponent":"default-scheduler","firstTimestamp":null}
            """,
        expected: ["90s", "Normal", "Scheduled", "node", "", "default-scheduler", "ok", "90s", 1, "e2"]),
    CellCase(
        name: "events.k8s.io event with a series",
        gvk: GroupVersionKind(group: "events.k8s.io", version: "v1", kind: "Event"),
        object: """
            {"metadata":{"name":"e3"},"type":"Normal","reason":"ScalingReplicaSet",
             "regarding":{"kind":"Deployment","name":"web"},"note":"Scaled up","eventTime":"\(ago(600))",
             "series":{"count":4,"lastObservedTime":"\(ago(30))"},
             "reportingController":"deployment-controller","reportingInstance":"cm-1"}
            """,
        expected: [
            "30s", "Normal", "ScalingReplicaSet", "deployment/web", "", "deployment-controller, cm-1", "Scaled up",
            "10m", 4, "e3",
        ]),
]

@Suite struct NodeAndEventTableTests {
    @Test(arguments: nodeAndEventCases)
    func nodeAndEventCells(testCase: CellCase) throws {
        #expect(try cells(testCase) == testCase.expected)
    }
}

// MARK: - Other kinds

private let otherCases: [CellCase] = [
    CellCase(
        name: "endpoints, more than three", gvk: GroupVersionKind(group: "", version: "v1", kind: "Endpoints"),
        object: """
            {"metadata":{"name":"web","creationTimestamp":"\(ago(60))"},"subsets":[
              {"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}],"ports":[{"port":80},{"port":443}]}]}
            """,
        expected: ["web", "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...", "60s"]),
    CellCase(
        name: "endpoints, IPv6 and portless", gvk: GroupVersionKind(group: "", version: "v1", kind: "Endpoints"),
        object: """
            {"metadata":{"name":"v6","creationTimestamp":"\(ago(60))"},"subsets":[
              {"addresses":[{"ip":"fd00::1"}],"ports":[{"port":8080}]},{"addresses":[{"ip":"fd00::2"}]}]}
            """,
        expected: ["v6", "[fd00::1]:8080,fd00::2", "60s"]),
    CellCase(
        name: "endpoints without subsets", gvk: GroupVersionKind(group: "", version: "v1", kind: "Endpoints"),
        object: #"{"metadata":{"name":"none"}}"#,
        expected: ["none", "<none>", "<unknown>"]),
    CellCase(
        name: "resource quota", gvk: GroupVersionKind(group: "", version: "v1", kind: "ResourceQuota"),
        object: """
            {"metadata":{"name":"q","creationTimestamp":"\(ago(60))"},"status":{
              "hard":{"requests.cpu":"1","limits.memory":"2Gi","pods":"10","limits.cpu":"2"},
              "used":{"requests.cpu":"500m","pods":"3","limits.cpu":"0"}}}
            """,
        expected: ["q", "60s", "pods: 3/10, requests.cpu: 500m/1", "limits.cpu: 0/2, limits.memory: 0/2Gi"]),
    CellCase(
        name: "config map", gvk: GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"),
        object: """
            {"metadata":{"name":"cfg","creationTimestamp":"\(ago(60))"},"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}}
            """,
        expected: ["cfg", 3, "60s"]),
    CellCase(
        name: "secret", gvk: GroupVersionKind(group: "", version: "v1", kind: "Secret"),
        object: """
            {"metadata":{"name":"tls","creationTimestamp":"\(ago(60))"},"type":"kubernetes.io/tls",
             "data":{"tls.crt":"AA==","tls.key":"AA=="}}
            """,
        expected: ["tls", "kubernetes.io/tls", 2, "60s"]),
    CellCase(
        name: "persistent volume", gvk: GroupVersionKind(group: "", version: "v1", kind: "PersistentVolume"),
        object: """
            {"metadata":{"name":"pv1","creationTimestamp":"\(ago(60))"},
             "spec":{"capacity":{"storage":"10Gi"},"accessModes":["ReadWriteMany","ReadWriteOnce"],
               "persistentVolumeReclaimPolicy":"Retain","claimRef":{"namespace":"default","name":"data"},
               "storageClassName":"standard","volumeMode":"Filesystem"},
             "status":{"phase":"Bound"}}
            """,
        expected: ["pv1", "10Gi", "RWO,RWX", "Retain", "Bound", "default/data", "standard", "<unset>", "", "60s", "Filesystem"]),
    CellCase(
        name: "pending claim", gvk: GroupVersionKind(group: "", version: "v1", kind: "PersistentVolumeClaim"),
        object: """
            {"metadata":{"name":"data","creationTimestamp":"\(ago(60))"},
             "spec":{"storageClassName":"standard","resources":{"requests":{"storage":"1Gi"}}},"status":{"phase":"Pending"}}
            """,
        expected: ["data", "Pending", "", "", "", "standard", "<unset>", "60s", "<unset>"]),
    CellCase(
        name: "default storage class", gvk: GroupVersionKind(group: "storage.k8s.io", version: "v1", kind: "StorageClass"),
        object: """
            {"metadata":{"name":"local-path","creationTimestamp":"\(ago(60))",
               "annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},
             "provisioner":"rancher.io/local-path","volumeBindingMode":"WaitForFirstConsumer"}
            """,
        expected: ["local-path (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", false, "60s"]),
    CellCase(
        name: "ingress", gvk: GroupVersionKind(group: "networking.k8s.io", version: "v1", kind: "Ingress"),
        object: """
            {"metadata":{"name":"ing","creationTimestamp":"\(ago(60))"},
             "spec":{"ingressClassName":"nginx","tls":[{"hosts":["a.example.com"]}],"rules":[
               {"host":"a.example.com"},{"host":"b.example.com"},{},{"host":"c.example.com"},{"host":"d.example.com"}]},
             "status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.10"}]}}}
            """,
        expected: ["ing", "nginx", "a.example.com,b.example.com,c.example.com + 2 more...", "203.0.113.10", "80, 443", "60s"]),
    CellCase(
        name: "endpoint slice", gvk: GroupVersionKind(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice"),
        object: """
            {"metadata":{"name":"web-abc","creationTimestamp":"\(ago(60))"},"addressType":"IPv4",
             "ports":[{"name":"http","port":80},{"name":"metrics"},{},{"port":9090}],
             "endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2","10.0.0.3"]}]}
            """,
        expected: ["web-abc", "IPv4", "80,metrics,* + 1 more...", "10.0.0.1,10.0.0.2,10.0.0.3", "60s"]),
    CellCase(
        name: "role binding", gvk: GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding"),
        object: """
            {"metadata":{"name":"rb","creationTimestamp":"\(ago(60))"},"roleRef":{"kind":"ClusterRole","name":"view"},
             "subjects":[{"kind":"User","name":"alice"},{"kind":"Group","name":"devs"},{"kind":"User","name":"bob"},
               {"kind":"ServiceAccount","namespace":"ci","name":"runner"}]}
            """,
        expected: ["rb", "ClusterRole/view", "60s", "alice, bob", "devs", "ci/runner"]),
    CellCase(
        name: "priority class", gvk: GroupVersionKind(group: "scheduling.k8s.io", version: "v1", kind: "PriorityClass"),
        object: """
            {"metadata":{"name":"system-node-critical","creationTimestamp":"\(ago(60))"},"value":2000001000,
             "preemptionPolicy":"PreemptLowerPriority"}
            """,
        expected: ["system-node-critical", 2_000_001_000, false, "60s", "PreemptLowerPriority"]),
    CellCase(
        name: "lease", gvk: GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease"),
        object: """
            {"metadata":{"name":"node-1","creationTimestamp":"\(ago(60))"},"spec":{"holderIdentity":"node-1"}}
            """,
        expected: ["node-1", "node-1", "60s"]),
    CellCase(
        name: "role (generic table)", gvk: GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: "Role"),
        object: #"{"metadata":{"name":"admin","creationTimestamp":"2024-01-02T03:04:05Z"}}"#,
        expected: ["admin", "2024-01-02T03:04:05Z"]),
    CellCase(
        name: "CRD (generic table)",
        gvk: GroupVersionKind(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition"),
        object: #"{"metadata":{"name":"widgets.example.com"}}"#,
        expected: ["widgets.example.com", "0001-01-01T00:00:00Z"]),
]

@Suite struct OtherKindTableTests {
    @Test(arguments: otherCases)
    func otherKindCells(testCase: CellCase) throws {
        #expect(try cells(testCase) == testCase.expected)
    }
}

// MARK: - Columns and the Table document

/// One kind of every printer, plus kinds that take the generic table.
private let allKinds: [GroupVersionKind] = {
    func gvk(_ group: String, _ version: String, _ kinds: [String]) -> [GroupVersionKind] {
        kinds.map { GroupVersionKind(group: group, version: version, kind: $0) }
    }
    return gvk(
        "", "v1",
        [
            "Pod", "PodTemplate", "Node", "Namespace", "Service", "Endpoints", "ConfigMap", "Secret", "ServiceAccount",
            "Event", "ReplicationController", "PersistentVolume", "PersistentVolumeClaim", "ResourceQuota",
            "ComponentStatus", "LimitRange",
        ])
        + gvk("events.k8s.io", "v1", ["Event"])
        + gvk("apps", "v1", ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ControllerRevision"])
        + gvk("batch", "v1", ["Job", "CronJob"])
        + gvk("autoscaling", "v1", ["HorizontalPodAutoscaler"])
        + gvk("autoscaling", "v2", ["HorizontalPodAutoscaler"])
        + gvk("policy", "v1", ["PodDisruptionBudget"])
        + gvk("networking.k8s.io", "v1", ["Ingress", "IngressClass", "NetworkPolicy"])
        + gvk("discovery.k8s.io", "v1", ["EndpointSlice"])
        + gvk("rbac.authorization.k8s.io", "v1", ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"])
        + gvk("storage.k8s.io", "v1", ["StorageClass", "CSIDriver", "CSINode", "CSIStorageCapacity", "VolumeAttachment"])
        + gvk(
            "admissionregistration.k8s.io", "v1",
            [
                "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy",
                "ValidatingAdmissionPolicyBinding",
            ])
        + gvk("scheduling.k8s.io", "v1", ["PriorityClass"])
        + gvk("coordination.k8s.io", "v1", ["Lease"])
        + gvk("node.k8s.io", "v1", ["RuntimeClass"])
        + gvk("certificates.k8s.io", "v1", ["CertificateSigningRequest"])
        + gvk("apiextensions.k8s.io", "v1", ["CustomResourceDefinition"])
        + gvk("example.com", "v1", ["Widget"])
}()

@Suite struct TableDocumentTests {
    @Test func everyKindHasOneCellPerColumn() throws {
        let sparse = try JSONCodec.parse(#"{"metadata":{"name":"x"},"spec":{},"status":{}}"#)
        for gvk in allKinds {
            let columns = TablePrinter.columns(for: gvk)
            #expect(TablePrinter.cells(for: .object(JSONObject()), gvk: gvk, now: now).count == columns.count, "\(gvk)")
            #expect(TablePrinter.cells(for: sparse, gvk: gvk, now: now).count == columns.count, "\(gvk)")
            #expect(TablePrinter.cells(for: .null, gvk: gvk, now: now).count == columns.count, "\(gvk)")
            #expect(columns.filter { $0.format == "name" }.count >= 1, "\(gvk)")
        }
        #expect(Set(allKinds.map(TableKind.init)) == Set(TableKind.allCases))
    }

    @Test func columnLayouts() {
        func layout(_ gvk: GroupVersionKind) -> [String] {
            TablePrinter.columns(for: gvk).map { "\($0.name):\($0.type):\($0.priority)" }
        }
        #expect(
            layout(podGVK) == [
                "Name:string:0", "Ready:string:0", "Status:string:0", "Restarts:string:0", "Age:string:0",
                "IP:string:1", "Node:string:1", "Nominated Node:string:1", "Readiness Gates:string:1",
            ])
        #expect(
            layout(jobGVK) == [
                "Name:string:0", "Status:string:0", "Completions:string:0", "Duration:string:0", "Age:string:0",
                "Containers:string:1", "Images:string:1", "Selector:string:1",
            ])
        #expect(
            layout(eventGVK) == [
                "Last Seen:string:0", "Type:string:0", "Reason:string:0", "Object:string:0", "Subobject:string:1",
                "Source:string:1", "Message:string:0", "First Seen:string:1", "Count:string:1", "Name:string:1",
            ])
        #expect(
            layout(GroupVersionKind(group: "", version: "v1", kind: "ResourceQuota")) == [
                "Name:string:0", "Age:string:0", "Request:string:0", "Limit:string:0",
            ])
        #expect(
            layout(GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole")) == [
                "Name:string:0", "Created At:date:0",
            ])
        #expect(TablePrinter.columns(for: podGVK)[0].format == "name")
        #expect(TablePrinter.columns(for: eventGVK)[9].format == "name")
    }

    @Test func tableDocument() throws {
        let pod = try JSONCodec.parse(
            """
            {"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","namespace":"default","resourceVersion":"7",
             "creationTimestamp":"\(ago(60))"},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending"}}
            """)
        let table = TablePrinter.table(
            gvk: podGVK, objects: [pod], resourceVersion: "42", continueToken: "next", remainingItemCount: 3, now: now)
        #expect(table["kind"] == "Table")
        #expect(table["apiVersion"] == "meta.k8s.io/v1")
        #expect(table["metadata"] == ["resourceVersion": "42", "continue": "next", "remainingItemCount": 3])
        #expect(
            table["columnDefinitions"]?[0]
                == [
                    "name": "Name", "type": "string", "format": "name",
                    "description": .string(TablePrinter.columns(for: podGVK)[0].description), "priority": 0,
                ])
        #expect(table["columnDefinitions"]?[5]?["priority"] == 1)
        #expect(table["rows"]?[0]?["cells"] == .array(TablePrinter.cells(for: pod, gvk: podGVK, now: now)))
        let partial: JSONValue = [
            "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": pod["metadata"] ?? .null,
        ]
        #expect(table["rows"]?[0]?["object"] == partial)

        let full = TablePrinter.table(gvk: podGVK, objects: [pod], resourceVersion: "7", includeObject: .object, now: now)
        #expect(full["rows"]?[0]?["object"] == pod)
        #expect(full["metadata"] == ["resourceVersion": "7"])

        let bare = TablePrinter.table(
            gvk: podGVK, objects: [pod], resourceVersion: "", includeObject: .none, noHeaders: true, now: now)
        #expect(bare["rows"]?[0]?["object"] == .null)
        #expect(bare["columnDefinitions"] == .null)
        #expect(bare["metadata"] == .object(JSONObject()))

        let empty = TablePrinter.table(gvk: podGVK, objects: [], resourceVersion: "9", now: now)
        #expect(empty["rows"] == [])
        #expect(empty["columnDefinitions"]?[8]?["name"] == "Readiness Gates")
    }
}
