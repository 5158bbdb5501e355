import APIMachinery
import Testing

@testable import APIServer

// What is checked here is what kubectl 1.32 reads from the OpenAPI documents:
// - `kubectl explain` (openapi v3): the GVK of a resource from an operation on one of its paths,
//   then the components.schemas entry carrying that GVK, then properties, `items` and `$ref`s.
// - `kubectl create/apply --validate` (field validation detection): a PATCH operation with the
//   kind's GVK that lists a `fieldValidation` query parameter.
// - client-side `kubectl apply`: a PATCH operation accepting
//   `application/strategic-merge-patch+json`, and the patch metadata on the properties.
// - `/openapi/v2` as gnostic protobuf (what kubectl requests there).

/// Built once for the whole suite.
private let documents = OpenAPIDocumentSet(registry: .builtin, schema: .kubernetes)

private func parse(_ bytes: [UInt8]) throws -> JSONValue {
    try JSONCodec.parse(bytes)
}

private func v3(_ path: String) throws -> JSONValue {
    let document = try #require(documents.v3(path: path), "no v3 document at \(path)")
    return try parse(document.bytes)
}

private func members(_ value: JSONValue?) -> [JSONObject.Member] {
    if case .object(let object) = value { return object.members }
    return []
}

private func elements(_ value: JSONValue?) -> [JSONValue] {
    if case .array(let array) = value { return array }
    return []
}

private func gvkValue(_ gvk: GroupVersionKind) -> JSONValue {
    ["group": .string(gvk.group), "kind": .string(gvk.kind), "version": .string(gvk.version)]
}

/// Every string value of a `$ref` key anywhere in the tree (a property *named* `$ref`, as in
/// JSONSchemaProps, holds an object and is skipped).
private func references(in value: JSONValue) -> [String] {
    var found: [String] = []
    func walk(_ value: JSONValue) {
        switch value {
        case .object(let object):
            for member in object.members {
                if member.key == "$ref", let text = member.value.stringValue { found.append(text) }
                walk(member.value)
            }
        case .array(let array):
            array.forEach(walk)
        default:
            break
        }
    }
    walk(value)
    return found
}

private func prefix(_ gvk: GroupVersionKind) -> String {
    gvk.group.isEmpty ? "/api/\(gvk.version)" : "/apis/\(gvk.group)/\(gvk.version)"
}

@Suite("OpenAPI documents")
struct OpenAPITests {
    // MARK: - v3 index

    @Test func indexListsEveryGroupVersionWithContentHashes() throws {
        let index = try parse(documents.v3Index.bytes)
        let paths = members(index["paths"])
        #expect(paths.map(\.key) == ResourceRegistry.builtin.groupVersions.map { OpenAPIDocuments.v3Path(groupVersion: $0) })
        #expect(paths.contains { $0.key == "api/v1" })
        #expect(paths.contains { $0.key == "apis/apps/v1" })
        for entry in paths {
            let document = try #require(documents.v3(path: entry.key))
            #expect(document.hash == OpenAPIDocuments.hash(document.bytes))
            #expect(entry.value["serverRelativeURL"]?.stringValue == "/openapi/v3/\(entry.key)?hash=\(document.hash)")
        }
        // The function API agrees with the precomputed set.
        #expect(OpenAPIDocuments.v3Index(registry: .builtin, schema: .kubernetes) == index)
    }

    @Test func hashIsUpperCaseSHA512() {
        #expect(
            OpenAPIDocuments.hash(Array("abc".utf8))
                == "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A"
                + "2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F")
    }

    @Test func documentsAreDeterministic() {
        let again = OpenAPIDocumentSet(registry: .builtin, schema: .kubernetes)
        #expect(again.v3Index == documents.v3Index)
        #expect(again.v2 == documents.v2)
        #expect(again.v2Protobuf == documents.v2Protobuf)
        #expect(OpenAPIDocuments.v3(path: "apis/apps/v1", registry: .builtin, schema: .kubernetes)
            == documents.v3(path: "apis/apps/v1")?.bytes)
        #expect(OpenAPIDocuments.v2(registry: .builtin, schema: .kubernetes) == documents.v2.bytes)
    }

    @Test(arguments: ["api", "apis", "apis/apps", "apis/apps/v2", "api/v2", "apis/apps/v1/x", "", "version"])
    func unservedPathsAreNil(path: String) {
        #expect(OpenAPIDocuments.v3(path: path, registry: .builtin, schema: .kubernetes) == nil)
        #expect(documents.v3(path: path) == nil)
    }

    @Test func pathSpellingsAreLenient() {
        #expect(OpenAPIDocuments.v3(path: "/api/v1", registry: .builtin, schema: .kubernetes) != nil)
        #expect(documents.v3(path: "/apis/apps/v1?hash=ABC") == documents.v3(path: "apis/apps/v1"))
        #expect(OpenAPIDocuments.v3Path(groupVersion: "v1") == "api/v1")
        #expect(OpenAPIDocuments.v3Path(groupVersion: "rbac.authorization.k8s.io/v1") == "apis/rbac.authorization.k8s.io/v1")
    }

    // MARK: - v3 documents

    @Test func v3DocumentShape() throws {
        let document = try v3("api/v1")
        #expect(document["openapi"] == "3.0.0")
        #expect(document["info"]?["title"] == "Kubernetes")
        #expect(document["components"]?["schemas"] != nil)
        #expect(document["paths"]?["/api/v1/namespaces/{namespace}/pods/{name}"] != nil)
        // Only the group version's own paths.
        #expect(members(document["paths"]).allSatisfy { $0.key.hasPrefix("/api/v1/") })
    }

    @Test func podSchemaForExplain() throws {
        let schemas = try #require(try v3("api/v1")["components"]?["schemas"])
        let pod = try #require(schemas["io.k8s.api.core.v1.Pod"])
        #expect(pod["type"] == "object")
        #expect(pod["x-kubernetes-group-version-kind"] == [["group": "", "kind": "Pod", "version": "v1"]])
        // A documented reference is wrapped in allOf so that its description counts (OpenAPI
        // 3.0 ignores siblings of $ref), as kube-apiserver serves it; kubectl explain reads it.
        #expect(pod["properties"]?["spec"]?["allOf"] == [["$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"]])
        #expect(pod["properties"]?["spec"]?["description"]?.stringValue?.hasPrefix("Specification of the desired behavior of the pod.") == true)
        #expect(pod["description"] == "Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.")
        #expect(schemas["io.k8s.api.core.v1.Container"]?["properties"]?["image"]?["description"]?.stringValue?.hasPrefix("Container image name.") == true)

        let containers = try #require(schemas["io.k8s.api.core.v1.PodSpec"]?["properties"]?["containers"])
        #expect(containers["type"] == "array")
        #expect(containers["items"]?["$ref"] == "#/components/schemas/io.k8s.api.core.v1.Container")
        #expect(containers["x-kubernetes-patch-merge-key"] == "name")
        #expect(containers["x-kubernetes-patch-strategy"] == "merge")
        #expect(containers["x-kubernetes-list-type"] == "map")
        #expect(containers["x-kubernetes-list-map-keys"] == ["name"])
        #expect(schemas["io.k8s.api.core.v1.PodSpec"]?["required"] == ["containers"])

        let container = try #require(schemas["io.k8s.api.core.v1.Container"])
        #expect(container["properties"]?["image"]?["type"] == "string")
        #expect(container["properties"]?["ports"]?["items"]?["$ref"] == "#/components/schemas/io.k8s.api.core.v1.ContainerPort")
        let limits = schemas["io.k8s.api.core.v1.ResourceRequirements"]?["properties"]?["limits"]
        #expect(limits?["type"] == "object")
        #expect(limits?["additionalProperties"]?["$ref"] == "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity")
        #expect(schemas["io.k8s.api.core.v1.PodSpec"]?["properties"]?["nodeSelector"]?["x-kubernetes-map-type"] == "atomic")
        #expect(schemas["io.k8s.api.core.v1.ContainerPort"]?["properties"]?["containerPort"]?["format"] == "int32")
    }

    /// `kubectl explain` shows field documentation for every kind: each served kind and each
    /// of its properties that Kubernetes documents carries its description in v2 and v3.
    @Test func everyServedKindIsDocumented() throws {
        let v2 = try parse(documents.v2.bytes)
        let served = Set(ResourceRegistry.builtin.all.map { [$0.gvk.group, $0.gvk.version, $0.gvk.kind] })
        var undocumented: [String] = []
        for definition in members(v2["definitions"]) {
            let kinds = (definition.value["x-kubernetes-group-version-kind"]?.arrayValue ?? []).map {
                [$0["group"]?.stringValue ?? "", $0["version"]?.stringValue ?? "", $0["kind"]?.stringValue ?? ""]
            }
            guard kinds.contains(where: served.contains) else { continue }
            if definition.value["description"]?.stringValue?.isEmpty != false { undocumented.append(definition.key) }
            for property in ["apiVersion", "kind"] where definition.value["properties"]?[property]?["description"] == nil {
                undocumented.append("\(definition.key).\(property)")
            }
        }
        #expect(undocumented.isEmpty, "\(undocumented)")
        let deployment = try #require(try v3("apis/apps/v1")["components"]?["schemas"]?["io.k8s.api.apps.v1.DeploymentSpec"])
        #expect(deployment["properties"]?["replicas"]?["description"]?.stringValue?.hasPrefix("Number of desired pods.") == true)
    }

    @Test func specialScalarsInV3() throws {
        let schemas = try #require(try v3("api/v1")["components"]?["schemas"])
        #expect(schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"] == ["oneOf": [["type": "string"], ["type": "number"]]])
        #expect(
            schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]
                == ["format": "int-or-string", "oneOf": [["type": "integer"], ["type": "string"]]])
        #expect(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]?["format"] == "date-time")
        #expect(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]?["type"] == "string")
        #expect(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"]?["type"] == "object")
        #expect(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"]?["description"]?.stringValue?.hasPrefix("FieldsV1 stores a set of fields") == true)
    }

    @Test func refWithPatchMetadataIsWrappedInV3() throws {
        let schemas = try #require(try v3("apis/apps/v1")["components"]?["schemas"])
        let strategy = schemas["io.k8s.api.apps.v1.DeploymentSpec"]?["properties"]?["strategy"]
        #expect(strategy?["allOf"] == [["$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy"]])
        #expect(strategy?["x-kubernetes-patch-strategy"] == "retainKeys")
        #expect(strategy?["$ref"] == nil)
    }

    @Test func everyV3ReferenceResolvesInsideItsDocument() throws {
        for path in documents.v3Documents.keys.sorted() {
            let document = try v3(path)
            let schemas = try #require(document["components"]?["schemas"], "\(path)")
            for ref in references(in: document) {
                #expect(ref.hasPrefix("#/components/schemas/"), "\(path): \(ref)")
                let name = String(ref.dropFirst("#/components/schemas/".count))
                #expect(schemas[name] != nil, "\(path): dangling \(ref)")
            }
        }
    }

    /// kubectl explain: GVR → GVK from the operations of the resource's paths → schema with that GVK.
    @Test func explainFindsEveryResourceKind() throws {
        // metrics.k8s.io has no schema in Kubernetes' own OpenAPI: upstream, metrics-server's
        // aggregated document describes it.
        for info in ResourceRegistry.builtin.all where info.gvk.group != "metrics.k8s.io" {
            let document = try v3(OpenAPIDocuments.v3Path(groupVersion: info.gvk.apiVersion))
            let base = prefix(info.gvk)
            let candidates = [
                "\(base)/\(info.plural)", "\(base)/\(info.plural)/{name}",
                "\(base)/namespaces/{namespace}/\(info.plural)", "\(base)/namespaces/{namespace}/\(info.plural)/{name}",
            ]
            var gvk: JSONValue?
            search: for path in candidates {
                for method in ["get", "post", "put", "patch", "delete"] {
                    if let found = document["paths"]?[path]?[method]?["x-kubernetes-group-version-kind"] {
                        gvk = found
                        break search
                    }
                }
            }
            #expect(gvk == gvkValue(info.gvk), "\(info.gvr)")
            let carriers = members(document["components"]?["schemas"]).filter { member in
                elements(member.value["x-kubernetes-group-version-kind"]).contains(gvkValue(info.gvk))
            }
            #expect(carriers.count == 1, "\(info.gvk): \(carriers.map(\.key))")
        }
    }

    /// kubectl's field-validation detection and client-side apply's strategic-merge check.
    @Test func patchOperationsAdvertiseFieldValidationAndStrategicMerge() throws {
        var checked = 0
        for info in ResourceRegistry.builtin.all where info.supports("patch") {
            let document = try v3(OpenAPIDocuments.v3Path(groupVersion: info.gvk.apiVersion))
            let scope = info.namespaced ? "/namespaces/{namespace}" : ""
            let path = "\(prefix(info.gvk))\(scope)/\(info.plural)/{name}"
            let patch = try #require(document["paths"]?[path]?["patch"], "\(path)")
            #expect(patch["x-kubernetes-group-version-kind"] == gvkValue(info.gvk))
            #expect(patch["x-kubernetes-action"] == "patch")
            let parameters = elements(patch["parameters"])
            #expect(parameters.contains { $0["name"] == "fieldValidation" && $0["in"] == "query" }, "\(path)")
            #expect(patch["requestBody"]?["content"]?["application/strategic-merge-patch+json"] != nil, "\(path)")
            checked += 1
        }
        #expect(checked > 40)

        // Every PATCH in every document: an unordered scan must never hit one without them.
        for path in documents.v3Documents.keys {
            for item in members(try v3(path)["paths"]) {
                guard let patch = item.value["patch"] else { continue }
                #expect(elements(patch["parameters"]).contains { $0["name"] == "fieldValidation" }, "\(item.key)")
                #expect(patch["requestBody"]?["content"]?["application/strategic-merge-patch+json"] != nil, "\(item.key)")
            }
        }
    }

    @Test func operationsFollowVerbsAndSubresources() throws {
        let core = try v3("api/v1")
        let pods = core["paths"]?["/api/v1/namespaces/{namespace}/pods"]
        #expect(pods?["get"]?["x-kubernetes-action"] == "list")
        #expect(pods?["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"]?["$ref"]
            == "#/components/schemas/io.k8s.api.core.v1.PodList")
        #expect(pods?["post"]?["x-kubernetes-action"] == "post")
        #expect(pods?["delete"]?["x-kubernetes-action"] == "deletecollection")
        #expect(core["paths"]?["/api/v1/pods"]?["get"]?["operationId"] == "listCoreV1PodForAllNamespaces")
        #expect(core["paths"]?["/api/v1/namespaces/{namespace}/pods/{name}"]?["get"]?["operationId"] == "readCoreV1NamespacedPod")

        // Services have no deletecollection; bindings are create-only.
        #expect(core["paths"]?["/api/v1/namespaces/{namespace}/services"]?["delete"] == nil)
        #expect(core["paths"]?["/api/v1/namespaces/{namespace}/bindings"]?["post"] != nil)
        #expect(core["paths"]?["/api/v1/namespaces/{namespace}/bindings/{name}"] == nil)

        // Status carries the parent kind; streaming subresources are absent.
        let status = core["paths"]?["/api/v1/namespaces/{namespace}/pods/{name}/status"]
        #expect(status?["patch"]?["x-kubernetes-group-version-kind"] == ["group": "", "kind": "Pod", "version": "v1"])
        #expect(core["paths"]?["/api/v1/namespaces/{namespace}/pods/{name}/log"] == nil)
        #expect(core["paths"]?["/api/v1/namespaces/{namespace}/pods/{name}/eviction"]?["post"]?["x-kubernetes-group-version-kind"]
            == ["group": "policy", "kind": "Eviction", "version": "v1"])

        // Scale is autoscaling/v1 Scale, referenced from the apps document.
        let apps = try v3("apis/apps/v1")
        let scale = apps["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]
        #expect(scale?["patch"]?["x-kubernetes-group-version-kind"] == ["group": "autoscaling", "kind": "Scale", "version": "v1"])
        #expect(apps["components"]?["schemas"]?["io.k8s.api.autoscaling.v1.Scale"] != nil)

        // Cluster-scoped resources have no namespace segment or parameter.
        let node = core["paths"]?["/api/v1/nodes/{name}"]
        #expect(node?["get"] != nil)
        #expect(elements(node?["parameters"]).contains { $0["name"] == "namespace" } == false)
        #expect(elements(node?["parameters"]).contains { $0["name"] == "name" && $0["in"] == "path" && $0["required"] == true })
    }

    @Test func resourcesWithoutSchemaGetPathsButNoStrategicMerge() throws {
        let widget = ResourceInfo(
            gvk: GroupVersionKind(group: "example.com", version: "v1", kind: "Widget"), plural: "widgets",
            singular: "widget", namespaced: true,
            verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])
        let registry = ResourceRegistry([widget])
        let bytes = try #require(OpenAPIDocuments.v3(path: "apis/example.com/v1", registry: registry, schema: .kubernetes))
        let document = try parse(bytes)
        let patch = document["paths"]?["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"]?["patch"]
        #expect(patch?["x-kubernetes-group-version-kind"] == ["group": "example.com", "kind": "Widget", "version": "v1"])
        #expect(elements(patch?["parameters"]).contains { $0["name"] == "fieldValidation" })
        #expect(patch?["requestBody"]?["content"]?["application/merge-patch+json"] != nil)
        #expect(patch?["requestBody"]?["content"]?["application/strategic-merge-patch+json"] == nil)
        let schemas = try #require(document["components"]?["schemas"])
        for ref in references(in: document) {
            #expect(schemas[String(ref.dropFirst("#/components/schemas/".count))] != nil, "dangling \(ref)")
        }
    }

    // MARK: - v2

    @Test func v2DefinitionsAndPaths() throws {
        let document = try parse(documents.v2.bytes)
        #expect(document["swagger"] == "2.0")
        let definitions = members(document["definitions"])
        #expect(definitions.count == APISchema.kubernetes.types.count)
        #expect(definitions.map(\.key) == definitions.map(\.key).sorted())

        for ref in references(in: document) {
            #expect(ref.hasPrefix("#/definitions/"), "\(ref)")
            #expect(document["definitions"]?[String(ref.dropFirst("#/definitions/".count))] != nil, "dangling \(ref)")
        }

        let pod = document["definitions"]?["io.k8s.api.core.v1.Pod"]
        #expect(pod?["x-kubernetes-group-version-kind"] == [["group": "", "kind": "Pod", "version": "v1"]])
        #expect(pod?["properties"]?["spec"]?["$ref"] == "#/definitions/io.k8s.api.core.v1.PodSpec")
        // Swagger 2.0 keeps the description and extensions beside `$ref`.
        let strategy = document["definitions"]?["io.k8s.api.apps.v1.DeploymentSpec"]?["properties"]?["strategy"]
        #expect(strategy == [
            "$ref": "#/definitions/io.k8s.api.apps.v1.DeploymentStrategy",
            "description": "The deployment strategy to use to replace existing pods with new ones.",
            "x-kubernetes-patch-strategy": "retainKeys",
        ])
        #expect(document["definitions"]?["io.k8s.apimachinery.pkg.api.resource.Quantity"] == ["type": "string"])
        #expect(document["definitions"]?["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] == ["format": "int-or-string", "type": "string"])

        let patch = document["paths"]?["/api/v1/namespaces/{namespace}/pods/{name}"]?["patch"]
        #expect(patch?["x-kubernetes-group-version-kind"] == ["group": "", "kind": "Pod", "version": "v1"])
        let consumes = elements(patch?["consumes"])
        #expect(consumes.contains("application/strategic-merge-patch+json"))
        #expect(elements(patch?["parameters"]).contains { $0["name"] == "fieldValidation" && $0["in"] == "query" && $0["type"] == "string" })
        #expect(elements(patch?["parameters"]).contains { $0["in"] == "body" && $0["schema"]?["$ref"] == "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch" })
        #expect(document["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]?["get"] != nil)
    }

    /// The shapes kubectl's v2 model parser rejects: a `$ref` with a type or properties, a type
    /// list, an array without exactly one item schema.
    @Test func v2SchemasFitKubectlModelParser() throws {
        let document = try parse(documents.v2.bytes)
        func check(_ schema: JSONValue, _ path: String) {
            if schema["$ref"]?.stringValue != nil {
                #expect(schema["type"] == nil && schema["properties"] == nil, "\(path)")
                return
            }
            if let type = schema["type"] { #expect(type.stringValue != nil, "\(path)") }
            if schema["type"] == "array" {
                if case .object = schema["items"] ?? .null {} else { Issue.record("\(path): array without one item schema") }
            }
            if let items = schema["items"] { check(items, path + "[]") }
            if case .object = schema["additionalProperties"] ?? .null { check(schema["additionalProperties"]!, path + "{}") }
            for property in members(schema["properties"]) { check(property.value, path + "." + property.key) }
        }
        for definition in members(document["definitions"]) { check(definition.value, definition.key) }
    }

    // MARK: - v2 protobuf

    @Test func v2ProtobufCarriesTheDocument() throws {
        let document = try ProtoMessage(documents.v2Protobuf.bytes)
        #expect(document.strings(1) == ["2.0"])

        let definitions = try ProtoMessage(try #require(document.messages(9).first))
        let named = try definitions.messages(1).map(ProtoMessage.init)
        #expect(named.count == APISchema.kubernetes.types.count)
        let pod = try #require(named.first { $0.strings(1) == ["io.k8s.api.core.v1.Pod"] })
        let podSchema = try ProtoMessage(try #require(pod.messages(2).first))
        let podExtensions = try podSchema.messages(31).map(ProtoMessage.init)
        let gvk = try #require(podExtensions.first { $0.strings(1) == ["x-kubernetes-group-version-kind"] })
        let yaml = try ProtoMessage(try #require(gvk.messages(2).first)).strings(2)
        #expect(yaml == ["[{\"group\":\"\",\"kind\":\"Pod\",\"version\":\"v1\"}]\n"])
        let type = try ProtoMessage(try #require(podSchema.messages(22).first))
        #expect(type.strings(1) == ["object"])

        // paths → NamedPathItem → PathItem.patch (8) → Operation.consumes (7)
        let paths = try ProtoMessage(try #require(document.messages(8).first))
        let items = try paths.messages(2).map(ProtoMessage.init)
        let podItem = try #require(items.first { $0.strings(1) == ["/api/v1/namespaces/{namespace}/pods/{name}"] })
        let pathItem = try ProtoMessage(try #require(podItem.messages(2).first))
        let patch = try ProtoMessage(try #require(pathItem.messages(8).first))
        #expect(patch.strings(7).contains("application/strategic-merge-patch+json"))
        #expect(patch.strings(5) == ["patchCoreV1NamespacedPod"])
        // parameters (8) → ParametersItem.parameter (1) → Parameter.non_body_parameter (2)
        //   → NonBodyParameter.query_parameter_sub_schema (3) → name (4)
        let queryNames = try patch.messages(8).compactMap { item -> String? in
            guard let parameter = try ProtoMessage(item).messages(1).first,
                let nonBody = try ProtoMessage(parameter).messages(2).first,
                let query = try ProtoMessage(nonBody).messages(3).first
            else { return nil }
            return try ProtoMessage(query).strings(4).first
        }
        #expect(queryNames.contains("fieldValidation"))
    }
}

/// A protobuf message split into fields, enough to walk length-delimited fields in tests.
private struct ProtoMessage {
    struct Malformed: Error {}

    private var fields: [(number: Int, bytes: [UInt8])] = []

    init(_ bytes: [UInt8]) throws {
        var index = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.count, shift < 64 else { throw Malformed() }
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return result }
                shift += 7
            }
        }
        while index < bytes.count {
            let key = try varint()
            switch key & 7 {
            case 0:
                _ = try varint()
            case 2:
                let length = Int(try varint())
                guard index + length <= bytes.count else { throw Malformed() }
                fields.append((Int(key >> 3), Array(bytes[index..<index + length])))
                index += length
            default:
                throw Malformed()
            }
        }
    }

    /// The length-delimited payloads of field `number`, in order.
    func messages(_ number: Int) -> [[UInt8]] {
        fields.filter { $0.number == number }.map(\.bytes)
    }

    func strings(_ number: Int) -> [String] {
        messages(number).map { String(decoding: $0, as: UTF8.self) }
    }
}
