import APIMachinery
import Client
import Component
import Testing
@testable import Controllers

@Suite("Job controller")
struct JobControllerTests {
    typealias F = Fixtures
    typealias H = JobHarness

    static let jobRef = MetaV1.OwnerReference(
        kind: "Job", apiVersion: "batch/v1", blockOwnerDeletion: true, controller: true, name: "pi", uid: "job-uid")

    // MARK: Creating pods

    @Test("a new Job creates parallelism pods carrying the tracking finalizer, controlled by the Job, and starts")
    func createsPods() async throws {
        let job = F.job(completions: 3, parallelism: 2)
        let h = H(job)
        try await h.sync()

        #expect(h.createdPods.count == 2)
        let pods = h.podList
        #expect(pods.count == 2)
        for pod in pods {
            #expect(pod.metadata?.generateName == "pi-")
            #expect(pod.metadata?.finalizers == [JobRules.trackingFinalizer])
            #expect(pod.metadata?.ownerReferences == [Self.jobRef])
            #expect(pod.metadata?.labels == F.jobLabels)
            #expect(pod.metadata?.annotations == nil)
            #expect(pod.spec == job.spec?.template.spec)
        }
        #expect(h.events.with(reason: "SuccessfulCreate").count == 2)
        #expect(h.controller.expectations.pending(h.key)?.adds == 2)
        #expect(h.status?.startTime == F.time(0))
        #expect(h.status?.succeeded == nil && h.status?.failed == nil)
        #expect(h.status?.conditions == nil)
        #expect(h.status?.active == 2)

        // Once the informer has seen them, the next sync counts them and creates nothing more.
        h.settle()
        h.client.clearActions()
        try await h.sync()
        #expect(h.status?.active == 2)
        #expect(h.status?.startTime == F.time(0))
        #expect(h.createdPods.isEmpty)
    }

    @Test("no pod is created while earlier creations are still expected")
    func waitsForExpectations() async throws {
        let h = H(F.job(completions: 3, parallelism: 2))
        h.client.setLagging(CoreV1.Pod.self)
        try await h.sync()
        try await h.sync()
        #expect(h.client.createAttempts == 2)
    }

    // MARK: Counting finished pods

    @Test("succeeded pods are recorded as uncounted, their finalizers removed, then counted once")
    func countsSucceededOnce() async throws {
        let h = H(F.job(completions: 3, parallelism: 2))
        try await h.sync()
        h.settle()
        try await h.sync()
        let (a, b) = (h.podNames[0], h.podNames[1])
        let uids = Set(h.podList.map(\.uid))
        try h.finish(a)
        try h.finish(b)
        h.client.clearActions()

        try await h.sync()
        #expect(Set(h.status?.uncountedTerminatedPods?.succeeded ?? []) == uids)
        #expect(h.status?.succeeded == nil)
        #expect(h.finalizerRemovals.sorted() == [a, b])
        #expect(!h.hasFinalizer(a) && !h.hasFinalizer(b))
        // The status names the uids before their finalizers go, so a crash in between loses nothing.
        let writes = h.client.actions.map(\.verb)
        #expect((writes.firstIndex(of: "updateStatus") ?? .max) < (writes.firstIndex(of: "patch") ?? -1))
        // One completion remains: one more pod.
        #expect(h.createdPods.count == 1)

        h.settle()
        h.client.clearActions()
        try await h.sync()
        #expect(h.status?.succeeded == 2)
        #expect(h.status?.uncountedTerminatedPods?.succeeded ?? [] == [])
        #expect(h.status?.active == 1)
        #expect(h.finalizerRemovals.isEmpty)
        #expect(h.createdPods.isEmpty)

        // Level-triggered: more syncs neither count them again nor write anything.
        h.client.clearActions()
        try await h.sync()
        try await h.sync()
        #expect(h.status?.succeeded == 2)
        #expect(h.client.actions.isEmpty)
    }

    @Test("after the last success: SuccessCriteriaMet, then Complete with completionTime and a Completed event")
    func completes() async throws {
        let h = H(F.job(completions: 3, parallelism: 3))
        try await h.sync()
        h.settle()
        for pod in h.podNames { try h.finish(pod) }
        h.clock.advance(by: .seconds(5))

        try await h.sync()
        let met = try #require(h.condition("SuccessCriteriaMet"))
        #expect(met.status == "True")
        #expect(met.reason == "CompletionsReached")
        #expect(met.message == "Reached expected number of succeeded pods")
        #expect(met.lastTransitionTime == F.time(5))
        // Not complete while finished pods are still uncounted.
        #expect(h.status?.uncountedTerminatedPods?.succeeded?.count == 3)
        #expect(h.condition("Complete") == nil)
        #expect(h.status?.completionTime == nil)
        #expect(h.events.with(reason: "Completed").isEmpty)

        h.settle()
        h.clock.advance(by: .seconds(5))
        try await h.sync()
        let complete = try #require(h.condition("Complete"))
        #expect(complete.status == "True")
        #expect(complete.reason == "CompletionsReached")
        #expect(complete.message == "Reached expected number of succeeded pods")
        #expect(complete.lastTransitionTime == F.time(10))
        #expect(h.status?.conditions?.map(\.type) == ["SuccessCriteriaMet", "Complete"])
        #expect(h.status?.completionTime == F.time(10))
        #expect(h.status?.succeeded == 3)
        #expect(h.status?.active == nil)
        #expect(h.status?.uncountedTerminatedPods?.succeeded ?? [] == [])
        let completed = h.events.with(reason: "Completed")
        #expect(completed.count == 1)
        #expect(completed.first?.type == .normal && completed.first?.message == "Job completed" && completed.first?.object.name == "pi")

        // A finished Job is left as it is.
        h.client.clearActions()
        try await h.sync()
        #expect(h.client.actions.isEmpty)
        #expect(h.events.with(reason: "Completed").count == 1)
    }

    // MARK: Failures

    @Test("failures beyond backoffLimit: FailureTarget, the active pods deleted, then Failed once none runs")
    func backoffLimitExceeded() async throws {
        let h = H(F.job(completions: 3, parallelism: 3, backoffLimit: 1))
        try await h.sync()
        h.settle()
        let names = h.podNames
        try h.finish(names[0], phase: "Failed")
        try h.finish(names[1], phase: "Failed")
        let victimUID = h.podList[2].uid
        h.client.clearActions()

        try await h.sync()
        let target = try #require(h.condition("FailureTarget"))
        #expect(target.status == "True")
        #expect(target.reason == "BackoffLimitExceeded")
        #expect(target.message == "Job has reached the specified backoff limit")
        // Deleted on the condition that it is still the same pod.
        #expect(h.client.actions("delete", kind: "Pod") == [
            .delete(kind: "Pod", namespace: F.namespace, name: names[2], uid: victimUID, propagation: nil),
        ])
        #expect(h.createdPods.isEmpty)
        #expect(h.condition("Failed") == nil)
        #expect(h.status?.uncountedTerminatedPods?.failed?.count == 2)
        #expect(h.status?.terminating == 1)
        #expect(h.status?.active == nil)
        // The failed pods' finalizers go once recorded; the victim's before it is deleted (a pod
        // the controller removes is no failure to count).
        #expect(h.finalizerRemovals.sorted() == [names[0], names[1], names[2]].sorted())

        h.settle()
        try await h.sync()
        let failed = try #require(h.condition("Failed"))
        #expect(failed.status == "True")
        #expect(failed.reason == "BackoffLimitExceeded")
        #expect(failed.message == "Job has reached the specified backoff limit")
        #expect(h.status?.failed == 2)
        #expect(h.status?.uncountedTerminatedPods?.failed ?? [] == [])
        #expect(h.condition("Complete") == nil)
        let events = h.events.with(reason: "BackoffLimitExceeded")
        #expect(events.count == 1)
        #expect(events.first?.type == .warning)
    }

    @Test("after a failure no pod replaces it for 10 s, then 20 s after the second failure")
    func podFailureBackoff() async throws {
        let h = H(F.job(completions: 1, parallelism: 1, backoffLimit: 6))
        try await h.sync()
        h.settle()
        try h.finish(h.podNames[0], phase: "Failed")

        try await h.sync()
        #expect(h.client.createAttempts == 1)
        #expect(h.status?.uncountedTerminatedPods?.failed?.count == 1)
        #expect(h.controller.queue.len == 0)

        h.clock.advance(by: .seconds(9))
        try await h.sync()
        #expect(h.client.createAttempts == 1)
        #expect(h.status?.failed == 1)
        #expect(h.controller.queue.len == 0)

        // The sync was scheduled for when the backoff ends.
        h.clock.advance(by: .seconds(1))
        #expect(await h.controller.queue.drainReady() == [h.key])
        try await h.sync()
        #expect(h.client.createAttempts == 2)

        // A second consecutive failure doubles the delay.
        h.settle()
        let second = try #require(h.podList.first { $0.status?.phase == nil }).name
        try h.finish(second, phase: "Failed")
        try await h.sync()
        h.clock.advance(by: .seconds(19))
        try await h.sync()
        #expect(h.client.createAttempts == 2)
        h.clock.advance(by: .seconds(1))
        #expect(await h.controller.queue.drainReady() == [h.key])
        try await h.sync()
        #expect(h.client.createAttempts == 3)
        #expect(h.status?.failed == 2)
    }

    // MARK: Indexed Jobs

    @Test("an Indexed Job creates one pod per index, named, annotated, labelled and with hostname and env for it")
    func indexedPods() async throws {
        let h = H(F.job(completions: 3, parallelism: 3, indexed: true))
        try await h.sync()
        let byIndex = h.podsByIndex
        #expect(byIndex.keys.sorted() == [0, 1, 2])
        let env = CoreV1.EnvVar(
            name: "JOB_COMPLETION_INDEX",
            valueFrom: CoreV1.EnvVarSource(fieldRef: CoreV1.ObjectFieldSelector(fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']")))
        for (index, pod) in byIndex {
            #expect(pod.metadata?.generateName == "pi-\(index)-")
            #expect(pod.name.hasPrefix("pi-\(index)-"))
            #expect(pod.metadata?.annotations == [JobRules.completionIndexKey: "\(index)"])
            #expect(pod.metadata?.labels?[JobRules.completionIndexKey] == "\(index)")
            #expect(pod.metadata?.labels?["batch.kubernetes.io/job-name"] == "pi")
            #expect(pod.spec?.hostname == "pi-\(index)")
            #expect(pod.spec?.containers.first?.env == [env])
            #expect(pod.metadata?.finalizers == [JobRules.trackingFinalizer])
            #expect(pod.metadata?.ownerReferences == [Self.jobRef])
        }
    }

    @Test("an Indexed Job records the succeeded indexes in completedIndexes")
    func completedIndexes() async throws {
        let h = H(F.job(completions: 3, parallelism: 3, indexed: true))
        try await h.sync()
        h.settle()
        let byIndex = h.podsByIndex
        try h.finish(try #require(byIndex[0]).name)
        try h.finish(try #require(byIndex[1]).name)
        h.client.clearActions()

        try await h.sync()
        #expect(h.status?.completedIndexes == "0-1")
        #expect(h.createdPods.isEmpty)
        #expect(h.condition("SuccessCriteriaMet") == nil)
        #expect(h.status?.succeeded == 2)
        #expect(h.status?.uncountedTerminatedPods?.succeeded ?? [] == [])

        h.settle()
        try await h.sync()
        #expect(h.status?.completedIndexes == "0-1")
        #expect(h.status?.succeeded == 2)

        try h.finish(try #require(byIndex[2]).name)
        try await h.sync()
        try await h.sync()
        #expect(h.status?.completedIndexes == "0-2")
        #expect(h.condition("Complete")?.status == "True")
        #expect(h.status?.succeeded == 3)
    }

    @Test("a failed index is retried with a pod for the same index")
    func indexRetried() async throws {
        let h = H(F.job(completions: 3, parallelism: 3, indexed: true))
        try await h.sync()
        h.settle()
        try h.finish(try #require(h.podsByIndex[1]).name, phase: "Failed", finishedAfter: -60)
        h.client.clearActions()

        try await h.sync()
        #expect(h.createdPods.count == 1)
        #expect(h.createdPods.first?.hasPrefix("pi-1-") == true)
        let replacement = try #require(h.podList.first { $0.name == h.createdPods.first })
        #expect(replacement.metadata?.annotations?[JobRules.completionIndexKey] == "1")
        #expect(h.status?.uncountedTerminatedPods?.failed?.count == 1)
    }

    @Test("a success policy completes an Indexed Job early, its message naming the rule that matched")
    func successPolicy() async throws {
        let policy = BatchV1.SuccessPolicy(rules: [
            BatchV1.SuccessPolicyRule(succeededIndexes: "2"), BatchV1.SuccessPolicyRule(succeededIndexes: "0"),
        ])
        let h = H(F.job(completions: 3, parallelism: 3, indexed: true, successPolicy: policy))
        try await h.sync()
        h.settle()
        try h.finish(try #require(h.podsByIndex[0]).name)
        h.client.clearActions()

        try await h.sync()
        let met = try #require(h.condition("SuccessCriteriaMet"))
        #expect(met.status == "True" && met.reason == "SuccessPolicy")
        #expect(met.message == "Matched rules at index 1")
        #expect(h.deletedPods.count == 2)
        #expect(h.status?.completedIndexes == "0")

        h.settle()
        try await h.sync()
        #expect(h.condition("Complete")?.status == "True")
        #expect(h.condition("Complete")?.reason == "SuccessPolicy")
    }

    // MARK: Suspension

    @Test("suspending deletes the active pods and sets Suspended; resuming creates pods again and restarts the clock")
    func suspendAndResume() async throws {
        let h = H(F.job(completions: 3, parallelism: 2))
        try await h.sync()
        h.settle()
        try await h.sync()
        let running = h.podNames
        h.clock.advance(by: .seconds(30))
        try h.updateJob { $0.spec?.suspend = true }
        h.client.clearActions()

        try await h.sync()
        #expect(h.deletedPods.sorted() == running)
        #expect(h.createdPods.isEmpty)
        let suspended = try #require(h.condition("Suspended"))
        #expect(suspended.status == "True")
        #expect(suspended.reason == "JobSuspended")
        #expect(suspended.message == "Job suspended")
        #expect(suspended.lastTransitionTime == F.time(30))
        #expect(h.events.with(reason: "Suspended").count == 1)
        #expect(h.status?.active == nil)
        #expect(h.status?.startTime == F.time(0))
        #expect(h.finalizerRemovals.sorted() == running)

        // Still suspended: nothing more happens.
        h.settle()
        h.client.clearActions()
        try await h.sync()
        #expect(h.createdPods.isEmpty && h.deletedPods.isEmpty)
        #expect(h.events.with(reason: "Suspended").count == 1)

        h.clock.advance(by: .seconds(30))
        try h.updateJob { $0.spec?.suspend = false }
        try await h.sync()
        let resumed = try #require(h.condition("Suspended"))
        #expect(resumed.status == "False")
        #expect(resumed.reason == "JobResumed")
        #expect(resumed.message == "Job resumed")
        #expect(resumed.lastTransitionTime == F.time(60))
        #expect(h.events.with(reason: "Resumed").count == 1)
        #expect(h.status?.startTime == F.time(60))
        #expect(h.createdPods.count == 2)
        #expect(h.status?.failed == nil)
    }

    @Test("pods deleted on suspension never count as failures, even while the apiserver keeps them terminating")
    func suspensionIsNoFailure() async throws {
        let h = H(F.job(completions: 3, parallelism: 2, backoffLimit: 1))
        // As a real apiserver: a pod with a finalizer is only marked deleted until it goes.
        h.client.honorFinalizers()
        try await h.sync()
        h.settle()
        try await h.sync()
        try h.updateJob { $0.spec?.suspend = true }
        try await h.sync()
        #expect(h.deletedPods.count == 2)
        #expect(h.condition("Suspended")?.status == "True")

        h.settle()
        try await h.sync()
        try await h.sync()
        #expect(h.condition("FailureTarget") == nil)
        #expect(h.condition("Failed") == nil)
        #expect(h.status?.failed == nil)
        #expect(h.status?.uncountedTerminatedPods?.failed ?? [] == [])
    }

    @Test("a Job created suspended creates nothing and has no startTime until resumed")
    func createdSuspended() async throws {
        let h = H(F.job(suspend: true))
        try await h.sync()
        #expect(h.client.createAttempts == 0)
        #expect(h.status?.startTime == nil)
        #expect(h.condition("Suspended")?.status == "True")
    }

    // MARK: Deadline

    @Test("activeDeadlineSeconds: a sync is scheduled for the deadline, then FailureTarget and Failed with DeadlineExceeded")
    func deadlineExceeded() async throws {
        let h = H(F.job(completions: 3, parallelism: 2, activeDeadlineSeconds: 30))
        try await h.sync()
        #expect(h.controller.queue.len == 0)
        h.clock.advance(by: .seconds(29))
        #expect(h.controller.queue.len == 0)
        h.clock.advance(by: .seconds(1))
        #expect(await h.controller.queue.drainReady() == [h.key])

        h.settle()
        let running = h.podNames
        h.client.clearActions()
        try await h.sync()
        let target = try #require(h.condition("FailureTarget"))
        #expect(target.status == "True")
        #expect(target.reason == "DeadlineExceeded")
        #expect(target.message == "Job was active longer than specified deadline")
        #expect(h.deletedPods.sorted() == running)
        #expect(h.createdPods.isEmpty)
        #expect(h.status?.terminating == 2)
        #expect(h.condition("Failed") == nil)

        h.settle()
        try await h.sync()
        let failed = try #require(h.condition("Failed"))
        #expect(failed.status == "True")
        #expect(failed.reason == "DeadlineExceeded")
        #expect(failed.message == "Job was active longer than specified deadline")
        #expect(h.events.with(reason: "DeadlineExceeded").count == 1)
        #expect(h.events.with(reason: "DeadlineExceeded").first?.type == .warning)
    }

    // MARK: Pod failure policy

    @Test("podFailurePolicy FailJob on exit code 42: FailureTarget with reason PodFailurePolicy and upstream's message")
    func failJobPolicy() async throws {
        let policy = BatchV1.PodFailurePolicy(rules: [BatchV1.PodFailurePolicyRule(
            action: "FailJob", onExitCodes: BatchV1.PodFailurePolicyOnExitCodesRequirement(containerName: "main", operator: "In", values: [42]))])
        let h = H(F.job(completions: 2, parallelism: 2, podFailurePolicy: policy))
        try await h.sync()
        h.settle()
        let (failing, other) = (h.podNames[0], h.podNames[1])
        try h.finish(failing, phase: "Failed", exitCode: 42)
        h.client.clearActions()

        try await h.sync()
        let message = "Container main for pod default/\(failing) failed with exit code 42 matching FailJob rule at index 0"
        let target = try #require(h.condition("FailureTarget"))
        #expect(target.status == "True")
        #expect(target.reason == "PodFailurePolicy")
        #expect(target.message == message)
        #expect(h.deletedPods == [other])
        #expect(h.createdPods.isEmpty)

        h.settle()
        try await h.sync()
        let failed = try #require(h.condition("Failed"))
        #expect(failed.reason == "PodFailurePolicy")
        #expect(failed.message == message)
        #expect(h.status?.failed == 1)
        #expect(h.events.with(reason: "PodFailurePolicy").map(\.message) == [message])
    }

    @Test("podFailurePolicy Ignore: the failure is not counted, its finalizer is removed and a replacement is created")
    func ignorePolicy() async throws {
        let policy = BatchV1.PodFailurePolicy(rules: [BatchV1.PodFailurePolicyRule(
            action: "Ignore", onPodConditions: [BatchV1.PodFailurePolicyOnPodConditionsPattern(status: "True", type: "DisruptionTarget")])])
        let h = H(F.job(completions: 1, parallelism: 1, backoffLimit: 0, podFailurePolicy: policy))
        try await h.sync()
        h.settle()
        let evicted = h.podNames[0]
        try h.finish(
            evicted, phase: "Failed", exitCode: 137, finishedAfter: -60,
            conditions: [CoreV1.PodCondition(status: "True", type: "DisruptionTarget")])
        h.client.clearActions()

        try await h.sync()
        #expect(h.status?.failed == nil)
        #expect(h.status?.uncountedTerminatedPods?.failed ?? [] == [])
        #expect(h.condition("FailureTarget") == nil)
        #expect(h.finalizerRemovals == [evicted])
        #expect(h.createdPods.count == 1)

        h.settle()
        h.client.clearActions()
        try await h.sync()
        #expect(h.status?.failed == nil)
        #expect(h.finalizerRemovals.isEmpty)
        #expect(h.createdPods.isEmpty)
        #expect(h.condition("FailureTarget") == nil)
    }

    // MARK: Terminating pods

    @Test("a pod being deleted counts as failed by default, and is terminating")
    func deletedPodCountsAsFailed() async throws {
        let job = F.job(completions: 1, parallelism: 1)
        let h = H(job, pods: [F.jobPod("pi-old", of: job, deleting: true)])
        try await h.sync()
        #expect(h.status?.uncountedTerminatedPods?.failed == ["uid-pi-old"])
        #expect(h.status?.terminating == 1)
        #expect(h.finalizerRemovals == ["pi-old"])
    }

    @Test("with podReplacementPolicy Failed, a terminating pod is neither failed nor replaced until it fails")
    func onlyFailedReplaced() async throws {
        let job = F.job(completions: 1, parallelism: 1, podReplacementPolicy: "Failed")
        let h = H(job, pods: [F.jobPod("pi-old", of: job, deleting: true)])
        try await h.sync()
        #expect(h.status?.terminating == 1)
        #expect(h.status?.failed == nil)
        #expect(h.status?.uncountedTerminatedPods?.failed ?? [] == [])
        #expect(h.finalizerRemovals.isEmpty)
        #expect(h.client.createAttempts == 0)
    }

    // MARK: Jobs left alone

    @Test("a Job managed by another controller is left alone")
    func managedElsewhere() async throws {
        let h = H(F.job(managedBy: "kueue.x-k8s.io/multikueue"))
        try await h.sync()
        #expect(h.client.actions.isEmpty)
        #expect(h.status == nil)
        #expect(h.events.all.isEmpty)

        let ours = H(F.job(managedBy: "kubernetes.io/job-controller"))
        try await ours.sync()
        #expect(ours.createdPods.count == 2)
    }

    @Test("a finished Job only has the tracking finalizers its pods still hold removed")
    func finishedJob() async throws {
        let job = F.job(conditions: [F.jobCondition("Complete")])
        let h = H(job, pods: [
            F.jobPod("pi-a", of: job, phase: "Succeeded"), F.jobPod("pi-b", of: job, phase: "Failed"),
            F.jobPod("pi-c", of: job, phase: "Succeeded", finalizer: false),
        ])
        try await h.sync()
        #expect(h.finalizerRemovals.sorted() == ["pi-a", "pi-b"])
        #expect(h.client.actions.count == 2)
        #expect(!h.hasFinalizer("pi-a") && !h.hasFinalizer("pi-b"))
        #expect(h.job?.status == job.status)
        #expect(h.events.all.isEmpty)
    }

    @Test("a deleted Job's key clears its expectations and writes nothing")
    func deletedJob() async throws {
        let h = H(F.job())
        h.client.setLagging(CoreV1.Pod.self)
        try await h.sync()
        #expect(h.controller.expectations.pending(h.key) != nil)
        h.jobs.delete(key: h.key)
        h.client.clearActions()
        try await h.sync()
        #expect(h.controller.expectations.pending(h.key) == nil)
        #expect(h.client.actions.isEmpty)
    }
}
