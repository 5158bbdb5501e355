import APIMachinery
import Foundation

/// One resource request with everything its verb needs.
struct ResourceContext: Sendable {
    let request: APIRequest
    let info: RequestInfo
    let resource: ResourceInfo
    let store: ResourceStore
    let handler: APIHandler
    /// The options of a create, update or patch (none for other verbs; deletes read theirs
    /// from `DeleteOptions`).
    let writeOptions: WriteOptions

    var namespace: String? { resource.namespaced ? info.namespace : nil }
    var listKind: String { resource.gvk.kind + "List" }
    var apiVersion: String { resource.gvk.apiVersion }
    /// A create, update or patch (or one of their subresources) asked for a dry run.
    var dryRun: Bool { writeOptions.dryRun }

    /// The Accept header asks for a server-side Table.
    var wantsTable: Bool { (request.headers.first(name: "Accept") ?? "").contains("as=Table") }

    func key(_ name: String) -> String { store.key(namespace: namespace, name: name) }

    /// How this resource is written (see `ResourceStrategy`).
    var strategy: any ResourceStrategy { handler.strategy(for: resource) }

    /// What admission plugins are told about this request.
    func admissionRequest(_ operation: AdmissionRequest.Operation, name: String, dryRun: Bool? = nil) -> AdmissionRequest {
        AdmissionRequest(
            operation: operation, resource: resource, subresource: info.subresource, namespace: namespace, name: name,
            dryRun: dryRun ?? self.dryRun)
    }

    /// A 200/201 JSON response with an object's bytes.
    func objectResponse(_ status: Int, _ json: [UInt8]) -> APIResponse {
        if wantsTable, let tree = try? JSONCodec.parse(json) {
            return Responses.json(status, table([tree], resourceVersion: nil, continueToken: nil))
        }
        return Responses.json(status, json)
    }

    func table(_ objects: [JSONValue], resourceVersion: Int64?, continueToken: String?, noHeaders: Bool = false) -> JSONValue {
        let include = TablePrinter.IncludeObject(rawValue: request.parameter("includeObject") ?? "Metadata") ?? .metadata
        return TablePrinter.table(
            gvk: resource.gvk, objects: objects, resourceVersion: resourceVersion.map(String.init) ?? "",
            continueToken: continueToken, includeObject: include, noHeaders: noHeaders,
            now: Time(secondsSinceEpoch: Int64(handler.now().timeIntervalSince1970)))
    }

    /// Parses a `resourceVersion`-like parameter: nil when absent or empty; 400 when not a number.
    func revisionParameter(_ name: String) throws -> Int64? {
        guard let text = request.parameter(name), !text.isEmpty else { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw StatusError(.failure(.badRequest, message: "invalid resource version \"\(text)\": must be a non-negative integer"))
        }
        return value
    }

    func filter() throws -> ObjectFilter {
        var filter = ObjectFilter(namespace: namespace)
        if let text = request.parameter("labelSelector"), !text.isEmpty {
            do { filter.labels = try LabelSelectorQuery(parsing: text) } catch {
                throw StatusError(.failure(.badRequest, message: "unable to parse requirement: \(error.message)"))
            }
        }
        if let text = request.parameter("fieldSelector"), !text.isEmpty {
            let query: FieldSelectorQuery
            do { query = try FieldSelectorQuery(parsing: text) } catch {
                throw StatusError(.failure(.badRequest, message: "invalid field selector: \(error.message)"))
            }
            let allowed = SelectableFields.names(for: resource)
            for requirement in query.requirements where !allowed.contains(requirement.field) {
                throw StatusError(.failure(
                    .badRequest, message: "field label not supported: \(requirement.field)"))
            }
            filter.fields = query
            if let name = query.requiresExactMatch("metadata.name") { filter.name = name }
        }
        return filter
    }
}
