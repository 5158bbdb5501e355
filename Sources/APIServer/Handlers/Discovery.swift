import APIMachinery
import Crypto
import Foundation

/// Discovery documents built from the resource registry: legacy (`/api`, `/apis`, group and
/// group-version documents) and aggregated (`apidiscovery.k8s.io/v2` APIGroupDiscoveryList).
public struct Discovery: Sendable {
    public let registry: ResourceRegistry
    /// Group versions in discovery order, each with its resources in registry order.
    private let groups: [(group: String, versions: [(version: String, resources: [ResourceInfo])])]
    /// `storageVersionHash` of each storage version, computed once.
    private let storageHashes: [GroupVersionKind: String]

    public static let aggregatedType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    public init(registry: ResourceRegistry) {
        self.registry = registry
        var groups: [(String, [(String, [ResourceInfo])])] = []
        for gv in registry.groupVersions {
            let parts = gv.split(separator: "/").map(String.init)
            let (group, version) = parts.count == 1 ? ("", parts[0]) : (parts[0], parts[1])
            let resources = registry.all.filter { $0.gvk.group == group && $0.gvk.version == version }
            if let index = groups.firstIndex(where: { $0.0 == group }) {
                groups[index].1.append((version, resources))
            } else {
                groups.append((group, [(version, resources)]))
            }
        }
        self.groups = groups.map { (group: $0.0, versions: $0.1.map { (version: $0.0, resources: $0.1) }) }
        var hashes: [GroupVersionKind: String] = [:]
        for info in registry.all { if let storage = info.storageVersion { hashes[storage] = Self.storageVersionHash(storage) } }
        self.storageHashes = hashes
    }

    /// `/api`: the core versions.
    public func apiVersions() -> JSONValue {
        [
            "kind": "APIVersions",
            "versions": .array(groups.first { $0.group.isEmpty }?.versions.map { .string($0.version) } ?? []),
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": ""]],
        ]
    }

    /// `/apis`: every named group.
    public func groupList() -> JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.filter { !$0.group.isEmpty }.map(groupJSON))]
    }

    /// `/apis/<group>`, nil for an unknown group.
    public func group(_ name: String) -> JSONValue? {
        guard !name.isEmpty, let entry = groups.first(where: { $0.group == name }) else { return nil }
        var value = groupJSON(entry)
        if case .object(var object) = value {
            object["kind"] = "APIGroup"
            object["apiVersion"] = "v1"
            value = .object(object)
        }
        return value
    }

    private func groupJSON(_ entry: (group: String, versions: [(version: String, resources: [ResourceInfo])])) -> JSONValue {
        let versions: [JSONValue] = entry.versions.map {
            ["groupVersion": .string("\(entry.group)/\($0.version)"), "version": .string($0.version)]
        }
        return ["name": .string(entry.group), "versions": .array(versions), "preferredVersion": versions[0]]
    }

    /// `/api/v1` or `/apis/<group>/<version>`, nil when not served.
    public func resourceList(group: String, version: String) -> JSONValue? {
        guard let entry = groups.first(where: { $0.group == group }),
            let resources = entry.versions.first(where: { $0.version == version })?.resources
        else { return nil }
        var list: [JSONValue] = []
        for info in resources {
            var object: JSONObject = [
                "name": .string(info.plural), "singularName": .string(info.singular),
                "namespaced": .bool(info.namespaced), "kind": .string(info.gvk.kind),
                "verbs": .array(info.verbs.map { .string($0) }),
            ]
            if !info.shortNames.isEmpty { object["shortNames"] = .array(info.shortNames.map { .string($0) }) }
            if !info.categories.isEmpty { object["categories"] = .array(info.categories.map { .string($0) }) }
            if let storage = info.storageVersion, let hash = storageHashes[storage] { object["storageVersionHash"] = .string(hash) }
            list.append(.object(object))
            for sub in info.subresources {
                var subObject: JSONObject = [
                    "name": .string("\(info.plural)/\(sub.name)"), "singularName": "",
                    "namespaced": .bool(info.namespaced), "kind": .string(sub.kind?.kind ?? info.gvk.kind),
                    "verbs": .array(sub.verbs.map { .string($0) }),
                ]
                if let kind = sub.kind, kind.group != info.gvk.group || kind.version != info.gvk.version {
                    subObject["group"] = .string(kind.group)
                    subObject["version"] = .string(kind.version)
                }
                list.append(.object(subObject))
            }
        }
        let groupVersion = group.isEmpty ? version : "\(group)/\(version)"
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(list)]
    }

    /// The aggregated document for `/api` (core = true) or `/apis`.
    public func aggregated(core: Bool) -> JSONValue {
        let items: [JSONValue] = groups.filter { $0.group.isEmpty == core }.map { entry in
            let versions: [JSONValue] = entry.versions.map { version in
                let resources: [JSONValue] = version.resources.map { info in
                    var object: JSONObject = [
                        "resource": .string(info.plural),
                        "responseKind": kindJSON(info.gvk),
                        "scope": info.namespaced ? "Namespaced" : "Cluster",
                        "singularResource": .string(info.singular),
                        "verbs": .array(info.verbs.map { .string($0) }),
                    ]
                    if !info.shortNames.isEmpty { object["shortNames"] = .array(info.shortNames.map { .string($0) }) }
                    if !info.categories.isEmpty { object["categories"] = .array(info.categories.map { .string($0) }) }
                    if !info.subresources.isEmpty {
                        object["subresources"] = .array(info.subresources.map { sub in
                            var subObject: JSONObject = [
                                "subresource": .string(sub.name), "verbs": .array(sub.verbs.map { .string($0) }),
                            ]
                            if let kind = sub.kind { subObject["responseKind"] = kindJSON(kind) }
                            return .object(subObject)
                        })
                    }
                    return .object(object)
                }
                return ["version": .string(version.version), "resources": .array(resources), "freshness": "Current"]
            }
            return ["metadata": ["name": .string(entry.group), "creationTimestamp": nil], "versions": .array(versions)]
        }
        return [
            "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:],
            "items": .array(items),
        ]
    }

    /// What kube-apiserver reports as a resource's `storageVersionHash`: the first 8 bytes of
    /// the SHA-256 of `<group>/<version>/<kind>` of its storage version, in standard base64.
    /// Clients compare it across discovery reads to notice that stored objects need migrating.
    static func storageVersionHash(_ gvk: GroupVersionKind) -> String {
        let digest = SHA256.hash(data: Array("\(gvk.group)/\(gvk.version)/\(gvk.kind)".utf8))
        return Data(digest.prefix(8)).base64EncodedString()
    }

    private func kindJSON(_ gvk: GroupVersionKind) -> JSONValue {
        ["group": .string(gvk.group), "version": .string(gvk.version), "kind": .string(gvk.kind)]
    }
}
