import APIMachinery
import APIServer
import Foundation
import Testing

/// Server-owned metadata on create and update (kube-apiserver's BeforeCreate/BeforeUpdate and
/// the strategies' PrepareForCreate/PrepareForUpdate).
struct ObjectRulesTests {
    /// 2023-11-14T22:13:20Z, plus a fraction that metav1.Time drops.
    static let now = Date(timeIntervalSince1970: 1_700_000_000.9)

    static func created(_ json: String, _ group: String, _ plural: String, random: [Int] = [0]) throws -> JSONObject {
        var object = try Fixtures.object(json)
        var draws = random.makeIterator()
        ObjectRules.prepareForCreate(
            &object, info: try Fixtures.resource(group, plural), now: now, uid: "1f0e5a2c-uid", random: { draws.next() ?? 0 })
        return object
    }

    static func updated(_ new: String, old: String, _ group: String, _ plural: String, subresource: String? = nil) throws
        -> JSONObject
    {
        var object = try Fixtures.object(new)
        ObjectRules.prepareForUpdate(
            new: &object, old: try Fixtures.object(old), info: try Fixtures.resource(group, plural), subresource: subresource)
        return object
    }

    // MARK: create

    @Test func generateNameGetsAFiveCharacterSuffixFromTheInjectedRandom() throws {
        // Indices into "bcdfghjklmnpqrstvwxz2456789"; 53 wraps to index 26.
        let object = try Self.created(#"{"metadata":{"generateName":"web-"}}"#, "", "configmaps", random: [0, 1, 2, 3, 53])
        #expect(object["metadata"]?["name"] == "web-bcdf9")
        #expect(object["metadata"]?["generateName"] == "web-")
    }

    @Test func generateNameBaseIsCutTo58Characters() throws {
        let base = String(repeating: "a", count: 70)
        let object = try Self.created(#"{"metadata":{"generateName":"\#(base)"}}"#, "", "configmaps")
        #expect(object["metadata"]?["name"] == .string(String(repeating: "a", count: 58) + "bbbbb"))
    }

    @Test func anExplicitNameWins() throws {
        let object = try Self.created(#"{"metadata":{"name":"mine","generateName":"web-"}}"#, "", "configmaps")
        #expect(object["metadata"]?["name"] == "mine")
        let empty = try Self.created(#"{"metadata":{"name":"","generateName":"web-"}}"#, "", "configmaps", random: [4, 4, 4, 4, 4])
        #expect(empty["metadata"]?["name"] == "web-ggggg")
    }

    @Test func serverFieldsAreSetAndClientOnesCleared() throws {
        let object = try Self.created(
            #"{"metadata":{"name":"a","uid":"forged","creationTimestamp":"2001-01-01T00:00:00Z","resourceVersion":"9","selfLink":"/x","deletionTimestamp":"2001-01-01T00:00:00Z","deletionGracePeriodSeconds":30,"labels":{"k":"v"}},"data":{"x":"y"}}"#,
            "", "configmaps")
        let expected = try Fixtures.object(
            #"{"metadata":{"name":"a","uid":"1f0e5a2c-uid","creationTimestamp":"2023-11-14T22:13:20Z","labels":{"k":"v"}},"data":{"x":"y"}}"#
        )
        #expect(object == expected)
    }

    @Test func metadataIsCreatedWhenAbsent() throws {
        let object = try Self.created(#"{"kind":"ConfigMap"}"#, "", "configmaps")
        #expect(object["metadata"]?["uid"] == "1f0e5a2c-uid")
        #expect(object["metadata"]?["creationTimestamp"] == "2023-11-14T22:13:20Z")
    }

    @Test(arguments: [
        ("apps", "deployments"), ("apps", "statefulsets"), ("batch", "jobs"), ("", "replicationcontrollers"),
        ("networking.k8s.io", "ingresses"), ("policy", "poddisruptionbudgets"),
    ])
    func generationStartsAtOneForTrackedKinds(group: String, plural: String) throws {
        let object = try Self.created(#"{"metadata":{"name":"a","generation":7},"spec":{}}"#, group, plural)
        #expect(object["metadata"]?["generation"] == 1)
    }

    @Test(arguments: [("", "configmaps"), ("", "pods"), ("", "services"), ("rbac.authorization.k8s.io", "roles")])
    func generationIsDroppedForOtherKinds(group: String, plural: String) throws {
        let object = try Self.created(#"{"metadata":{"name":"a","generation":7}}"#, group, plural)
        #expect(object["metadata"]?["generation"] == nil)
    }

    @Test func customResourceGroupsTrackGeneration() {
        func info(_ group: String) -> ResourceInfo {
            ResourceInfo(
                gvk: GroupVersionKind(group: group, version: "v1", kind: "Widget"), plural: "widgets",
                singular: "widget", namespaced: true, verbs: ["get"])
        }
        #expect(ObjectRules.tracksGeneration(info("example.com")))
        #expect(!ObjectRules.tracksGeneration(info("storage.k8s.io")))
        #expect(!ObjectRules.tracksGeneration(info("")))
    }

    @Test(arguments: [("apps", "deployments"), ("", "pods"), ("", "services"), ("batch", "jobs")])
    func statusIsClearedForKindsWithAStatusSubresource(group: String, plural: String) throws {
        let object = try Self.created(#"{"metadata":{"name":"a"},"spec":{},"status":{"replicas":3}}"#, group, plural)
        #expect(object["status"] == nil)
        #expect(object["spec"] == [:])
    }

    @Test func nodesKeepTheirStatusOnCreate() throws {
        let object = try Self.created(
            #"{"metadata":{"name":"n1"},"status":{"capacity":{"cpu":"4"}}}"#, "", "nodes")
        #expect(object["status"]?["capacity"]?["cpu"] == "4")
    }

    @Test func kindsWithoutAStatusSubresourceKeepTheField() throws {
        let object = try Self.created(#"{"metadata":{"name":"a"},"status":"kept"}"#, "", "serviceaccounts")
        #expect(object["status"] == "kept")
    }

    // MARK: update

    static let oldDeployment = #"""
        {"metadata":{"name":"d","namespace":"ns","uid":"u-1","creationTimestamp":"2020-01-01T00:00:00Z","generation":3,"resourceVersion":"40","labels":{"app":"web"}},
         "spec":{"replicas":1},"status":{"observedGeneration":3,"replicas":1}}
        """#

    @Test func serverFieldsAreCarriedOver() throws {
        let object = try Self.updated(
            #"{"metadata":{"name":"d","namespace":"ns","uid":"forged","creationTimestamp":"2024-01-01T00:00:00Z","generation":99,"selfLink":"/x","deletionTimestamp":"2024-01-01T00:00:00Z","deletionGracePeriodSeconds":1,"resourceVersion":"40","labels":{"app":"db"}},"spec":{"replicas":1}}"#,
            old: Self.oldDeployment, "apps", "deployments")
        let metadata = try #require(object["metadata"])
        #expect(metadata["uid"] == "u-1")
        #expect(metadata["creationTimestamp"] == "2020-01-01T00:00:00Z")
        #expect(metadata["generation"] == 3)
        #expect(metadata["selfLink"] == nil)
        #expect(metadata["deletionTimestamp"] == nil)
        #expect(metadata["deletionGracePeriodSeconds"] == nil)
        #expect(metadata["labels"] == ["app": "db"])
        #expect(metadata["resourceVersion"] == "40")
    }

    @Test func mainResourceUpdateIgnoresStatus() throws {
        let object = try Self.updated(
            #"{"metadata":{"name":"d","namespace":"ns"},"spec":{"replicas":1},"status":{"replicas":50}}"#,
            old: Self.oldDeployment, "apps", "deployments")
        #expect(object["status"] == ["observedGeneration": 3, "replicas": 1])
        let dropped = try Self.updated(
            #"{"metadata":{"name":"d","namespace":"ns"},"spec":{"replicas":1}}"#, old: Self.oldDeployment, "apps",
            "deployments")
        #expect(dropped["status"] == ["observedGeneration": 3, "replicas": 1])
    }

    @Test func mainResourceUpdateOfAKindWithoutStatusSubresourceKeepsTheNewObject() throws {
        let object = try Self.updated(
            #"{"metadata":{"name":"c"},"data":{"k":"2"}}"#, old: #"{"metadata":{"name":"c","uid":"u"},"data":{"k":"1"}}"#,
            "", "configmaps")
        let expected = try Fixtures.object(#"{"metadata":{"name":"c","uid":"u"},"data":{"k":"2"}}"#)
        #expect(object == expected)
    }

    @Test func statusUpdateTakesOnlyStatusAndLabels() throws {
        let object = try Self.updated(
            #"{"metadata":{"name":"d","namespace":"ns","resourceVersion":"40","labels":{"app":"db"},"annotations":{"a":"1"},"finalizers":["x"]},"spec":{"replicas":9},"status":{"observedGeneration":3,"replicas":2}}"#,
            old: Self.oldDeployment, "apps", "deployments", subresource: "status")
        #expect(object["spec"] == ["replicas": 1])
        #expect(object["status"] == ["observedGeneration": 3, "replicas": 2])
        #expect(object["metadata"]?["labels"] == ["app": "db"])
        #expect(object["metadata"]?["annotations"] == ["a": "1"])
        #expect(object["metadata"]?["finalizers"] == nil)
        #expect(object["metadata"]?["generation"] == 3)
        #expect(object["metadata"]?["uid"] == "u-1")
        #expect(object["metadata"]?["resourceVersion"] == "40")
    }

    @Test func generationIsBumpedOnSpecChangeOnly() throws {
        let changed = try Self.updated(
            #"{"metadata":{"name":"d","namespace":"ns"},"spec":{"replicas":2}}"#, old: Self.oldDeployment, "apps",
            "deployments")
        #expect(changed["metadata"]?["generation"] == 4)
        let labelsOnly = try Self.updated(
            #"{"metadata":{"name":"d","namespace":"ns","labels":{"x":"y"}},"spec":{"replicas":1}}"#,
            old: Self.oldDeployment, "apps", "deployments")
        #expect(labelsOnly["metadata"]?["generation"] == 3)
        let statusWrite = try Self.updated(
            #"{"metadata":{"name":"d","namespace":"ns"},"spec":{"replicas":5},"status":{"replicas":5}}"#,
            old: Self.oldDeployment, "apps", "deployments", subresource: "status")
        #expect(statusWrite["metadata"]?["generation"] == 3)
    }

    @Test func generationStartsFromZeroWhenTheOldObjectHadNone() throws {
        let object = try Self.updated(
            #"{"metadata":{"name":"j"},"spec":{"parallelism":2}}"#, old: #"{"metadata":{"name":"j"},"spec":{"parallelism":1}}"#,
            "batch", "jobs")
        #expect(object["metadata"]?["generation"] == 1)
    }

    @Test func untrackedKindsNeverGetAGeneration() throws {
        let object = try Self.updated(
            #"{"metadata":{"name":"s"},"spec":{"ports":[{"port":81}]}}"#,
            old: #"{"metadata":{"name":"s"},"spec":{"ports":[{"port":80}]}}"#, "", "services")
        #expect(object["metadata"]?["generation"] == nil)
    }

    /// A write through `/scale` changes `spec.replicas`, and Kubernetes bumps the generation
    /// (the scale subresource updates the parent with the parent's strategy); controllers and
    /// `kubectl rollout status` rely on it to see the change through `observedGeneration`.
    @Test func scaleSubresourceWriteBumpsGeneration() throws {
        let object = try Self.updated(
            #"{"metadata":{"name":"d","namespace":"ns"},"spec":{"replicas":5},"status":{"observedGeneration":3,"replicas":1}}"#,
            old: Self.oldDeployment, "apps", "deployments", subresource: "scale")
        #expect(object["spec"] == ["replicas": 5])
        #expect(object["metadata"]?["generation"] == 4)
    }
}
