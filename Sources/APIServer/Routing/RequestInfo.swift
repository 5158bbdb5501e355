/// What a request path and method address, as kube-apiserver's request-info resolver reads them.
///
/// Resource paths: `/api/v1/…` (core) and `/apis/<group>/<version>/…`, then
/// `[watch/]{<resource>[/<name>[/<subresource>]] | namespaces/<ns>/<resource>[/<name>[/<subresource>]]}`.
/// `namespaces/<name>` alone is the namespace object itself. A `proxy` subresource may be
/// followed by a path, kept as `subpath`.
public struct RequestInfo: Sendable, Hashable {
    public var verb: String
    public var group: String
    public var version: String
    public var namespace: String?
    public var resource: String
    public var name: String?
    public var subresource: String?
    /// What follows a `proxy` subresource: `nodes/<name>/proxy/<subpath>` (no leading slash).
    public var subpath: String?

    public init(
        verb: String, group: String, version: String, namespace: String? = nil, resource: String,
        name: String? = nil, subresource: String? = nil
    ) {
        self.verb = verb
        self.group = group
        self.version = version
        self.namespace = namespace
        self.resource = resource
        self.name = name
        self.subresource = subresource
    }

    /// Parses a resource request; nil for discovery and other non-resource paths
    /// (`/api`, `/api/v1`, `/apis/apps`, `/healthz`, …) and for paths too deep to be a resource.
    public init?(method: String, path: String, watchParameter: Bool) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var rest: ArraySlice<String>
        switch segments.first {
        case "api":
            guard segments.count >= 3 else { return nil }
            group = ""
            version = segments[1]
            rest = segments[2...]
        case "apis":
            guard segments.count >= 4 else { return nil }
            group = segments[1]
            version = segments[2]
            rest = segments[3...]
        default:
            return nil
        }
        var watchPath = false
        if rest.first == "watch" {
            watchPath = true
            rest = rest.dropFirst()
            guard !rest.isEmpty else { return nil }
        }
        var parts = Array(rest)
        // `…/<resource>/<name>/proxy/<path…>`: the rest is the proxied path.
        let proxyIndex = parts[0] == "namespaces" ? 4 : 2
        if parts.count > proxyIndex + 1, parts[proxyIndex] == "proxy" {
            subpath = parts[(proxyIndex + 1)...].joined(separator: "/")
            parts = Array(parts[...proxyIndex])
        }
        if parts[0] == "namespaces" && parts.count == 3 && (parts[2] == "status" || parts[2] == "finalize") {
            namespace = nil
            resource = "namespaces"
            name = parts[1]
            subresource = parts[2]
        } else if parts[0] == "namespaces" && parts.count >= 3 {
            namespace = parts[1]
            resource = parts[2]
            name = parts.count > 3 ? parts[3] : nil
            subresource = parts.count > 4 ? parts[4] : nil
            guard parts.count <= 5 else { return nil }
        } else {
            namespace = nil
            resource = parts[0]
            name = parts.count > 1 ? parts[1] : nil
            subresource = parts.count > 2 ? parts[2] : nil
            guard parts.count <= 3 else { return nil }
        }
        switch method {
        case "GET", "HEAD":
            if watchPath || watchParameter { verb = "watch" } else { verb = name == nil ? "list" : "get" }
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = name == nil ? "deletecollection" : "delete"
        default: verb = method.lowercased()
        }
    }
}
