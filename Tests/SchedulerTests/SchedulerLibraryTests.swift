import Testing
@testable import Scheduler

@Test func defaultSchedulerNameMatchesKubernetes() {
    #expect(SchedulerLibrary.defaultSchedulerName == "default-scheduler")
}
