/// An immutable table of served resources with the lookups a REST mapper needs:
/// by GVK, by GVR, by user-typed name (as kubectl accepts it) and by category.
///
/// Every index is a dictionary built once in `init`; lookups never scan `all`.
///
/// Priority: groups are ordered as kube-apiserver's discovery lists them (core first, then
/// `apiregistration.k8s.io`, `apps`, `events.k8s.io`, …; groups it does not know come after,
/// by name), and versions within a group by Kubernetes version priority
/// (GA > beta > alpha, higher numbers first: `v2` > `v1` > `v1beta1` > `v1alpha1`).
/// The first version of a group in that order is its preferred version.
public struct ResourceRegistry: Sendable {
    /// The built-in resources a default Kubernetes 1.32 kube-apiserver serves in the GA groups
    /// Skiff implements (see `builtinResources`).
    public static let builtin = ResourceRegistry(builtinResources)

    /// Every resource, in the order given to `init` (later duplicates of a GVR dropped).
    public let all: [ResourceInfo]

    /// Every served group version as an `apiVersion` string (`v1`, `apps/v1`, …), groups in
    /// discovery order and, within a group, preferred version first.
    public let groupVersions: [String]

    private let byGVK: [GroupVersionKind: Int]
    private let byGVR: [GroupVersionResource: Int]
    /// Lower-cased plural, singular, kind and short names → indices into `all`, by priority.
    private let byName: [String: [Int]]
    /// Category → indices into `all`, one per group/resource (its highest-priority version).
    private let byCategory: [String: [Int]]
    private let preferred: [String: String]

    /// Indexes `resources`. When two entries share a GVR the first one wins and the other is
    /// dropped; when two share a GVK, `info(for:)` returns the higher-priority one.
    public init(_ resources: [ResourceInfo]) {
        var seenGVR = Set<GroupVersionResource>()
        let kept = resources.filter { seenGVR.insert($0.gvr).inserted }
        all = kept

        // Group and version priorities.
        var versionsByGroup: [String: Set<String>] = [:]
        for info in kept { versionsByGroup[info.gvk.group, default: []].insert(info.gvk.version) }
        let groups = versionsByGroup.keys.sorted(by: Self.groupPrecedes)
        var groupRank: [String: Int] = [:]
        var versionRank: [String: [String: Int]] = [:]
        var gvs: [String] = []
        var preferred: [String: String] = [:]
        for (gi, group) in groups.enumerated() {
            groupRank[group] = gi
            let versions = versionsByGroup[group, default: []].sorted(by: Self.versionPrecedes)
            preferred[group] = versions.first
            for (vi, version) in versions.enumerated() {
                versionRank[group, default: [:]][version] = vi
                gvs.append(group.isEmpty ? version : "\(group)/\(version)")
            }
        }
        groupVersions = gvs
        self.preferred = preferred

        // Indices into `kept`, highest priority first; ties keep input order.
        let order = kept.indices.sorted { a, b in
            let ga = kept[a].gvk, gb = kept[b].gvk
            let ka = (groupRank[ga.group]!, versionRank[ga.group]![ga.version]!, a)
            let kb = (groupRank[gb.group]!, versionRank[gb.group]![gb.version]!, b)
            return ka < kb
        }

        var byGVK: [GroupVersionKind: Int] = [:]
        var byGVR: [GroupVersionResource: Int] = [:]
        var byName: [String: [Int]] = [:]
        var byCategory: [String: [Int]] = [:]
        var categoryMembers = Set<String>()  // "category|group|plural"
        for i in order {
            let info = kept[i]
            if byGVK[info.gvk] == nil { byGVK[info.gvk] = i }
            byGVR[info.gvr] = i
            var names: Set<String> = [
                info.plural.lowercased(), info.singular.lowercased(), info.gvk.kind.lowercased(),
            ]
            for short in info.shortNames { names.insert(short.lowercased()) }
            names.remove("")
            for name in names { byName[name, default: []].append(i) }
            for category in info.categories
            where categoryMembers.insert("\(category)|\(info.gvk.group)|\(info.plural)").inserted {
                byCategory[category, default: []].append(i)
            }
        }
        self.byGVK = byGVK
        self.byGVR = byGVR
        self.byName = byName
        self.byCategory = byCategory
    }

    /// The resource serving objects of this exact group, version and kind, or nil.
    public func info(for gvk: GroupVersionKind) -> ResourceInfo? {
        byGVK[gvk].map { all[$0] }
    }

    /// The resource at this exact group, version and plural name, or nil.
    public func info(for gvr: GroupVersionResource) -> ResourceInfo? {
        byGVR[gvr].map { all[$0] }
    }

    /// Resolves a name the way kubectl's REST mapper does.
    ///
    /// `name` may be a plural, singular, short name or kind (any case), optionally qualified as
    /// `name.group` or `name.version.group` (`deployments.apps`, `hpa.v1.autoscaling`).
    /// A three-or-more-part name is first tried as `name.version.group`, then as `name.group`.
    /// Matches come highest priority first: core before other groups (`ev` → core `v1`
    /// events, then `events.k8s.io`), preferred version first (`hpa` → `autoscaling/v2`).
    /// Returns `[]` when nothing matches or the name has an empty dot-separated part.
    public func resolve(_ name: String) -> [ResourceInfo] {
        let parts = name.lowercased().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.contains(where: \.isEmpty), let candidates = byName[parts[0]] else { return [] }
        if parts.count == 1 { return candidates.map { all[$0] } }

        if parts.count >= 3 {
            let version = parts[1], group = parts[2...].joined(separator: ".")
            let matches = candidates.filter { all[$0].gvk.version == version && all[$0].gvk.group == group }
            if !matches.isEmpty { return matches.map { all[$0] } }
        }
        let group = parts[1...].joined(separator: ".")
        return candidates.filter { all[$0].gvk.group == group }.map { all[$0] }
    }

    /// Members of a category (e.g. `all`, `api-extensions`), one entry per group/resource in
    /// its highest-priority version, in priority order. `[]` for an unknown category.
    public func resources(inCategory category: String) -> [ResourceInfo] {
        (byCategory[category.lowercased()] ?? []).map { all[$0] }
    }

    /// The preferred (highest-priority) version of a group (`""` is core), or nil when no
    /// resource of that group is registered.
    public func preferredVersion(ofGroup group: String) -> String? {
        preferred[group]
    }
}

// MARK: - Priority

extension ResourceRegistry {
    /// Built-in groups in the order kube-apiserver's discovery lists them (core first).
    static let discoveryGroupOrder: [String] = [
        "", "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io",
        "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
        "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
        "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io",
        "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io",
        "flowcontrol.apiserver.k8s.io", "internal.apiserver.k8s.io", "resource.k8s.io",
        "storagemigration.k8s.io",
        // Served by metrics-server through the aggregator upstream; listed after the built-ins.
        "metrics.k8s.io",
    ]

    private static let groupRanks: [String: Int] = Dictionary(
        uniqueKeysWithValues: discoveryGroupOrder.enumerated().map { ($1, $0) })

    /// Built-in groups in discovery order, then other groups by name.
    static func groupPrecedes(_ a: String, _ b: String) -> Bool {
        switch (groupRanks[a], groupRanks[b]) {
        case let (ra?, rb?): return ra < rb
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a < b
        }
    }

    /// Kubernetes version priority: `v<major>` (GA) before `v<major>beta<minor>` before
    /// `v<major>alpha<minor>`, higher major then higher minor first; versions not of that
    /// form come last, by name.
    static func versionPrecedes(_ a: String, _ b: String) -> Bool {
        switch (KubeVersion(a), KubeVersion(b)) {
        case let (va?, vb?):
            if va.stage != vb.stage { return va.stage > vb.stage }
            if va.major != vb.major { return va.major > vb.major }
            if va.minor != vb.minor { return va.minor > vb.minor }
            return a < b
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a < b
        }
    }
}

/// A parsed Kubernetes-style version string (`v1`, `v2beta1`, `v1alpha3`).
private struct KubeVersion {
    /// 2 = GA, 1 = beta, 0 = alpha.
    var stage: Int
    var major: Int
    var minor: Int

    init?(_ text: String) {
        guard text.first == "v" else { return nil }
        let rest = text.dropFirst()
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard let major = Int(digits), major > 0, digits.first != "0" else { return nil }
        let tail = rest.dropFirst(digits.count)
        if tail.isEmpty {
            (stage, self.major, minor) = (2, major, 0)
            return
        }
        let stage: Int
        let suffix: Substring
        if tail.hasPrefix("beta") {
            (stage, suffix) = (1, tail.dropFirst(4))
        } else if tail.hasPrefix("alpha") {
            (stage, suffix) = (0, tail.dropFirst(5))
        } else {
            return nil
        }
        guard suffix.allSatisfy({ $0.isASCII && $0.isNumber }), suffix.first != "0",
              let minor = Int(suffix), minor > 0 else { return nil }
        (self.stage, self.major, self.minor) = (stage, major, minor)
    }
}
