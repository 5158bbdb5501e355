import APIMachinery
import Foundation

/// The create-only review kinds (authorization.k8s.io SubjectAccessReview,
/// LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview;
/// authentication.k8s.io TokenReview, SelfSubjectReview): evaluated and answered 201 as
/// kube-apiserver answers them, never stored, never named.
///
/// The decision comes from the apiserver's `RequestAuthorizer` and the requester from its
/// `RequestAuthenticator`: today everything is allowed (kube-apiserver's AlwaysAllow) and every
/// request is `system:anonymous`, with no token authenticator; the security issue replaces
/// both.
extension ResourceContext {
    func review() async throws -> APIResponse {
        if resource.namespaced && namespace == nil {
            throw StatusError(.failure(.methodNotAllowed, message: "the server does not allow this method on the requested resource"))
        }
        var object = try bodyObject()
        let warnings = try checkBody(&object)
        // As upstream's create handler: system fields a client sent are wiped first.
        var metadata = object.objectMember("metadata")
        for key in ["creationTimestamp", "uid", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"] {
            metadata[key] = nil
        }
        object["metadata"] = .object(metadata)

        let user = handler.authenticator.user(for: request)
        var answer: JSONObject
        switch resource.gvk.kind {
        case "SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview":
            answer = try accessReview(object, user: user)
        case "SelfSubjectRulesReview":
            answer = try rulesReview(object, user: user)
        case "TokenReview":
            answer = try tokenReview(object)
        case "SelfSubjectReview":
            answer = [
                "kind": .string(resource.gvk.kind), "apiVersion": .string(resource.gvk.apiVersion),
                "metadata": ["creationTimestamp": .string(Time(secondsSinceEpoch: Int64(handler.now().timeIntervalSince1970)).description)],
                "status": ["userInfo": user.json],
            ]
        default:
            throw StatusError(.failure(.methodNotAllowed, message: "the server does not allow this method on the requested resource"))
        }
        if answer.objectMember("metadata")["creationTimestamp"] == nil {
            var metadata = answer.objectMember("metadata")
            metadata["creationTimestamp"] = .null
            answer["metadata"] = .object(metadata)
        }
        let json = JSONCodec.encode(APISchema.kubernetes.canonical(.object(answer), gvk: resource.gvk))
        return withWarnings(objectResponse(201, json), warnings)
    }

    // MARK: - Access reviews

    private func accessReview(_ object: JSONObject, user requester: UserInfo) throws -> JSONObject {
        let kind = resource.gvk.kind
        let spec = object.objectMember("spec")
        let specPath: FieldError.Path = "spec"
        let resourceAttributes = spec["resourceAttributes"]?.objectValue
        let nonResourceAttributes = spec["nonResourceAttributes"]?.objectValue
        var errors: [FieldError] = []
        if resourceAttributes != nil, let nonResource = nonResourceAttributes {
            errors.append(.invalid(specPath.child("nonResourceAttributes"), Self.jsonValue(.object(nonResource)), "cannot be specified in combination with resourceAttributes"))
        }
        if resourceAttributes == nil && nonResourceAttributes == nil {
            errors.append(FieldError(type: .invalid, field: "spec.resourceAttributes", badValue: "\"null\"", detail: "exactly one of nonResourceAttributes or resourceAttributes must be specified"))
        }
        if kind != "SelfSubjectAccessReview" {
            let groups = spec["groups"]?.arrayValue ?? []
            if (spec["user"]?.stringValue ?? "").isEmpty && groups.isEmpty {
                errors.append(.invalid(specPath.child("user"), .string(""), "at least one of user or group must be specified"))
            }
        }
        var metadata = object.objectMember("metadata")
        if kind == "LocalSubjectAccessReview" {
            let namespace = metadata["namespace"]?.stringValue ?? ""
            metadata["namespace"] = nil
            if !metadata.members.isEmpty {
                errors.append(.invalid("metadata", Self.jsonValue(object["metadata"] ?? .null), "must be empty except for namespace"))
            }
            if let attributes = resourceAttributes, (attributes["namespace"]?.stringValue ?? "") != namespace {
                errors.append(.invalid(specPath.child("resourceAttributes").child("namespace"), .string(attributes["namespace"]?.stringValue ?? ""), "must match metadata.namespace"))
            }
            if let nonResource = nonResourceAttributes {
                errors.append(.invalid(specPath.child("nonResourceAttributes"), Self.jsonValue(.object(nonResource)), "disallowed on this kind of request"))
            }
        } else if !metadata.members.isEmpty {
            errors.append(.invalid("metadata", Self.jsonValue(.object(metadata)), "must be empty"))
        }
        if !errors.isEmpty {
            // Upstream reports these with the internal object's empty kind.
            throw StatusError(.invalid(group: resource.gvk.group, kind: "", name: "", causes: errors.map(\.statusCause)))
        }

        let subject = kind == "SelfSubjectAccessReview" ? requester : UserInfo(spec: spec)
        let attributes: AuthorizationAttributes
        if let resourceAttributes {
            attributes = .resource(
                verb: resourceAttributes["verb"]?.stringValue ?? "", namespace: resourceAttributes["namespace"]?.stringValue ?? "",
                group: resourceAttributes["group"]?.stringValue ?? "", resource: resourceAttributes["resource"]?.stringValue ?? "",
                subresource: resourceAttributes["subresource"]?.stringValue ?? "", name: resourceAttributes["name"]?.stringValue ?? "")
        } else {
            attributes = .nonResource(
                verb: nonResourceAttributes?["verb"]?.stringValue ?? "", path: nonResourceAttributes?["path"]?.stringValue ?? "")
        }
        let decision = handler.authorizer.authorize(subject, attributes)
        var status: JSONObject = ["allowed": .bool(decision.outcome == .allow)]
        if decision.outcome == .deny { status["denied"] = true }
        if !decision.reason.isEmpty { status["reason"] = .string(decision.reason) }
        var answer = object
        answer["status"] = .object(status)
        return answer
    }

    private func rulesReview(_ object: JSONObject, user: UserInfo) throws -> JSONObject {
        guard let reviewed = object.objectMember("spec")["namespace"]?.stringValue, !reviewed.isEmpty else {
            throw StatusError.badRequest("no namespace on request")
        }
        let rules = handler.authorizer.rules(for: user, namespace: reviewed)
        return [
            "kind": .string(resource.gvk.kind), "apiVersion": .string(resource.gvk.apiVersion),
            "metadata": [:], "spec": [:],
            "status": [
                "resourceRules": .array(rules.resourceRules), "nonResourceRules": .array(rules.nonResourceRules),
                "incomplete": .bool(rules.incomplete),
            ],
        ]
    }

    /// A struct-valued bad value, shown as its JSON (Go prints the struct's fields).
    private static func jsonValue(_ value: JSONValue) -> FieldError.Value {
        .raw(String(decoding: JSONCodec.encode(value), as: UTF8.self))
    }

    // MARK: - Token review

    private func tokenReview(_ object: JSONObject) throws -> JSONObject {
        guard let token = object.objectMember("spec")["token"]?.stringValue, !token.isEmpty else {
            throw StatusError.badRequest("token is required for TokenReview in authentication")
        }
        var answer = object
        guard let result = handler.authenticator.review(token: token) else {
            // No token authenticator: upstream answers the request back with an empty user.
            answer["status"] = ["user": [:]]
            return answer
        }
        var status: JSONObject = ["user": result.json]
        if result.authenticated { status["authenticated"] = true }
        answer["status"] = .object(status)
        return answer
    }
}
