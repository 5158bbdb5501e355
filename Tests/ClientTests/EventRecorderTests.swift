import Component
import APIMachinery
import Testing
@testable import Client

@Suite("EventRecorder")
struct EventRecorderTests {
    let clock = ManualClock(wall: EventTestObjects.wallStart)
    let sink = EventTestSink()

    func recorder(bufferSize: Int = EventRecorder.defaultBufferSize, random: Double = 0.5) -> EventRecorder {
        EventRecorder(
            sink: sink, component: "default-scheduler", host: "node-1", clock: clock,
            bufferSize: bufferSize, random: { random })
    }

    @Test(
        "events are named <object>.<hex nanoseconds> in the object's namespace, default for cluster-scoped objects",
        arguments: [
            (CoreV1.ObjectReference(kind: "Pod", apiVersion: "v1", name: "web-0", namespace: "team-a"), "team-a"),
            (CoreV1.ObjectReference(kind: "Node", apiVersion: "v1", name: "node-9"), "default"),
            (CoreV1.ObjectReference(kind: "Node", apiVersion: "v1", name: "node-9", namespace: ""), "default"),
        ]
    )
    func namesAndNamespaces(object: CoreV1.ObjectReference, namespace: String) {
        let now = EventTestObjects.wallStart
        let event = recorder().makeEvent(regarding: object, type: .warning, reason: "FailedScheduling", message: "no nodes", at: now)
        #expect(event.metadata?.name == "\(object.name ?? "").17a668b7375cff15")
        #expect(String(now.nanosecondsSinceEpoch, radix: 16) == "17a668b7375cff15")
        #expect(event.metadata?.namespace == namespace)
        #expect(event.involvedObject == object)
        #expect(event.type == "Warning")
        #expect(event.reason == "FailedScheduling")
        #expect(event.message == "no nodes")
        #expect(event.count == 1)
        #expect(event.firstTimestamp == now.time)
        #expect(event.lastTimestamp == now.time)
        #expect(event.source == CoreV1.EventSource(component: "default-scheduler", host: "node-1"))
        #expect(event.reportingComponent == "default-scheduler")
        #expect(event.reportingInstance == "node-1")
    }

    @Test("a reference to a typed object carries its kind, apiVersion, namespace, uid and resourceVersion")
    func referenceFromObject() {
        let pod = CoreV1.Pod(metadata: MetaV1.ObjectMeta(name: "web-0", namespace: "team-a", resourceVersion: "12", uid: "u1"))
        #expect(CoreV1.ObjectReference(referencing: pod) == CoreV1.ObjectReference(
            kind: "Pod", apiVersion: "v1", name: "web-0", namespace: "team-a", resourceVersion: "12", uid: "u1"))
        let node = CoreV1.Node(metadata: MetaV1.ObjectMeta(name: "node-1"))
        #expect(CoreV1.ObjectReference(referencing: node).namespace == nil)
        let lease = CoordinationV1.Lease(metadata: MetaV1.ObjectMeta(name: "l", namespace: "kube-system"))
        #expect(CoreV1.ObjectReference(referencing: lease).apiVersion == "coordination.k8s.io/v1")
    }

    @Test("a repeated event is written once and then patched with a growing count", .timeLimit(.minutes(1)))
    func dedupeUsesPatch() async throws {
        let recorder = recorder()
        let run = Task { await recorder.run() }
        let pod = CoreV1.Pod(metadata: MetaV1.ObjectMeta(name: "web-0", namespace: "team-a", uid: "u1"))
        recorder.event(regarding: pod, type: .normal, reason: "Scheduled", message: "assigned team-a/web-0 to node-1")
        await recorder.yield(untilProcessed: 1)
        clock.advance(by: .seconds(40))
        recorder.event(regarding: pod, type: .normal, reason: "Scheduled", message: "assigned team-a/web-0 to node-1")
        recorder.event(regarding: pod, type: .normal, reason: "Scheduled", message: "assigned team-a/web-0 to node-1")
        await recorder.yield(untilProcessed: 3)

        let calls = sink.calls
        #expect(calls.count == 3)
        guard calls.count == 3, case .create(let created) = calls[0],
            case .patch(_, let second) = calls[1], case .patch(let patched, let third) = calls[2]
        else {
            Issue.record("expected create, patch, patch: \(calls)")
            return
        }
        let later = EventTestObjects.wallStart.advanced(by: .seconds(40)).time
        #expect(second == EventPatch(count: 2, lastTimestamp: later, message: "assigned team-a/web-0 to node-1"))
        #expect(third.count == 3)
        #expect(patched.metadata?.name == created.metadata?.name)
        let stored = sink.stored
        #expect(stored.count == 1)
        #expect(stored.first?.count == 3)
        #expect(stored.first?.firstTimestamp == EventTestObjects.wallStart.time)
        #expect(stored.first?.lastTimestamp == later)

        recorder.shutDown()
        await run.value
    }

    @Test("a patch of an Event that is gone creates it again", .timeLimit(.minutes(1)))
    func patchFallsBackToCreate() async throws {
        let recorder = recorder()
        let run = Task { await recorder.run() }
        let pod = EventTestObjects.pod()
        recorder.event(regarding: pod, type: .normal, reason: "Pulled", message: "image pulled")
        await recorder.yield(untilProcessed: 1)
        sink.expireAll()
        recorder.event(regarding: pod, type: .normal, reason: "Pulled", message: "image pulled")
        await recorder.yield(untilProcessed: 2)

        let calls = sink.calls
        #expect(calls.count == 3)
        if calls.count == 3, case .patch = calls[1], case .create(let recreated) = calls[2] {
            #expect(recreated.count == 2)
            #expect(recreated.metadata?.resourceVersion == nil)
            #expect(recreated.metadata?.name == calls[0].event.metadata?.name)
        } else {
            Issue.record("expected create, patch, create: \(calls)")
        }
        #expect(sink.stored.count == 1)
        recorder.shutDown()
        await run.value
    }

    @Test("after ten similar events the recorder writes the combined event", .timeLimit(.minutes(1)))
    func aggregationEndToEnd() async throws {
        let recorder = recorder()
        let run = Task { await recorder.run() }
        for i in 1...12 {
            clock.advance(by: .milliseconds(1))
            recorder.event(regarding: EventTestObjects.pod(), type: .warning, reason: "FailedScheduling", message: "0/\(i) nodes")
        }
        await recorder.yield(untilProcessed: 12)
        let messages = sink.stored.compactMap(\.message).sorted()
        #expect(messages.count == 10)
        #expect(messages.contains("(combined from similar events): 0/12 nodes"))
        let combined = sink.stored.first { $0.message?.hasPrefix("(combined") == true }
        #expect(combined?.count == 3)
        recorder.shutDown()
        await run.value
    }

    @Test("the spam filter drops a burst beyond 25 events about one object until time refills it", .timeLimit(.minutes(1)))
    func spamFilterEndToEnd() async throws {
        let recorder = recorder()
        let run = Task { await recorder.run() }
        for i in 1...30 {
            clock.advance(by: .milliseconds(1))
            recorder.event(regarding: EventTestObjects.pod(), type: .normal, reason: "Reason\(i)", message: "m")
        }
        await recorder.yield(untilProcessed: 30)
        #expect(sink.calls.count == 25)
        #expect(sink.stored.count == 25)
        clock.advance(by: .seconds(300))
        recorder.event(regarding: EventTestObjects.pod(), type: .normal, reason: "Later", message: "m")
        recorder.event(regarding: EventTestObjects.pod(), type: .normal, reason: "Later2", message: "m")
        await recorder.yield(untilProcessed: 32)
        #expect(sink.calls.count == 26)
        #expect(sink.stored.count == 26)
        #expect(sink.calls.last?.event.reason == "Later")
        recorder.shutDown()
        await run.value
    }

    @Test("recording never blocks: events beyond the buffer are dropped and counted", .timeLimit(.minutes(1)))
    func boundedBuffer() async throws {
        let recorder = recorder(bufferSize: 1000)
        let accepted = (0..<1005).filter { i in
            recorder.event(regarding: EventTestObjects.pod("pod-\(i)"), type: .normal, reason: "Created", message: "m")
        }
        #expect(accepted.count == 1000)
        #expect(accepted.last == 999)
        #expect(recorder.droppedCount == 5)

        recorder.shutDown()
        #expect(!recorder.event(regarding: EventTestObjects.pod(), type: .normal, reason: "Late", message: "m"))
        await recorder.run()
        #expect(recorder.processedCount == 1000)
        #expect(sink.stored.count == 1000)
        #expect(recorder.droppedCount == 6)
    }

    @Test("transport failures are retried, the first after a random fraction of the interval", .timeLimit(.minutes(1)))
    func retriesTransportErrors() async throws {
        let recorder = recorder(random: 0.25)
        sink.fail(with: [EventTestTransportError(), EventTestTransportError()])
        let run = Task { await recorder.run() }
        recorder.event(regarding: EventTestObjects.pod(), type: .normal, reason: "Scheduled", message: "m")

        await clock.waitForSleepers(1)
        #expect(clock.nextDeadline == clock.now.advanced(by: .milliseconds(2500)))
        clock.advance(by: .milliseconds(2500))
        await clock.waitForSleepers(1)
        #expect(clock.nextDeadline == clock.now.advanced(by: .seconds(10)))
        clock.advance(by: .seconds(10))
        await recorder.yield(untilProcessed: 1)
        #expect(sink.calls.count == 3)
        #expect(sink.stored.count == 1)
        recorder.shutDown()
        await run.value
    }

    @Test("rejected writes are abandoned without retrying", .timeLimit(.minutes(1)))
    func abandonsRejected() async throws {
        let recorder = recorder()
        sink.fail(with: [EventSinkError.rejected("namespace is terminating")])
        let run = Task { await recorder.run() }
        recorder.event(regarding: EventTestObjects.pod(), type: .normal, reason: "Scheduled", message: "m")
        clock.advance(by: .milliseconds(1))
        recorder.event(regarding: EventTestObjects.pod(), type: .normal, reason: "Other", message: "m")
        await recorder.yield(untilProcessed: 2)
        #expect(clock.sleeperCount == 0)
        #expect(sink.calls.count == 2)
        #expect(sink.stored.map(\.reason) == ["Other"])
        recorder.shutDown()
        await run.value
    }

    @Test("gives up after maxTries failed writes", .timeLimit(.minutes(1)))
    func givesUpAfterMaxTries() async throws {
        let recorder = EventRecorder(
            sink: sink, component: "c", clock: clock,
            maxTries: 3, retryInterval: .seconds(1), random: { 0 })
        sink.fail(with: Array(repeating: EventTestTransportError(), count: 5))
        let run = Task { await recorder.run() }
        recorder.event(regarding: EventTestObjects.pod(), type: .normal, reason: "Scheduled", message: "m")
        // First retry at once (random 0), the second after 1 s, then it gives up.
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(1))
        await recorder.yield(untilProcessed: 1)
        #expect(sink.calls.count == 3)
        #expect(sink.stored.isEmpty)
        recorder.shutDown()
        await run.value
    }
}
