import APIMachinery
import APIServer
import Testing

/// Per-kind changes on create: pod phase and QoS class, namespace finalizer, label and phase,
/// and the initial status of volumes, claims and services.
struct KindStrategiesTests {
    static func prepared(_ json: String, _ group: String, _ plural: String) throws -> JSONObject {
        var object = try Fixtures.object(json)
        Strategies.prepareForCreate(&object, info: try Fixtures.resource(group, plural))
        return object
    }

    static func qos(_ containers: String, initContainers: String? = nil) throws -> String {
        let spec = initContainers.map { #"{"initContainers":\#($0),"containers":\#(containers)}"# }
            ?? #"{"containers":\#(containers)}"#
        return Strategies.qosClass(try Fixtures.tree(spec))
    }

    // MARK: pods

    @Test func podStartsPendingWithItsQoSClass() throws {
        let pod = try Self.prepared(
            #"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"i"}]},"status":{"phase":"Running","podIP":"1.2.3.4"}}"#,
            "", "pods")
        #expect(pod["status"] == ["phase": "Pending", "qosClass": "BestEffort"])
    }

    @Test func bestEffortWhenNothingIsRequestedOrLimited() throws {
        #expect(try Self.qos(#"[{"name":"a"},{"name":"b","resources":{}}]"#) == "BestEffort")
        #expect(try Self.qos(#"[{"name":"a","resources":{"requests":{"ephemeral-storage":"1Gi"}}}]"#) == "BestEffort")
        #expect(Strategies.qosClass(nil) == "BestEffort")
    }

    @Test func guaranteedWhenEveryContainerLimitsCPUAndMemoryAtItsRequests() throws {
        #expect(
            try Self.qos(
                #"[{"name":"a","resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"0.5","memory":"134217728"}}}]"#
            ) == "Guaranteed")
        // Requests left out default to the limits.
        #expect(try Self.qos(#"[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]"#) == "Guaranteed")
        #expect(
            try Self.qos(
                #"[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]"#,
                initContainers: #"[{"name":"i","resources":{"limits":{"cpu":"2","memory":"2Gi"},"requests":{"cpu":"2","memory":"2Gi"}}}]"#
            ) == "Guaranteed")
    }

    @Test func burstableOtherwise() throws {
        // Requests below limits.
        #expect(
            try Self.qos(#"[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"500m","memory":"1Gi"}}}]"#)
                == "Burstable")
        // Only a memory limit.
        #expect(try Self.qos(#"[{"name":"a","resources":{"limits":{"memory":"1Gi"}}}]"#) == "Burstable")
        // Only requests.
        #expect(try Self.qos(#"[{"name":"a","resources":{"requests":{"cpu":"100m"}}}]"#) == "Burstable")
        // One guaranteed container beside a best-effort one.
        #expect(
            try Self.qos(#"[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"}}},{"name":"b"}]"#) == "Burstable")
        // An init container that is not guaranteed.
        #expect(
            try Self.qos(
                #"[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]"#,
                initContainers: #"[{"name":"i","resources":{"requests":{"cpu":"1"}}}]"#) == "Burstable")
    }

    // MARK: namespaces

    @Test func namespaceGetsFinalizerNameLabelAndActivePhase() throws {
        let namespace = try Self.prepared(
            #"{"metadata":{"name":"team-a","labels":{"owner":"me"}},"status":{"phase":"Terminating"}}"#, "", "namespaces")
        #expect(namespace["metadata"]?["labels"] == ["owner": "me", "kubernetes.io/metadata.name": "team-a"])
        #expect(namespace["spec"] == ["finalizers": ["kubernetes"]])
        #expect(namespace["status"] == ["phase": "Active"])
    }

    @Test func namespaceNameLabelCannotBeForged() throws {
        let namespace = try Self.prepared(
            #"{"metadata":{"name":"team-a","labels":{"kubernetes.io/metadata.name":"other"}}}"#, "", "namespaces")
        #expect(namespace["metadata"]?["labels"]?["kubernetes.io/metadata.name"] == "team-a")
    }

    /// Kubernetes' namespace strategy appends `kubernetes` to the finalizers a client gives
    /// ("on create, we require the kubernetes value"), also to an empty list.
    @Test func namespaceFinalizerIsAddedToTheClientsFinalizers() throws {
        let listed = try Self.prepared(
            #"{"metadata":{"name":"team-a"},"spec":{"finalizers":["example.com/cleanup"]}}"#, "", "namespaces")
        #expect(listed["spec"]?["finalizers"] == ["example.com/cleanup", "kubernetes"])
        let empty = try Self.prepared(#"{"metadata":{"name":"team-a"},"spec":{"finalizers":[]}}"#, "", "namespaces")
        #expect(empty["spec"]?["finalizers"] == ["kubernetes"])
        let present = try Self.prepared(
            #"{"metadata":{"name":"team-a"},"spec":{"finalizers":["kubernetes","x/y"]}}"#, "", "namespaces")
        #expect(present["spec"]?["finalizers"] == ["kubernetes", "x/y"])
    }

    // MARK: other kinds

    @Test func volumesAndClaimsStartPending() throws {
        let volume = try Self.prepared(#"{"metadata":{"name":"v"},"status":{"phase":"Bound"}}"#, "", "persistentvolumes")
        #expect(volume["status"] == ["phase": "Pending"])
        let claim = try Self.prepared(#"{"metadata":{"name":"c"}}"#, "", "persistentvolumeclaims")
        #expect(claim["status"] == ["phase": "Pending"])
    }

    @Test func serviceStartsWithAnEmptyLoadBalancerStatus() throws {
        let service = try Self.prepared(
            #"{"metadata":{"name":"s"},"status":{"loadBalancer":{"ingress":[{"ip":"1.1.1.1"}]}}}"#, "", "services")
        #expect(service["status"] == ["loadBalancer": [:]])
    }

    @Test func otherKindsAndGroupsAreUntouched() throws {
        let json = #"{"metadata":{"name":"x"},"spec":{"a":1},"status":{"b":2}}"#
        let unchanged = try Fixtures.object(json)
        #expect(try Self.prepared(json, "", "configmaps") == unchanged)
        #expect(try Self.prepared(json, "apps", "deployments") == unchanged)
    }
}
