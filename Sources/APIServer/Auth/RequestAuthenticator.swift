import APIMachinery

/// Establishes who sent a request, and reviews bearer tokens for TokenReview.
public protocol RequestAuthenticator: Sendable {
    /// The user a request is from.
    func user(for request: APIRequest) -> UserInfo
    /// The outcome of authenticating `token`; nil when no token authenticator is configured
    /// (TokenReview then answers with an empty user, as kube-apiserver does).
    func review(token: String) -> TokenReviewResult?
}

/// The outcome of a TokenReview.
public struct TokenReviewResult: Sendable {
    public var authenticated: Bool
    public var user: UserInfo?

    var json: JSONValue { user?.json ?? .object(JSONObject()) }
}

/// No authentication configured (the apiserver's state until the security issue lands):
/// every request is `system:anonymous`, and there is no token authenticator.
public struct AnonymousAuthenticator: RequestAuthenticator {
    public init() {}
    public func user(for request: APIRequest) -> UserInfo { .anonymous }
    public func review(token: String) -> TokenReviewResult? { nil }
}
