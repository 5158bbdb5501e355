import APIMachinery

/// What an authorizer is asked about: a verb on a resource, or on a non-resource path.
public enum AuthorizationAttributes: Sendable, Hashable {
    case resource(verb: String, namespace: String, group: String, resource: String, subresource: String, name: String)
    case nonResource(verb: String, path: String)
}

/// An authorizer's answer (kube-apiserver's Decision and reason).
public struct AuthorizationDecision: Sendable, Hashable {
    public enum Outcome: Sendable { case allow, deny, noOpinion }
    public var outcome: Outcome
    public var reason: String

    public init(_ outcome: Outcome, reason: String = "") {
        self.outcome = outcome
        self.reason = reason
    }
}

/// The rules a user has in a namespace (SelfSubjectRulesReview), as rbac/v1 rule JSON.
public struct AuthorizationRules: Sendable {
    public var resourceRules: [JSONValue]
    public var nonResourceRules: [JSONValue]
    public var incomplete: Bool

    public init(resourceRules: [JSONValue], nonResourceRules: [JSONValue], incomplete: Bool) {
        self.resourceRules = resourceRules
        self.nonResourceRules = nonResourceRules
        self.incomplete = incomplete
    }
}

/// Decides whether a user may do something, and lists what a user may do.
public protocol RequestAuthorizer: Sendable {
    func authorize(_ user: UserInfo, _ attributes: AuthorizationAttributes) -> AuthorizationDecision
    func rules(for user: UserInfo, namespace: String) -> AuthorizationRules
}

/// kube-apiserver's `--authorization-mode=AlwaysAllow`: every request is allowed, with no
/// reason, and every user may do anything (`*` on `*`).
public struct AlwaysAllowAuthorizer: RequestAuthorizer {
    public init() {}

    public func authorize(_ user: UserInfo, _ attributes: AuthorizationAttributes) -> AuthorizationDecision {
        AuthorizationDecision(.allow)
    }

    public func rules(for user: UserInfo, namespace: String) -> AuthorizationRules {
        AuthorizationRules(
            resourceRules: [["verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]]],
            nonResourceRules: [["verbs": ["*"], "nonResourceURLs": ["*"]]],
            incomplete: false)
    }
}
