import APIMachinery

/// Who a request is from, as authentication establishes it (kube-apiserver's `user.Info`).
public struct UserInfo: Sendable, Hashable {
    public var username: String
    public var uid: String
    public var groups: [String]
    public var extra: [String: [String]]

    public init(username: String, uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]) {
        self.username = username
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }

    /// What kube-apiserver calls a request no authenticator recognised.
    public static let anonymous = UserInfo(username: "system:anonymous", groups: ["system:unauthenticated"])

    /// The subject of a SubjectAccessReview's spec (`user`, `uid`, `groups`, `extra`).
    init(spec: JSONObject) {
        var extra: [String: [String]] = [:]
        for member in spec.objectMember("extra").members {
            extra[member.key] = (member.value.arrayValue ?? []).compactMap(\.stringValue)
        }
        self.init(
            username: spec["user"]?.stringValue ?? "", uid: spec["uid"]?.stringValue ?? "",
            groups: (spec["groups"]?.arrayValue ?? []).compactMap(\.stringValue), extra: extra)
    }

    /// authentication.k8s.io/v1 `UserInfo`: each member left out when empty.
    var json: JSONValue {
        var object = JSONObject()
        if !username.isEmpty { object["username"] = .string(username) }
        if !uid.isEmpty { object["uid"] = .string(uid) }
        if !groups.isEmpty { object["groups"] = .array(groups.map { .string($0) }) }
        if !extra.isEmpty {
            var map = JSONObject()
            for key in extra.keys.sorted() { map[key] = .array(extra[key]!.map { .string($0) }) }
            object["extra"] = .object(map)
        }
        return .object(object)
    }
}
