import APIMachinery
import Testing
@testable import Controllers

@Suite("Job controller: pure rules")
struct JobRulesTests {
    typealias F = Fixtures

    // MARK: Index sets

    @Test(
        "index sets are written sorted, runs of consecutive indexes as first-last",
        arguments: [
            ([], ""), ([0], "0"), ([0, 1, 2, 4], "0-2,4"), ([4, 2, 0, 1], "0-2,4"), ([0, 2, 4], "0,2,4"),
            ([1, 2, 3, 7, 8], "1-3,7-8"), ([5, 6], "5-6"), ([9], "9"),
        ] as [([Int], String)])
    func formatIndexes(indexes: [Int], text: String) {
        #expect(JobRules.format(Set(indexes)) == text)
    }

    @Test(
        "index sets are read back; malformed parts are skipped",
        arguments: [
            ("0-2,4", [0, 1, 2, 4]), ("", []), ("7", [7]), ("1-3,7-8", [1, 2, 3, 7, 8]), ("x,3", [3]), ("5-3,1", [1]),
        ] as [(String, [Int])])
    func parseIndexes(text: String, indexes: [Int]) {
        #expect(JobRules.parse(text, limit: 10) == Set(indexes))
    }

    @Test("indexes at or above the completions are dropped when reading")
    func parseBounded() {
        #expect(JobRules.parse("0-5", limit: 3) == [0, 1, 2])
        #expect(JobRules.parse("2,9", limit: 5) == [2])
        #expect(JobRules.parse("3-4", limit: 3).isEmpty)
    }

    @Test("a missing index set is empty, and format and parse round-trip")
    func roundTrip() {
        #expect(JobRules.parse(nil, limit: 10).isEmpty)
        let indexes: Set<Int> = [0, 1, 2, 5, 7, 8, 9, 12]
        #expect(JobRules.format(indexes) == "0-2,5,7-9,12")
        #expect(JobRules.parse(JobRules.format(indexes), limit: 100) == indexes)
    }

    // MARK: Backoff

    @Test(
        "pod backoff after n consecutive failures: none, then 10 s doubling",
        arguments: [(0, 0), (1, 10), (2, 20), (3, 40), (4, 80), (5, 160), (6, 320)])
    func backoff(failures: Int, seconds: Int) {
        #expect(JobRules.backoff(failures: failures) == Int64(seconds))
    }

    @Test("pod backoff is capped, and never decreases as failures accumulate")
    func backoffCap() {
        let delays = (1...40).map { JobRules.backoff(failures: $0) }
        #expect(zip(delays, delays.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(delays.allSatisfy { $0 <= 600 })
        #expect(JobRules.backoff(failures: 7) == 600)
        #expect(JobRules.backoff(failures: 40) == 600)
    }

    // MARK: Pod failure policy

    /// A failed pod whose containers (name, exit code; nil: still running) and init
    /// containers are as given.
    static func failedPod(
        _ containers: [(String, Int32?)], initContainers: [(String, Int32?)] = [], conditions: [(String, String)] = [],
        phase: String = "Failed"
    ) -> CoreV1.Pod {
        func statuses(_ list: [(String, Int32?)]) -> [CoreV1.ContainerStatus]? {
            guard !list.isEmpty else { return nil }
            return list.map { name, code in
                let state = code.map { CoreV1.ContainerState(terminated: CoreV1.ContainerStateTerminated(exitCode: $0)) }
                    ?? CoreV1.ContainerState(running: CoreV1.ContainerStateRunning())
                return CoreV1.ContainerStatus(name: name, state: state)
            }
        }
        var pod = F.jobPod("pi-x")
        pod.status = CoreV1.PodStatus(
            conditions: conditions.isEmpty ? nil : conditions.map { CoreV1.PodCondition(status: $0.1, type: $0.0) },
            containerStatuses: statuses(containers), initContainerStatuses: statuses(initContainers), phase: phase)
        return pod
    }

    static func exitCodes(_ action: String, _ op: String, _ values: [Int32], container: String? = nil) -> BatchV1.PodFailurePolicyRule {
        BatchV1.PodFailurePolicyRule(
            action: action, onExitCodes: BatchV1.PodFailurePolicyOnExitCodesRequirement(containerName: container, operator: op, values: values))
    }

    static func podConditions(_ action: String, _ type: String, _ status: String = "True") -> BatchV1.PodFailurePolicyRule {
        BatchV1.PodFailurePolicyRule(
            action: action, onPodConditions: [BatchV1.PodFailurePolicyOnPodConditionsPattern(status: status, type: type)])
    }

    static func policy(_ rules: BatchV1.PodFailurePolicyRule...) -> BatchV1.PodFailurePolicy {
        BatchV1.PodFailurePolicy(rules: rules)
    }

    @Test("FailJob on an exit code In the list, with upstream's message naming container, pod, code and rule index")
    func failJobOnExitCode() {
        let pod = Self.failedPod([("main", 42)])
        let policy = Self.policy(Self.exitCodes("Ignore", "In", [1]), Self.exitCodes("FailJob", "In", [42, 43]))
        #expect(JobRules.policyAction(policy, pod: pod) == .failJob(
            message: "Container main for pod default/pi-x failed with exit code 42 matching FailJob rule at index 1"))
    }

    @Test("containerName restricts an exit-code rule to that container")
    func containerName() {
        let pod = Self.failedPod([("main", 42), ("sidecar", 3)])
        #expect(JobRules.policyAction(Self.policy(Self.exitCodes("FailJob", "In", [42], container: "sidecar")), pod: pod) == nil)
        #expect(JobRules.policyAction(Self.policy(Self.exitCodes("Ignore", "In", [3], container: "sidecar")), pod: pod) == .ignore)
        #expect(JobRules.policyAction(Self.policy(Self.exitCodes("FailJob", "In", [42], container: "main")), pod: pod) == .failJob(
            message: "Container main for pod default/pi-x failed with exit code 42 matching FailJob rule at index 0"))
    }

    @Test("NotIn matches any non-zero exit code outside the list; exit code 0 and running containers never match")
    func notIn() {
        let policy = Self.policy(Self.exitCodes("Count", "NotIn", [1, 2]))
        #expect(JobRules.policyAction(policy, pod: Self.failedPod([("main", 3)])) == .count)
        #expect(JobRules.policyAction(policy, pod: Self.failedPod([("main", 1)])) == nil)
        #expect(JobRules.policyAction(policy, pod: Self.failedPod([("main", 0)])) == nil)
        #expect(JobRules.policyAction(policy, pod: Self.failedPod([("main", nil)])) == nil)
        #expect(JobRules.policyAction(Self.policy(Self.exitCodes("Ignore", "In", [0])), pod: Self.failedPod([("main", 0)])) == nil)
    }

    @Test("init container exit codes are matched too")
    func initContainers() {
        let pod = Self.failedPod([("main", nil)], initContainers: [("setup", 5)])
        #expect(JobRules.policyAction(Self.policy(Self.exitCodes("FailJob", "In", [5])), pod: pod) == .failJob(
            message: "Container setup for pod default/pi-x failed with exit code 5 matching FailJob rule at index 0"))
    }

    @Test("onPodConditions matches a condition of that type and status")
    func podConditionRules() {
        let disrupted = Self.failedPod([("main", 137)], conditions: [("DisruptionTarget", "True")])
        #expect(JobRules.policyAction(Self.policy(Self.podConditions("Ignore", "DisruptionTarget")), pod: disrupted) == .ignore)
        #expect(JobRules.policyAction(Self.policy(Self.podConditions("Ignore", "DisruptionTarget", "False")), pod: disrupted) == nil)
        #expect(JobRules.policyAction(Self.policy(Self.podConditions("Ignore", "ConfigIssue")), pod: disrupted) == nil)
        #expect(JobRules.policyAction(
            Self.policy(Self.exitCodes("Count", "In", [1]), Self.podConditions("FailJob", "DisruptionTarget")), pod: disrupted)
            == .failJob(message: "Pod default/pi-x has condition DisruptionTarget matching FailJob rule at index 1"))
    }

    @Test("the first matching rule decides: Ignore, FailIndex, Count")
    func firstRuleWins() {
        let pod = Self.failedPod([("main", 42)])
        #expect(JobRules.policyAction(Self.policy(Self.exitCodes("Ignore", "In", [42]), Self.exitCodes("FailJob", "In", [42])), pod: pod) == .ignore)
        #expect(JobRules.policyAction(Self.policy(Self.exitCodes("FailIndex", "In", [42]), Self.exitCodes("Ignore", "In", [42])), pod: pod) == .failIndex)
        #expect(JobRules.policyAction(Self.policy(Self.exitCodes("Count", "In", [42]), Self.exitCodes("FailJob", "In", [42])), pod: pod) == .count)
        #expect(JobRules.policyAction(Self.policy(Self.exitCodes("FailJob", "In", [42], container: "other"), Self.exitCodes("Ignore", "In", [42])), pod: pod) == .ignore)
    }

    @Test("no policy, or a pod that did not fail, matches nothing")
    func noMatch() {
        let policy = Self.policy(Self.exitCodes("FailJob", "In", [42]))
        #expect(JobRules.policyAction(nil, pod: Self.failedPod([("main", 42)])) == nil)
        #expect(JobRules.policyAction(policy, pod: Self.failedPod([("main", 42)], phase: "Running")) == nil)
        #expect(JobRules.policyAction(BatchV1.PodFailurePolicy(rules: []), pod: Self.failedPod([("main", 42)])) == nil)
    }

    // MARK: Classifying pods

    @Test("failed: phase Failed always; a pod being deleted unless only failed pods are replaced or it succeeded")
    func failedPods() {
        let job = F.job()
        let onlyFailed = F.job(podReplacementPolicy: "Failed")
        let withPolicy = F.job(podFailurePolicy: Self.policy(Self.exitCodes("FailJob", "In", [42])))
        let explicitDefault = F.job(podReplacementPolicy: "TerminatingOrFailed")
        let failed = F.jobPod("a", phase: "Failed")
        let deleting = F.jobPod("b", phase: "Running", deleting: true)
        let deletingSucceeded = F.jobPod("c", phase: "Succeeded", deleting: true)
        let running = F.jobPod("d", phase: "Running")

        #expect(JobRules.failed(failed, job) && JobRules.failed(failed, onlyFailed) && JobRules.failed(failed, withPolicy))
        #expect(JobRules.failed(deleting, job))
        #expect(JobRules.failed(deleting, explicitDefault))
        #expect(!JobRules.failed(deleting, onlyFailed))
        #expect(!JobRules.failed(deleting, withPolicy))
        #expect(!JobRules.failed(deletingSucceeded, job))
        #expect(!JobRules.failed(running, job))
        #expect(JobRules.onlyReplacesFailed(withPolicy) && JobRules.onlyReplacesFailed(onlyFailed) && !JobRules.onlyReplacesFailed(job))
    }

    @Test("active and terminating pods")
    func activeAndTerminating() {
        #expect(JobRules.active(F.jobPod("a", phase: "Running")))
        #expect(JobRules.active(F.jobPod("a", phase: nil)))
        #expect(!JobRules.active(F.jobPod("a", phase: "Succeeded")))
        #expect(!JobRules.active(F.jobPod("a", phase: "Running", deleting: true)))
        #expect(JobRules.terminating(F.jobPod("a", phase: "Running", deleting: true)))
        #expect(JobRules.terminating(F.jobPod("a", phase: "Pending", deleting: true)))
        #expect(!JobRules.terminating(F.jobPod("a", phase: "Failed", deleting: true)))
        #expect(!JobRules.terminating(F.jobPod("a", phase: "Running")))
        #expect(JobRules.hasFinalizer(F.jobPod("a")) && !JobRules.hasFinalizer(F.jobPod("a", finalizer: false)))
    }

    @Test("completion index from the annotation (else the label), only within completions")
    func completionIndex() {
        #expect(JobRules.index(F.jobPod("a", index: 2), completions: 3) == 2)
        #expect(JobRules.index(F.jobPod("a", index: 3), completions: 3) == nil)
        #expect(JobRules.index(F.jobPod("a"), completions: 3) == nil)
        var labelOnly = F.jobPod("a")
        labelOnly.metadata?.labels?[JobRules.completionIndexKey] = "1"
        #expect(JobRules.index(labelOnly, completions: 3) == 1)
        var junk = F.jobPod("a")
        junk.metadata?.annotations = [JobRules.completionIndexKey: "-1"]
        #expect(JobRules.index(junk, completions: 3) == nil)
        junk.metadata?.annotations = [JobRules.completionIndexKey: "one"]
        #expect(JobRules.index(junk, completions: 3) == nil)

        var counted = F.jobPod("a", index: 0)
        #expect(JobRules.indexFailureCount(counted) == 0)
        counted.metadata?.annotations?[JobRules.indexFailureCountAnnotation] = "2"
        #expect(JobRules.indexFailureCount(counted) == 2)
    }

    @Test("a pod's finish time: its latest container termination, else its Ready condition, else its creation")
    func finishTime() {
        var pod = F.jobPod("a", phase: "Failed")
        #expect(JobRules.finishTime(pod) == F.time(-600).secondsSinceEpoch)
        pod.status?.conditions = [CoreV1.PodCondition(lastTransitionTime: F.time(-30), status: "False", type: "Ready")]
        #expect(JobRules.finishTime(pod) == F.time(-30).secondsSinceEpoch)
        pod.status?.containerStatuses = [
            CoreV1.ContainerStatus(name: "main", state: CoreV1.ContainerState(terminated: CoreV1.ContainerStateTerminated(exitCode: 1, finishedAt: F.time(-20)))),
            CoreV1.ContainerStatus(name: "side", state: CoreV1.ContainerState(terminated: CoreV1.ContainerStateTerminated(exitCode: 0, finishedAt: F.time(-10)))),
        ]
        #expect(JobRules.finishTime(pod) == F.time(-10).secondsSinceEpoch)
    }

    @Test("a pod deleted before any container terminated finished at its deletion (upstream's getFinishedTime)")
    func finishTimeOfDeletedPod() {
        var pod = F.jobPod("a", phase: "Running")
        pod.metadata?.deletionTimestamp = F.time(-5)
        #expect(JobRules.finishTime(pod) == F.time(-5).secondsSinceEpoch)
    }

    // MARK: Success policy

    static func successPolicy(_ rules: (indexes: String?, count: Int32?)...) -> BatchV1.SuccessPolicy {
        BatchV1.SuccessPolicy(rules: rules.map { BatchV1.SuccessPolicyRule(succeededCount: $0.count, succeededIndexes: $0.indexes) })
    }

    @Test("succeededIndexes: all of them must have succeeded")
    func successByIndexes() {
        let policy = Self.successPolicy((indexes: "0-2", count: nil))
        #expect(JobRules.successPolicyMet(policy, succeeded: [0, 1, 2, 5], completions: 10) != nil)
        #expect(JobRules.successPolicyMet(policy, succeeded: [0, 1], completions: 10) == nil)
        #expect(JobRules.successPolicyMet(policy, succeeded: [], completions: 10) == nil)
    }

    @Test("succeededCount alone counts any succeeded index; with succeededIndexes only those")
    func successByCount() {
        let anyTwo = Self.successPolicy((indexes: nil, count: 2))
        #expect(JobRules.successPolicyMet(anyTwo, succeeded: [3, 4], completions: 10) != nil)
        #expect(JobRules.successPolicyMet(anyTwo, succeeded: [3], completions: 10) == nil)
        let twoOfFirstThree = Self.successPolicy((indexes: "0-2", count: 2))
        #expect(JobRules.successPolicyMet(twoOfFirstThree, succeeded: [0, 2], completions: 10) != nil)
        #expect(JobRules.successPolicyMet(twoOfFirstThree, succeeded: [0, 7, 8], completions: 10) == nil)
    }

    @Test("any one rule suffices; no policy never succeeds")
    func successAnyRule() {
        let policy = Self.successPolicy((indexes: "5", count: nil), (indexes: nil, count: 3))
        #expect(JobRules.successPolicyMet(policy, succeeded: [5], completions: 10) != nil)
        #expect(JobRules.successPolicyMet(policy, succeeded: [0, 1, 2], completions: 10) == 1)
        #expect(JobRules.successPolicyMet(policy, succeeded: [0, 1], completions: 10) == nil)
        #expect(JobRules.successPolicyMet(nil, succeeded: [0, 1, 2], completions: 3) == nil)
    }

    @Test("a rule whose succeededIndexes name no index below completions is skipped (upstream's matchSuccessPolicy)")
    func successEmptyScope() {
        let policy = Self.successPolicy((indexes: "5-6", count: nil))
        #expect(JobRules.successPolicyMet(policy, succeeded: [0], completions: 3) == nil)
    }
}
