/// Identifies a kind inside an API group version, e.g. `apps/v1, Kind=Deployment`.
///
/// The core (legacy) group is the empty string; its `apiVersion` is just the version (`v1`).
public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    /// API group; `""` for the core group.
    public var group: String
    /// API version within the group, e.g. `v1`, `v2`, `v1beta1`.
    public var version: String
    /// Kind name in UpperCamelCase, e.g. `Deployment`.
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// Builds a GVK from an object's `apiVersion` (`v1` or `group/version`) and `kind`.
    ///
    /// Returns nil when `kind` is empty, or `apiVersion` is empty, has more than one `/`,
    /// or has an empty group or version around its `/`.
    public init?(apiVersion: String, kind: String) {
        guard !kind.isEmpty, let (group, version) = splitAPIVersion(apiVersion) else { return nil }
        self.init(group: group, version: version, kind: kind)
    }

    /// The value of an object's `apiVersion` field: `v1` for the core group, `group/version` otherwise.
    public var apiVersion: String { joinAPIVersion(group, version) }

    /// Same form as Go's `schema.GroupVersionKind.String()` minus the leading `/` for core:
    /// `apps/v1, Kind=Deployment`, `v1, Kind=Pod`.
    public var description: String { "\(apiVersion), Kind=\(kind)" }
}

/// Identifies a resource (the URL path segment) inside an API group version,
/// e.g. `apps/v1, Resource=deployments`.
public struct GroupVersionResource: Sendable, Hashable, CustomStringConvertible {
    /// API group; `""` for the core group.
    public var group: String
    /// API version within the group.
    public var version: String
    /// Lower-case plural resource name, e.g. `deployments`.
    public var resource: String

    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    /// Builds a GVR from an `apiVersion` string (`v1` or `group/version`); nil under the same
    /// rules as `GroupVersionKind.init?(apiVersion:kind:)`, or when `resource` is empty.
    public init?(apiVersion: String, resource: String) {
        guard !resource.isEmpty, let (group, version) = splitAPIVersion(apiVersion) else { return nil }
        self.init(group: group, version: version, resource: resource)
    }

    /// `v1` for the core group, `group/version` otherwise.
    public var apiVersion: String { joinAPIVersion(group, version) }

    /// `apps/v1, Resource=deployments`, `v1, Resource=pods`.
    public var description: String { "\(apiVersion), Resource=\(resource)" }
}

/// A subresource served under a resource, e.g. `pods/status` or `deployments/scale`.
public struct SubresourceInfo: Sendable, Hashable {
    /// Subresource path segment, e.g. `status`, `scale`, `log`.
    public var name: String
    /// Kind the subresource accepts and returns (`autoscaling/v1 Scale` for `scale`,
    /// the parent's kind for `status`); nil for streaming/connect subresources
    /// (`log`, `exec`, `attach`, `portforward`, `proxy`), which have no object body.
    public var kind: GroupVersionKind?
    /// Verbs allowed on the subresource, sorted as discovery reports them.
    public var verbs: [String]

    public init(name: String, kind: GroupVersionKind?, verbs: [String]) {
        self.name = name
        self.kind = kind
        self.verbs = verbs
    }
}

/// Everything discovery reports about one served resource in one group version.
public struct ResourceInfo: Sendable, Hashable {
    /// Kind of the objects stored under this resource.
    public var gvk: GroupVersionKind
    /// Lower-case plural name used in URLs, e.g. `deployments`.
    public var plural: String
    /// Lower-case singular name, e.g. `deployment`.
    public var singular: String
    /// True when objects live inside a namespace; false for cluster-scoped resources.
    public var namespaced: Bool
    /// Verbs allowed on the resource itself, sorted as discovery reports them.
    public var verbs: [String]
    /// Short aliases such as `po` or `deploy`, in discovery order.
    public var shortNames: [String]
    /// Categories such as `all` or `api-extensions`.
    public var categories: [String]
    /// Served subresources, sorted by name.
    public var subresources: [SubresourceInfo]
    /// The group version kind objects are stored as (the served one unless another version
    /// of the same resource is the storage version); nil for virtual resources that are
    /// never stored (reviews, `bindings`, `componentstatuses`).
    public var storageVersion: GroupVersionKind?

    public init(
        gvk: GroupVersionKind,
        plural: String,
        singular: String,
        namespaced: Bool,
        verbs: [String],
        shortNames: [String] = [],
        categories: [String] = [],
        subresources: [SubresourceInfo] = [],
        storageVersion: GroupVersionKind?? = .none
    ) {
        self.gvk = gvk
        self.plural = plural
        self.singular = singular
        self.namespaced = namespaced
        self.verbs = verbs
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
        self.storageVersion = storageVersion ?? gvk
    }

    /// The group, version and plural resource name.
    public var gvr: GroupVersionResource {
        GroupVersionResource(group: gvk.group, version: gvk.version, resource: plural)
    }

    /// The subresource with exactly this name, or nil when it is not served.
    /// (A resource has at most a handful of subresources, so this scans.)
    public func subresource(_ name: String) -> SubresourceInfo? {
        subresources.first { $0.name == name }
    }

    /// True when `verb` is allowed on the resource itself.
    public func supports(_ verb: String) -> Bool {
        verbs.contains(verb)
    }
}

/// Splits `v1` into (`""`, `v1`) and `apps/v1` into (`apps`, `v1`); nil when malformed.
private func splitAPIVersion(_ apiVersion: String) -> (String, String)? {
    let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
    switch parts.count {
    case 1 where !parts[0].isEmpty:
        return ("", String(parts[0]))
    case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
        return (String(parts[0]), String(parts[1]))
    default:
        return nil
    }
}

private func joinAPIVersion(_ group: String, _ version: String) -> String {
    group.isEmpty ? version : "\(group)/\(version)"
}
