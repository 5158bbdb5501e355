import APIMachinery
import Foundation

/// The pure parts of the Job controller: how pods are classified, counted and indexed, which
/// pod failure policy rule a failed pod matches, and how upstream writes index sets.
enum JobRules {
    static let trackingFinalizer = "batch.kubernetes.io/job-tracking"
    static let completionIndexKey = "batch.kubernetes.io/job-completion-index"
    static let indexFailureCountAnnotation = "batch.kubernetes.io/job-index-failure-count"
    /// Pod backoff after failures: 10 s, doubling, at most 10 minutes (upstream's
    /// DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff).
    static let backoffBase: Int64 = 10
    static let backoffMax: Int64 = 600

    static func isIndexed(_ job: BatchV1.Job) -> Bool { job.spec?.completionMode == "Indexed" }

    /// Only pods in phase Failed are replaced (`podReplacementPolicy: Failed`, the default with
    /// a pod failure policy); otherwise a pod being deleted counts as failed at once.
    static func onlyReplacesFailed(_ job: BatchV1.Job) -> Bool {
        if let policy = job.spec?.podReplacementPolicy { return policy == "Failed" }
        return job.spec?.podFailurePolicy != nil
    }

    static func succeeded(_ pod: CoreV1.Pod) -> Bool { pod.status?.phase == "Succeeded" }

    /// Upstream's `isPodFailed`: phase Failed, or (unless only failed pods are replaced) being
    /// deleted before it succeeded — such a pod may never reach a terminal phase.
    static func failed(_ pod: CoreV1.Pod, _ job: BatchV1.Job) -> Bool {
        if pod.status?.phase == "Failed" { return true }
        if onlyReplacesFailed(job) { return false }
        return pod.isBeingDeleted && pod.status?.phase != "Succeeded"
    }

    /// Counted as active: neither finished nor being deleted.
    static func active(_ pod: CoreV1.Pod) -> Bool { pod.isActive }

    /// Being deleted without having finished (`status.terminating`).
    static func terminating(_ pod: CoreV1.Pod) -> Bool {
        pod.isBeingDeleted && pod.status?.phase != "Succeeded" && pod.status?.phase != "Failed"
    }

    static func hasFinalizer(_ pod: CoreV1.Pod) -> Bool { pod.metadata?.finalizers?.contains(trackingFinalizer) == true }

    /// The completion index of a pod of an Indexed Job (annotation, else label), if valid.
    static func index(_ pod: CoreV1.Pod, completions: Int32) -> Int? {
        let text = pod.metadata?.annotations?[completionIndexKey] ?? pod.metadata?.labels?[completionIndexKey]
        guard let text, let value = Int(text), value >= 0, value < Int(completions) else { return nil }
        return value
    }

    /// How many times the index of `pod` has failed before it (its failure-count annotation).
    static func indexFailureCount(_ pod: CoreV1.Pod) -> Int32 {
        Int32(pod.metadata?.annotations?[indexFailureCountAnnotation] ?? "") ?? 0
    }

    /// When the pod finished (upstream's `getFinishedTime`): when it was deleted, else its
    /// latest container termination, else when it became not ready, else its creation.
    static func finishTime(_ pod: CoreV1.Pod) -> Int64 {
        if let deleted = pod.metadata?.deletionTimestamp, !deleted.isZero { return deleted.secondsSinceEpoch }
        let terminated = (pod.status?.containerStatuses ?? []).compactMap { $0.state?.terminated?.finishedAt?.secondsSinceEpoch }
        if let latest = terminated.max() { return latest }
        if let ready = pod.readyCondition, ready.status == "False", let since = ready.lastTransitionTime, !since.isZero {
            return since.secondsSinceEpoch
        }
        return pod.metadata?.creationTimestamp?.secondsSinceEpoch ?? 0
    }

    /// Seconds to wait before creating a pod after `failures` consecutive failures.
    static func backoff(failures: Int) -> Int64 {
        guard failures > 0 else { return 0 }
        var delay = backoffBase
        for _ in 1..<min(failures, 16) { delay = min(delay * 2, backoffMax) }
        return min(delay, backoffMax)
    }

    // MARK: Pod failure policy

    /// What a failed pod's matching rule says, as upstream's `matchPodFailurePolicy`.
    enum PolicyAction: Equatable {
        case failJob(message: String)
        case failIndex
        case ignore
        case count
    }

    /// The action of the first rule `pod` matches; nil when none does (counted normally).
    static func policyAction(_ policy: BatchV1.PodFailurePolicy?, pod: CoreV1.Pod) -> PolicyAction? {
        guard let policy, pod.status?.phase == "Failed" else { return nil }
        for (index, rule) in policy.rules.enumerated() {
            if let exitCodes = rule.onExitCodes {
                guard let (container, code) = matchingExitCode(exitCodes, pod: pod) else { continue }
                switch rule.action {
                case "FailJob":
                    return .failJob(message: "Container \(container) for pod \(pod.namespace)/\(pod.name) failed with exit code \(code) matching FailJob rule at index \(index)")
                case "FailIndex": return .failIndex
                case "Ignore": return .ignore
                default: return .count
                }
            }
            if let patterns = rule.onPodConditions {
                let conditions = pod.status?.conditions ?? []
                guard let matched = patterns.first(where: { pattern in
                    conditions.contains { $0.type == pattern.type && $0.status == pattern.status }
                }) else { continue }
                switch rule.action {
                case "FailJob":
                    return .failJob(message: "Pod \(pod.namespace)/\(pod.name) has condition \(matched.type) matching FailJob rule at index \(index)")
                case "FailIndex": return .failIndex
                case "Ignore": return .ignore
                default: return .count
                }
            }
        }
        return nil
    }

    private static func matchingExitCode(_ requirement: BatchV1.PodFailurePolicyOnExitCodesRequirement, pod: CoreV1.Pod) -> (String, Int32)? {
        let statuses = (pod.status?.initContainerStatuses ?? []) + (pod.status?.containerStatuses ?? [])
        for status in statuses {
            if let name = requirement.containerName, name != status.name { continue }
            guard let code = status.state?.terminated?.exitCode, code != 0 else { continue }
            let listed = requirement.values.contains(code)
            if (requirement.operator == "In" && listed) || (requirement.operator == "NotIn" && !listed) {
                return (status.name, code)
            }
        }
        return nil
    }

    // MARK: Index sets

    /// `0-2,4,6-7`: sorted indexes, each run of consecutive ones as `first-last`, as upstream
    /// writes `completedIndexes` and `failedIndexes`.
    static func format(_ indexes: Set<Int>) -> String {
        let sorted = indexes.sorted()
        var parts: [String] = []
        var start = 0
        while start < sorted.count {
            var end = start
            while end + 1 < sorted.count && sorted[end + 1] == sorted[end] + 1 { end += 1 }
            parts.append(end == start ? "\(sorted[start])" : "\(sorted[start])-\(sorted[end])")
            start = end + 1
        }
        return parts.joined(separator: ",")
    }

    /// The indexes of a `0-2,4` string below `limit`; malformed parts are skipped (upstream
    /// ignores them too, the apiserver having validated the field).
    static func parse(_ text: String?, limit: Int) -> Set<Int> {
        var result = Set<Int>()
        for part in (text ?? "").split(separator: ",") {
            let bounds = part.split(separator: "-", maxSplits: 1).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard let first = bounds.first ?? nil else { continue }
            let last = bounds.count == 2 ? (bounds[1] ?? first) : first
            guard first <= last else { continue }
            for index in first...last where index < limit { result.insert(index) }
        }
        return result
    }

    // MARK: Success policy

    /// The index of the first success policy rule the succeeded indexes meet, if any. A rule
    /// whose `succeededIndexes` name no index below `completions` never matches.
    static func successPolicyMet(_ policy: BatchV1.SuccessPolicy?, succeeded: Set<Int>, completions: Int) -> Int? {
        guard let policy else { return nil }
        for (position, rule) in policy.rules.enumerated() {
            if rule.succeededIndexes == nil && rule.succeededCount == nil { continue }
            let scope = rule.succeededIndexes.map { parse($0, limit: completions) }
            if let scope, scope.isEmpty { continue }
            let inScope = scope.map { succeeded.intersection($0) } ?? succeeded
            if let scope, rule.succeededCount == nil, !scope.isSubset(of: succeeded) { continue }
            if let count = rule.succeededCount, inScope.count < Int(count) { continue }
            return position
        }
        return nil
    }
}
