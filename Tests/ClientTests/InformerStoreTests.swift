import APIMachinery
import Client
import Testing

/// `ThreadSafeStore`, its indices, `Lister`, keys and the `InformerObject` conformances.
struct InformerStoreTests {
    static let byApp: IndexFunction<InformerTestObject> = { object in
        object.labels["app"].map { [$0] } ?? []
    }

    private func keys(_ objects: [InformerTestObject]) -> [String] {
        objects.map(\.objectKey).sorted()
    }

    @Test func addGetUpdateDeleteListKeys() {
        let store = ThreadSafeStore<InformerTestObject>()
        #expect(store.add(testObject("a")) == nil)
        store.add(testObject("b", namespace: "other"))
        var changed = testObject("a")
        changed.value = 7
        #expect(store.update(changed)?.value == 0)
        #expect(store.get(key: "ns/a")?.value == 7)
        #expect(store.get(testObject("a"))?.value == 7)
        #expect(store.listKeys().sorted() == ["ns/a", "other/b"])
        #expect(keys(store.list()) == ["ns/a", "other/b"])
        #expect(store.count == 2)
        #expect(store.delete(key: "ns/a")?.value == 7)
        #expect(store.delete(testObject("a")) == nil)
        #expect(store.listKeys() == ["other/b"])
    }

    @Test func namespaceIndexIsBuiltIn() throws {
        let store = ThreadSafeStore<InformerTestObject>()
        store.add(testObject("a", namespace: "x"))
        store.add(testObject("b", namespace: "x"))
        store.add(testObject("c", namespace: "y"))
        store.add(testObject("node", namespace: ""))
        #expect(store.indexNames == [IndexNames.namespace])
        #expect(keys(try store.byIndex(IndexNames.namespace, "x")) == ["x/a", "x/b"])
        #expect(keys(try store.byIndex(IndexNames.namespace, "")) == ["node"])
        #expect(try store.indexKeys(IndexNames.namespace, "y") == ["y/c"])
        #expect(try store.indexValues(IndexNames.namespace).sorted() == ["", "x", "y"])
        store.delete(key: "y/c")
        #expect(try store.byIndex(IndexNames.namespace, "y").isEmpty)
        #expect(try store.indexValues(IndexNames.namespace).sorted() == ["", "x"])
    }

    @Test func customIndexFollowsUpdatesAndDeletes() throws {
        let store = ThreadSafeStore<InformerTestObject>(indexers: ["app": Self.byApp])
        store.add(testObject("a", labels: ["app": "web"]))
        store.add(testObject("b", labels: ["app": "web"]))
        store.add(testObject("c", labels: ["app": "db"]))
        store.add(testObject("d"))
        #expect(keys(try store.byIndex("app", "web")) == ["ns/a", "ns/b"])
        #expect(keys(try store.index("app", matching: testObject("z", labels: ["app": "db"]))) == ["ns/c"])

        store.update(testObject("a", labels: ["app": "db"]))
        #expect(keys(try store.byIndex("app", "web")) == ["ns/b"])
        #expect(keys(try store.byIndex("app", "db")) == ["ns/a", "ns/c"])

        store.delete(key: "ns/b")
        #expect(try store.byIndex("app", "web").isEmpty)
        #expect(try store.indexValues("app") == ["db"])
    }

    @Test func unknownIndexThrows() {
        let store = ThreadSafeStore<InformerTestObject>()
        #expect(throws: StoreIndexError.indexNotFound("app")) { try store.byIndex("app", "web") }
        #expect(throws: StoreIndexError.indexNotFound("app")) { try store.indexKeys("app", "web") }
    }

    @Test func addIndexersIndexesExistingObjects() throws {
        let store = ThreadSafeStore<InformerTestObject>()
        store.add(testObject("a", labels: ["app": "web"]))
        try store.addIndexers(["app": Self.byApp])
        #expect(keys(try store.byIndex("app", "web")) == ["ns/a"])
        #expect(throws: StoreIndexError.indexExists("app")) { try store.addIndexers(["app": Self.byApp]) }
        #expect(throws: StoreIndexError.indexExists(IndexNames.namespace)) {
            try store.addIndexers([IndexNames.namespace: Self.byApp])
        }
    }

    @Test func replaceReportsChangesAndRebuildsIndices() throws {
        let store = ThreadSafeStore<InformerTestObject>(indexers: ["app": Self.byApp])
        store.add(testObject("a", labels: ["app": "web"]))
        store.add(testObject("b", labels: ["app": "web"]))
        store.add(testObject("c"))
        var newA = testObject("a", labels: ["app": "db"])
        newA.value = 1
        let changes = store.replace(with: [newA, testObject("d", labels: ["app": "web"])])
        let described = changes.map { change -> String in
            switch change {
            case .added(let object): "added \(object.objectKey)"
            case .updated(let old, let new): "updated \(old.objectKey) \(old.value)->\(new.value)"
            case .deleted(let key, let lastKnown): "deleted \(key) \(lastKnown.objectKey)"
            }
        }
        #expect(described == ["updated ns/a 0->1", "added ns/d", "deleted ns/b ns/b", "deleted ns/c ns/c"])
        #expect(keys(store.list()) == ["ns/a", "ns/d"])
        #expect(keys(try store.byIndex("app", "web")) == ["ns/d"])
        #expect(keys(try store.byIndex("app", "db")) == ["ns/a"])
        #expect(keys(try store.byIndex(IndexNames.namespace, "ns")) == ["ns/a", "ns/d"])
    }

    @Test func listerQueries() throws {
        let store = ThreadSafeStore<InformerTestObject>()
        store.add(testObject("a", namespace: "x", labels: ["app": "web", "tier": "front"]))
        store.add(testObject("b", namespace: "x", labels: ["app": "db"]))
        store.add(testObject("c", namespace: "y", labels: ["app": "web"]))
        let lister = Lister(store: store)
        #expect(lister.get("x/a")?.name == "a")
        #expect(lister.get(namespace: "y", name: "c")?.name == "c")
        #expect(lister.get(namespace: "y", name: "a") == nil)
        #expect(keys(lister.list()) == ["x/a", "x/b", "y/c"])
        #expect(keys(lister.list(namespace: "x")) == ["x/a", "x/b"])
        #expect(keys(lister.list(namespace: "")) == ["x/a", "x/b", "y/c"])
        let web = try LabelSelectorQuery(parsing: "app=web")
        #expect(keys(lister.list(selector: web)) == ["x/a", "y/c"])
        #expect(keys(lister.list(namespace: "x", selector: web)) == ["x/a"])
        #expect(keys(lister.list(selector: try LabelSelectorQuery(parsing: "app in (web,db),!tier"))) == ["x/b", "y/c"])
        #expect(keys(lister.list(selector: .everything)) == ["x/a", "x/b", "y/c"])
    }

    @Test func metaNamespaceKeys() {
        #expect(MetaNamespaceKey.key(namespace: "ns", name: "a") == "ns/a")
        #expect(MetaNamespaceKey.key(namespace: "", name: "node-1") == "node-1")
        #expect(MetaNamespaceKey.split("ns/a")! == ("ns", "a"))
        #expect(MetaNamespaceKey.split("node-1")! == ("", "node-1"))
        #expect(MetaNamespaceKey.split("a/b/c") == nil)
        #expect(MetaNamespaceKey.split("/a") == nil)
    }

    @Test func kubernetesObjectsConform() {
        var pod = CoreV1.Pod()
        pod.metadata = MetaV1.ObjectMeta(labels: ["app": "web"], name: "p", namespace: "ns", resourceVersion: "42")
        #expect(pod.objectKey == "ns/p")
        #expect(pod.objectResourceVersion == "42")
        #expect(pod.objectLabels == ["app": "web"])

        var node = CoreV1.Node()
        node.metadata = MetaV1.ObjectMeta(name: "node-1")
        #expect(node.objectKey == "node-1")
        #expect(node.objectResourceVersion == "")
        #expect(node.objectLabels == [:])
        #expect(CoreV1.Node().objectKey == "")
    }

    @Test func jsonObjectsConform() {
        let widget: JSONValue = [
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": ["name": "w", "namespace": "ns", "resourceVersion": "9", "labels": ["app": "web", "n": 1]],
        ]
        #expect(widget.objectKey == "ns/w")
        #expect(widget.objectResourceVersion == "9")
        #expect(widget.objectLabels == ["app": "web"])
        let clusterScoped: JSONValue = ["metadata": ["name": "c"]]
        #expect(clusterScoped.objectKey == "c")
        #expect(JSONValue.null.objectKey == "")
    }
}
