import APIMachinery

/// Builds the `paths` of an OpenAPI document from the resource registry.
///
/// For each resource: the collection path (list, create, deletecollection), the item path
/// (read, replace, patch, delete), for namespaced resources the all-namespaces list, and each
/// subresource that carries an object (status, scale, binding, eviction, token, …) — only the
/// operations the registry's verbs allow. Streaming subresources (`log`, `exec`, `attach`,
/// `portforward`, `proxy`) and the deprecated `/watch/` paths are left out.
///
/// Every operation carries `x-kubernetes-group-version-kind` and `x-kubernetes-action`; write
/// operations list the `fieldValidation` query parameter and patches accept
/// `application/strategic-merge-patch+json`. kubectl reads exactly these: `explain` finds a
/// resource's kind through its paths, `create`/`apply` detect server-side field validation
/// from the PATCH operation's parameters, and client-side `apply` only computes a strategic
/// merge patch when the PATCH operation accepts that content type.
struct OpenAPIPathBuilder: Sendable {
    let schema: APISchema
    let flavor: OpenAPIFlavor

    init(schema: APISchema, flavor: OpenAPIFlavor) {
        self.schema = schema
        self.flavor = flavor
    }

    static let statusDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
    static let deleteOptionsDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
    static let patchDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"

    /// Content types a PATCH accepts, as kube-apiserver lists them.
    static func patchContentTypes(strategic: Bool) -> [String] {
        ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"]
            + (strategic ? ["application/strategic-merge-patch+json"] : [])
    }
    /// Content types of object responses.
    static let responseContentTypes = ["application/json", "application/yaml"]
    /// Extra content types of a list (which can also be watched).
    static let watchContentTypes = ["application/json;stream=watch"]

    // MARK: - Model

    struct QueryParameter: Sendable {
        var name: String
        /// `string`, `integer` or `boolean`.
        var type: String
    }

    enum Body: Sendable {
        /// The object itself (create, replace): the definition name when known.
        case object(String?)
        /// Any of the patch formats; strategic merge patch only for built-in kinds (those with a
        /// definition), as kube-apiserver does for custom resources.
        case patch(strategic: Bool)
        /// Optional `DeleteOptions`.
        case deleteOptions
    }

    struct Response: Sendable {
        var code: String
        var description: String
        var definition: String?
    }

    struct Operation: Sendable {
        /// Lower-case HTTP method: `get`, `put`, `post`, `patch`, `delete`.
        var method: String
        /// `x-kubernetes-action`: `get`, `list`, `post`, `put`, `patch`, `delete`, `deletecollection`.
        var action: String
        var id: String
        var gvk: GroupVersionKind
        var tag: String
        var query: [QueryParameter]
        var body: Body?
        var responses: [Response]
        /// True for lists, which can also stream watch events.
        var streams: Bool = false
    }

    struct PathItem: Sendable {
        var path: String
        /// Path parameters, in the order they are listed.
        var pathParameters: [String]
        var operations: [Operation]
    }

    // MARK: - Query parameters

    static let listQuery: [QueryParameter] = [
        .init(name: "allowWatchBookmarks", type: "boolean"), .init(name: "continue", type: "string"),
        .init(name: "fieldSelector", type: "string"), .init(name: "labelSelector", type: "string"),
        .init(name: "limit", type: "integer"), .init(name: "resourceVersion", type: "string"),
        .init(name: "resourceVersionMatch", type: "string"), .init(name: "sendInitialEvents", type: "boolean"),
        .init(name: "timeoutSeconds", type: "integer"), .init(name: "watch", type: "boolean"),
    ]
    static let writeQuery: [QueryParameter] = [
        .init(name: "dryRun", type: "string"), .init(name: "fieldManager", type: "string"),
        .init(name: "fieldValidation", type: "string"),
    ]
    static let patchQuery: [QueryParameter] = writeQuery + [.init(name: "force", type: "boolean")]
    static let deleteQuery: [QueryParameter] = [
        .init(name: "dryRun", type: "string"), .init(name: "gracePeriodSeconds", type: "integer"),
        .init(name: "ignoreStoreReadErrorWithClusterBreakingPotential", type: "boolean"),
        .init(name: "orphanDependents", type: "boolean"), .init(name: "propagationPolicy", type: "string"),
    ]
    static let deleteCollectionQuery: [QueryParameter] = (deleteQuery + listQuery.filter {
        $0.name != "allowWatchBookmarks" && $0.name != "watch"
    }).sorted { $0.name < $1.name }

    // MARK: - Building

    /// The paths serving `resources` (keys are URL templates, sorted), and the names of every
    /// definition the operations reference.
    func paths(for resources: [ResourceInfo]) -> (paths: JSONObject, references: Set<String>) {
        var references = Set<String>()
        var items: [(String, JSONValue)] = []
        var seen = Set<String>()
        for info in resources {
            // A path already taken (two registry entries for one URL) keeps its first owner.
            for item in pathItems(for: info) where seen.insert(item.path).inserted {
                items.append((item.path, render(item, references: &references)))
            }
        }
        var object = JSONObject()
        for (path, value) in items.sorted(by: { $0.0 < $1.0 }) {
            object.members.append(.init(key: path, value: value))
        }
        return (object, references)
    }

    /// The path items of one resource.
    func pathItems(for info: ResourceInfo) -> [PathItem] {
        let gvk = info.gvk
        let kind = gvk.kind
        let object = schema.type(for: gvk)?.name
        let list = schema.type(for: GroupVersionKind(group: gvk.group, version: gvk.version, kind: kind + "List"))?.name
        let prefix = Self.prefix(group: gvk.group, version: gvk.version)
        let collection = prefix + (info.namespaced ? "/namespaces/{namespace}/" : "/") + info.plural
        let scope = info.namespaced ? "Namespaced" : ""
        let group = Self.operationGroup(group: gvk.group, version: gvk.version)
        let tag = Self.tag(group: gvk.group, version: gvk.version)
        let scopeParameters = info.namespaced ? ["namespace"] : []
        var items: [PathItem] = []

        func listOperation(id: String) -> Operation {
            Operation(
                method: "get", action: "list", id: id, gvk: gvk, tag: tag, query: Self.listQuery, body: nil,
                responses: [Response(code: "200", description: "OK", definition: list)], streams: true)
        }

        // Collection.
        var collectionOps: [Operation] = []
        if info.supports("list") {
            collectionOps.append(listOperation(id: "list\(group)\(scope)\(kind)"))
        }
        if info.supports("create") {
            collectionOps.append(createOperation(id: "create\(group)\(scope)\(kind)", gvk: gvk, tag: tag, definition: object))
        }
        if info.supports("deletecollection") {
            collectionOps.append(
                Operation(
                    method: "delete", action: "deletecollection", id: "delete\(group)Collection\(scope)\(kind)",
                    gvk: gvk, tag: tag, query: Self.deleteCollectionQuery, body: .deleteOptions,
                    responses: [Response(code: "200", description: "OK", definition: Self.statusDefinition)]))
        }
        if !collectionOps.isEmpty {
            items.append(PathItem(path: collection, pathParameters: scopeParameters, operations: collectionOps))
        }

        // One object.
        let itemPath = collection + "/{name}"
        let itemParameters = ["name"] + scopeParameters
        var itemOps: [Operation] = []
        if info.supports("get") {
            itemOps.append(readOperation(id: "read\(group)\(scope)\(kind)", gvk: gvk, tag: tag, definition: object))
        }
        if info.supports("update") {
            itemOps.append(replaceOperation(id: "replace\(group)\(scope)\(kind)", gvk: gvk, tag: tag, definition: object))
        }
        if info.supports("patch") {
            itemOps.append(patchOperation(id: "patch\(group)\(scope)\(kind)", gvk: gvk, tag: tag, definition: object))
        }
        if info.supports("delete") {
            itemOps.append(
                Operation(
                    method: "delete", action: "delete", id: "delete\(group)\(scope)\(kind)", gvk: gvk, tag: tag,
                    query: Self.deleteQuery, body: .deleteOptions,
                    responses: [
                        Response(code: "200", description: "OK", definition: object),
                        Response(code: "202", description: "Accepted", definition: object),
                    ]))
        }
        if !itemOps.isEmpty {
            items.append(PathItem(path: itemPath, pathParameters: itemParameters, operations: itemOps))
        }

        // Across namespaces.
        if info.namespaced && info.supports("list") {
            items.append(
                PathItem(
                    path: prefix + "/" + info.plural, pathParameters: [],
                    operations: [listOperation(id: "list\(group)\(kind)ForAllNamespaces")]))
        }

        // Subresources that carry an object.
        for sub in info.subresources {
            guard let subKind = sub.kind else { continue }
            let subObject = schema.type(for: subKind)?.name
            let suffix = Self.capitalized(sub.name)
            let base = "\(group)\(scope)\(kind)\(suffix)"
            var ops: [Operation] = []
            if sub.verbs.contains("get") {
                ops.append(readOperation(id: "read" + base, gvk: subKind, tag: tag, definition: subObject))
            }
            if sub.verbs.contains("create") {
                ops.append(createOperation(id: "create" + base, gvk: subKind, tag: tag, definition: subObject))
            }
            if sub.verbs.contains("update") {
                ops.append(replaceOperation(id: "replace" + base, gvk: subKind, tag: tag, definition: subObject))
            }
            if sub.verbs.contains("patch") {
                ops.append(patchOperation(id: "patch" + base, gvk: subKind, tag: tag, definition: subObject))
            }
            if !ops.isEmpty {
                items.append(PathItem(path: itemPath + "/" + sub.name, pathParameters: itemParameters, operations: ops))
            }
        }
        return items
    }

    private func readOperation(id: String, gvk: GroupVersionKind, tag: String, definition: String?) -> Operation {
        Operation(
            method: "get", action: "get", id: id, gvk: gvk, tag: tag, query: [], body: nil,
            responses: [Response(code: "200", description: "OK", definition: definition)])
    }

    private func createOperation(id: String, gvk: GroupVersionKind, tag: String, definition: String?) -> Operation {
        Operation(
            method: "post", action: "post", id: id, gvk: gvk, tag: tag, query: Self.writeQuery,
            body: .object(definition),
            responses: [
                Response(code: "200", description: "OK", definition: definition),
                Response(code: "201", description: "Created", definition: definition),
                Response(code: "202", description: "Accepted", definition: definition),
            ])
    }

    private func replaceOperation(id: String, gvk: GroupVersionKind, tag: String, definition: String?) -> Operation {
        Operation(
            method: "put", action: "put", id: id, gvk: gvk, tag: tag, query: Self.writeQuery,
            body: .object(definition),
            responses: [
                Response(code: "200", description: "OK", definition: definition),
                Response(code: "201", description: "Created", definition: definition),
            ])
    }

    private func patchOperation(id: String, gvk: GroupVersionKind, tag: String, definition: String?) -> Operation {
        Operation(
            method: "patch", action: "patch", id: id, gvk: gvk, tag: tag, query: Self.patchQuery,
            body: .patch(strategic: definition != nil),
            responses: [
                Response(code: "200", description: "OK", definition: definition),
                Response(code: "201", description: "Created", definition: definition),
            ])
    }

    // MARK: - Rendering

    func render(_ item: PathItem, references: inout Set<String>) -> JSONValue {
        var object = JSONObject()
        for operation in item.operations {
            object[operation.method] = render(operation, references: &references)
        }
        var parameters: [JSONValue] = item.pathParameters.map { pathParameter($0) }
        parameters.append(queryParameter(QueryParameter(name: "pretty", type: "string")))
        object["parameters"] = .array(parameters)
        return .object(object)
    }

    func render(_ operation: Operation, references: inout Set<String>) -> JSONValue {
        var object: JSONObject = [
            "operationId": .string(operation.id),
            "tags": [.string(operation.tag)],
            "x-kubernetes-action": .string(operation.action),
            "x-kubernetes-group-version-kind": OpenAPISchemaConverter.gvkValue(operation.gvk),
        ]
        var parameters: [JSONValue] = []
        let responseTypes = Self.responseContentTypes + (operation.streams ? Self.watchContentTypes : [])

        switch flavor {
        case .openAPI3:
            if let body = operation.body {
                object["requestBody"] = requestBody(body, references: &references)
            }
            var responses = JSONObject()
            for response in operation.responses {
                var content = JSONObject()
                for type in responseTypes {
                    content[type] = mediaType(response.definition, references: &references)
                }
                responses[response.code] = ["content": .object(content), "description": .string(response.description)]
            }
            responses["401"] = ["description": "Unauthorized"]
            object["responses"] = .object(responses)

        case .swagger2:
            switch operation.body {
            case .patch(let strategic):
                object["consumes"] = .array(Self.patchContentTypes(strategic: strategic).map { .string($0) })
            default:
                object["consumes"] = ["*/*"]
            }
            object["produces"] = .array(responseTypes.map { .string($0) })
            object["schemes"] = ["https"]
            if let body = operation.body {
                parameters.append(bodyParameter(body, references: &references))
            }
            var responses = JSONObject()
            for response in operation.responses {
                var value: JSONObject = ["description": .string(response.description)]
                value["schema"] = schemaReference(response.definition, references: &references)
                responses[response.code] = .object(value)
            }
            responses["401"] = ["description": "Unauthorized"]
            object["responses"] = .object(responses)
        }

        parameters += operation.query.map { queryParameter($0) }
        if !parameters.isEmpty { object["parameters"] = .array(parameters) }
        return .object(object)
    }

    /// `{"$ref": …}` for a known definition (recorded in `references`), else a free-form object.
    private func schemaReference(_ definition: String?, references: inout Set<String>) -> JSONValue {
        guard let definition, schema.types[definition] != nil else { return ["type": "object"] }
        references.insert(definition)
        return ["$ref": .string(flavor.reference(to: definition))]
    }

    private func mediaType(_ definition: String?, references: inout Set<String>) -> JSONValue {
        ["schema": schemaReference(definition, references: &references)]
    }

    /// OpenAPI 3.0 `requestBody`.
    private func requestBody(_ body: Body, references: inout Set<String>) -> JSONValue {
        var content = JSONObject()
        var required = true
        switch body {
        case .object(let definition):
            content["*/*"] = mediaType(definition, references: &references)
        case .patch(let strategic):
            for type in Self.patchContentTypes(strategic: strategic) {
                content[type] = mediaType(Self.patchDefinition, references: &references)
            }
        case .deleteOptions:
            content["*/*"] = mediaType(Self.deleteOptionsDefinition, references: &references)
            required = false
        }
        var object: JSONObject = ["content": .object(content)]
        if required { object["required"] = true }
        return .object(object)
    }

    /// Swagger 2.0 body parameter.
    private func bodyParameter(_ body: Body, references: inout Set<String>) -> JSONValue {
        let definition: String?
        var required = true
        switch body {
        case .object(let name): definition = name
        case .patch: definition = Self.patchDefinition
        case .deleteOptions:
            definition = Self.deleteOptionsDefinition
            required = false
        }
        var object: JSONObject = ["in": "body", "name": "body"]
        if required { object["required"] = true }
        object["schema"] = schemaReference(definition, references: &references)
        return .object(object)
    }

    private func pathParameter(_ name: String) -> JSONValue {
        switch flavor {
        case .openAPI3:
            ["in": "path", "name": .string(name), "required": true, "schema": ["type": "string", "uniqueItems": true]]
        case .swagger2:
            ["in": "path", "name": .string(name), "required": true, "type": "string", "uniqueItems": true]
        }
    }

    private func queryParameter(_ parameter: QueryParameter) -> JSONValue {
        switch flavor {
        case .openAPI3:
            [
                "in": "query", "name": .string(parameter.name),
                "schema": ["type": .string(parameter.type), "uniqueItems": true],
            ]
        case .swagger2:
            ["in": "query", "name": .string(parameter.name), "type": .string(parameter.type), "uniqueItems": true]
        }
    }

    // MARK: - Names

    /// `/api/v1` for the core group, `/apis/<group>/<version>` otherwise.
    static func prefix(group: String, version: String) -> String {
        group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
    }

    /// The group-version part of operation ids: `CoreV1`, `AppsV1`, `RbacAuthorizationV1`.
    static func operationGroup(group: String, version: String) -> String {
        groupWords(group).map(capitalized).joined() + capitalized(version)
    }

    /// The tag of a group version's operations: `core_v1`, `apps_v1`, `rbacAuthorization_v1`.
    static func tag(group: String, version: String) -> String {
        let words = groupWords(group)
        let camel = (words.first ?? "") + words.dropFirst().map(capitalized).joined()
        return camel + "_" + version
    }

    /// `rbac.authorization.k8s.io` → [`rbac`, `authorization`]; the core group is `core`.
    private static func groupWords(_ group: String) -> [String] {
        if group.isEmpty { return ["core"] }
        var name = Substring(group)
        if name.hasSuffix(".k8s.io") { name = name.dropLast(".k8s.io".count) }
        return name.split(separator: ".").map(String.init)
    }

    static func capitalized(_ word: String) -> String {
        guard let first = word.first else { return word }
        return first.uppercased() + word.dropFirst()
    }
}
