import APIMachinery

/// Kubernetes' bootstrap RBAC objects (cluster-admin, admin/edit/view and their
/// system:aggregate-to-* parts, the system:* roles of nodes and components, one
/// system:controller:* role and binding per controller, and the Roles and RoleBindings of
/// kube-system and kube-public), and how an existing object is reconciled with them, as
/// kube-apiserver's rbac/bootstrap-roles step does at every start:
///
/// - an object marked `rbac.authorization.kubernetes.io/autoupdate: "false"` is left alone;
/// - otherwise missing labels and annotations are added (values present win), rules the
///   object does not already cover are appended (broken down to one verb, group, resource and
///   name each), missing aggregation selectors appended, extra permissions never removed;
/// - a binding gets its missing subjects; one whose roleRef differs is replaced (roleRef cannot
///   change in place).
///
/// The data is api/bootstrap-rbac.json, read from upstream by scripts/codegen/bootstrap-rbac.py.
struct BootstrapPolicy: Sendable {
    var clusterRoles: [JSONObject]
    var clusterRoleBindings: [JSONObject]
    var roles: [JSONObject]
    var roleBindings: [JSONObject]

    /// Kubernetes 1.32's objects, parsed on first use.
    static let kubernetes: BootstrapPolicy = {
        do {
            return BootstrapPolicy(json: try JSONCodec.parse(Array(EmbeddedBootstrapPolicy.json.utf8)))
        } catch {
            preconditionFailure("embedded bootstrap policy does not parse: \(error)")
        }
    }()

    init(json: JSONValue) {
        func objects(_ key: String) -> [JSONObject] { (json[key]?.arrayValue ?? []).compactMap(\.objectValue) }
        clusterRoles = objects("clusterRoles")
        clusterRoleBindings = objects("clusterRoleBindings")
        roles = objects("roles")
        roleBindings = objects("roleBindings")
    }

    static let autoUpdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate"

    /// What to do with one expected object given the stored one.
    enum Action: Equatable {
        case create(JSONObject)
        case update(JSONObject)
        /// Delete the stored object and create this one (a binding whose roleRef changed).
        case replace(JSONObject)
        case none
    }

    /// Reconciles a ClusterRole or Role.
    static func reconcileRole(expected: JSONObject, existing: JSONObject?) -> Action {
        guard let existing else { return .create(expected) }
        if autoUpdateDisabled(existing) { return .none }
        var result = existing
        mergeMetadata(from: expected, into: &result)
        let have = existing["rules"]?.arrayValue ?? []
        let missing = (expected["rules"]?.arrayValue ?? []).flatMap(PolicyRuleCoverage.breakdown)
            .filter { !PolicyRuleCoverage.covers(have, $0) }
        if !missing.isEmpty { result["rules"] = .array(have + missing) }
        if let wanted = expected["aggregationRule"]?["clusterRoleSelectors"]?.arrayValue {
            var selectors = existing["aggregationRule"]?["clusterRoleSelectors"]?.arrayValue ?? []
            for selector in wanted where !selectors.contains(selector) { selectors.append(selector) }
            result["aggregationRule"] = ["clusterRoleSelectors": .array(selectors)]
        } else if existing["aggregationRule"] != nil, existing["aggregationRule"] != .null {
            result["aggregationRule"] = nil
        }
        return result == existing ? .none : .update(result)
    }

    /// Reconciles a ClusterRoleBinding or RoleBinding.
    static func reconcileBinding(expected: JSONObject, existing: JSONObject?) -> Action {
        guard let existing else { return .create(expected) }
        if autoUpdateDisabled(existing) { return .none }
        if existing["roleRef"] != expected["roleRef"] {
            var replacement = expected
            var metadata = expected.objectMember("metadata")
            metadata["labels"] = merged(existing.objectMember("metadata")["labels"], expected.objectMember("metadata")["labels"])
            metadata["annotations"] = merged(existing.objectMember("metadata")["annotations"], expected.objectMember("metadata")["annotations"])
            replacement["metadata"] = .object(metadata)
            var subjects = existing["subjects"]?.arrayValue ?? []
            for subject in expected["subjects"]?.arrayValue ?? [] where !subjects.contains(subject) { subjects.append(subject) }
            replacement["subjects"] = subjects.isEmpty ? nil : .array(subjects)
            return .replace(replacement)
        }
        var result = existing
        mergeMetadata(from: expected, into: &result)
        var subjects = existing["subjects"]?.arrayValue ?? []
        for subject in expected["subjects"]?.arrayValue ?? [] where !subjects.contains(subject) { subjects.append(subject) }
        if !subjects.isEmpty { result["subjects"] = .array(subjects) }
        return result == existing ? .none : .update(result)
    }

    private static func autoUpdateDisabled(_ object: JSONObject) -> Bool {
        object.objectMember("metadata").objectMember("annotations")[autoUpdateAnnotation]?.stringValue == "false"
    }

    private static func mergeMetadata(from expected: JSONObject, into result: inout JSONObject) {
        var metadata = result.objectMember("metadata")
        let wanted = expected.objectMember("metadata")
        metadata["labels"] = merged(metadata["labels"], wanted["labels"])
        metadata["annotations"] = merged(metadata["annotations"], wanted["annotations"])
        result["metadata"] = .object(metadata)
    }

    /// `present` with the keys of `wanted` it lacks; nil when both are empty.
    private static func merged(_ present: JSONValue?, _ wanted: JSONValue?) -> JSONValue? {
        var map = present?.objectValue ?? JSONObject()
        for member in wanted?.objectValue?.members ?? [] where map[member.key] == nil { map[member.key] = member.value }
        return map.members.isEmpty ? present : .object(map)
    }
}

/// Whether rbac/v1 PolicyRules grant a request, in the terms kube-apiserver's bootstrap
/// reconciliation uses: a rule is covered when every one of its single-verb parts is.
enum PolicyRuleCoverage {
    /// One rule per verb × group × resource (× resource name), and per verb × non-resource URL.
    static func breakdown(_ rule: JSONValue) -> [JSONValue] {
        let verbs = strings(rule["verbs"])
        var parts: [JSONValue] = []
        for group in strings(rule["apiGroups"]) {
            for resource in strings(rule["resources"]) {
                for verb in verbs {
                    let names = strings(rule["resourceNames"])
                    if names.isEmpty {
                        parts.append(["verbs": [.string(verb)], "apiGroups": [.string(group)], "resources": [.string(resource)]])
                    } else {
                        for name in names {
                            parts.append([
                                "verbs": [.string(verb)], "apiGroups": [.string(group)], "resources": [.string(resource)],
                                "resourceNames": [.string(name)],
                            ])
                        }
                    }
                }
            }
        }
        for url in strings(rule["nonResourceURLs"]) {
            for verb in verbs { parts.append(["verbs": [.string(verb)], "nonResourceURLs": [.string(url)]]) }
        }
        return parts
    }

    /// True when some rule of `rules` grants everything the single-part rule `part` grants.
    static func covers(_ rules: [JSONValue], _ part: JSONValue) -> Bool {
        rules.contains { rule in
            let verbs = strings(rule["verbs"])
            guard strings(part["verbs"]).allSatisfy({ verbs.contains("*") || verbs.contains($0) }) else { return false }
            let urls = strings(part["nonResourceURLs"])
            if !urls.isEmpty {
                let granted = strings(rule["nonResourceURLs"])
                return urls.allSatisfy { url in
                    granted.contains { $0 == "*" || $0 == url || ($0.hasSuffix("*") && url.hasPrefix(String($0.dropLast()))) }
                }
            }
            let groups = strings(rule["apiGroups"])
            let resources = strings(rule["resources"])
            let names = strings(rule["resourceNames"])
            return strings(part["apiGroups"]).allSatisfy { groups.contains("*") || groups.contains($0) }
                && strings(part["resources"]).allSatisfy { resource in resources.contains { grants($0, resource) } }
                && (names.isEmpty || strings(part["resourceNames"]).allSatisfy(names.contains) && !strings(part["resourceNames"]).isEmpty)
        }
    }

    /// `granted` (`*`, `pods`, `pods/*`, `*/scale`) grants `resource` (`pods`, `pods/log`).
    private static func grants(_ granted: String, _ resource: String) -> Bool {
        if granted == "*" || granted == resource { return true }
        let parts = resource.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return false }
        return granted == "\(parts[0])/*" || granted == "*/\(parts[1])"
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        (value?.arrayValue ?? []).compactMap(\.stringValue)
    }
}
