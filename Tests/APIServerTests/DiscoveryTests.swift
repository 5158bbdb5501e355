import APIMachinery
import APIServer
import Testing

/// Discovery documents of the built-in registry, legacy and aggregated.
struct DiscoveryTests {
    let discovery = Discovery(registry: .builtin)

    static func array(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    /// The entry of `list` whose `key` is `value`.
    static func entry(_ list: JSONValue?, _ key: String, _ value: String) -> JSONValue? {
        array(list).first { $0[key]?.stringValue == value }
    }

    // MARK: legacy

    @Test func coreVersions() {
        let versions = discovery.apiVersions()
        #expect(versions["kind"] == "APIVersions")
        #expect(versions["versions"] == ["v1"])
        #expect(versions["serverAddressByClientCIDRs"]?[0]?["clientCIDR"] == "0.0.0.0/0")
    }

    @Test func groupListHasNamedGroupsWithTheirPreferredVersion() {
        let list = discovery.groupList()
        #expect(list["kind"] == "APIGroupList")
        #expect(list["apiVersion"] == "v1")
        let groups = Self.array(list["groups"])
        #expect(groups.first?["name"] == "apps")
        #expect(!groups.contains { $0["name"] == "" })
        let apps = Self.entry(list["groups"], "name", "apps")
        #expect(
            apps == [
                "name": "apps", "versions": [["groupVersion": "apps/v1", "version": "v1"]],
                "preferredVersion": ["groupVersion": "apps/v1", "version": "v1"],
            ])
        let autoscaling = Self.entry(list["groups"], "name", "autoscaling")
        #expect(Self.array(autoscaling?["versions"]).map { $0["version"] } == ["v2", "v1"])
        #expect(autoscaling?["preferredVersion"]?["groupVersion"] == "autoscaling/v2")
    }

    @Test func singleGroup() throws {
        let apps = try #require(discovery.group("apps"))
        #expect(apps["kind"] == "APIGroup")
        #expect(apps["apiVersion"] == "v1")
        #expect(apps["name"] == "apps")
        #expect(apps["preferredVersion"]?["version"] == "v1")
        #expect(discovery.group("") == nil)
        #expect(discovery.group("example.com") == nil)
    }

    @Test func appsResourcesIncludeTheScaleSubresourceOfAutoscaling() throws {
        let list = try #require(discovery.resourceList(group: "apps", version: "v1"))
        #expect(list["kind"] == "APIResourceList")
        #expect(list["groupVersion"] == "apps/v1")
        let deployments = try #require(Self.entry(list["resources"], "name", "deployments"))
        #expect(deployments["kind"] == "Deployment")
        #expect(deployments["singularName"] == "deployment")
        #expect(deployments["namespaced"] == true)
        #expect(deployments["shortNames"] == ["deploy"])
        #expect(deployments["categories"] == ["all"])
        #expect(
            deployments["verbs"] == ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])
        let scale = try #require(Self.entry(list["resources"], "name", "deployments/scale"))
        #expect(
            scale == [
                "name": "deployments/scale", "singularName": "", "namespaced": true, "kind": "Scale",
                "group": "autoscaling", "version": "v1", "verbs": ["get", "patch", "update"],
            ])
        let status = try #require(Self.entry(list["resources"], "name", "deployments/status"))
        #expect(status["kind"] == "Deployment")
        #expect(status["group"] == nil)
        // A subresource follows its resource.
        let names = Self.array(list["resources"]).compactMap { $0["name"]?.stringValue }
        let index = try #require(names.firstIndex(of: "deployments"))
        #expect(names[index + 1].hasPrefix("deployments/"))
    }

    @Test func coreResourceList() throws {
        let list = try #require(discovery.resourceList(group: "", version: "v1"))
        #expect(list["groupVersion"] == "v1")
        let namespaces = try #require(Self.entry(list["resources"], "name", "namespaces"))
        #expect(namespaces["namespaced"] == false)
        #expect(namespaces["shortNames"] == ["ns"])
        #expect(Self.entry(list["resources"], "name", "namespaces/finalize")?["verbs"] == ["update"])
        #expect(Self.entry(list["resources"], "name", "pods/eviction")?["group"] == "policy")
        #expect(Self.entry(list["resources"], "name", "configmaps")?["categories"] == nil)
    }

    @Test func unservedVersionsHaveNoResourceList() {
        #expect(discovery.resourceList(group: "apps", version: "v1beta1") == nil)
        #expect(discovery.resourceList(group: "example.com", version: "v1") == nil)
        #expect(discovery.resourceList(group: "", version: "v2") == nil)
    }

    // MARK: aggregated

    @Test func aggregatedCoreDocument() throws {
        let document = discovery.aggregated(core: true)
        #expect(document["kind"] == "APIGroupDiscoveryList")
        #expect(document["apiVersion"] == "apidiscovery.k8s.io/v2")
        let items = Self.array(document["items"])
        #expect(items.count == 1)
        #expect(items.first?["metadata"] == ["name": "", "creationTimestamp": nil])
        let versions = Self.array(items.first?["versions"])
        let version = try #require(versions.first)
        #expect(version["version"] == "v1")
        #expect(version["freshness"] == "Current")
        let pods = try #require(Self.entry(version["resources"], "resource", "pods"))
        #expect(pods["scope"] == "Namespaced")
        #expect(pods["singularResource"] == "pod")
        #expect(pods["responseKind"] == ["group": "", "version": "v1", "kind": "Pod"])
        #expect(pods["shortNames"] == ["po"])
        let status = try #require(Self.entry(pods["subresources"], "subresource", "status"))
        #expect(status == ["subresource": "status", "verbs": ["get", "patch", "update"], "responseKind": ["group": "", "version": "v1", "kind": "Pod"]])
        let nodes = try #require(Self.entry(version["resources"], "resource", "nodes"))
        #expect(nodes["scope"] == "Cluster")
        // No subresources: no member.
        #expect(Self.entry(version["resources"], "resource", "configmaps")?["subresources"] == nil)
    }

    @Test func aggregatedGroupsDocument() throws {
        let items = Self.array(discovery.aggregated(core: false)["items"])
        #expect(!items.contains { $0["metadata"]?["name"] == "" })
        #expect(items.first?["metadata"]?["name"] == "apps")
        let autoscaling = try #require(items.first { $0["metadata"]?["name"] == "autoscaling" })
        #expect(Self.array(autoscaling["versions"]).map { $0["version"] } == ["v2", "v1"])
        let apps = try #require(items.first)
        let appsV1 = try #require(Self.array(apps["versions"]).first)
        let deployments = try #require(Self.entry(appsV1["resources"], "resource", "deployments"))
        #expect(deployments["responseKind"] == ["group": "apps", "version": "v1", "kind": "Deployment"])
        #expect(deployments["categories"] == ["all"])
        let scale = try #require(Self.entry(deployments["subresources"], "subresource", "scale"))
        #expect(scale["responseKind"] == ["group": "autoscaling", "version": "v1", "kind": "Scale"])
        #expect(scale["verbs"] == ["get", "patch", "update"])
    }

    @Test func everyServedGroupVersionAppearsOnce() {
        let core = Self.array(discovery.aggregated(core: true)["items"])
        let named = Self.array(discovery.aggregated(core: false)["items"])
        var served: [String] = []
        for item in core + named {
            let group = item["metadata"]?["name"]?.stringValue ?? ""
            for version in Self.array(item["versions"]) {
                let name = version["version"]?.stringValue ?? ""
                served.append(group.isEmpty ? name : "\(group)/\(name)")
            }
        }
        #expect(served == ResourceRegistry.builtin.groupVersions)
    }
}
