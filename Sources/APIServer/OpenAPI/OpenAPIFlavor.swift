/// The two OpenAPI dialects the apiserver publishes. They differ in where definitions live
/// (and so how references are spelled) and in how operations, parameters and bodies are shaped.
enum OpenAPIFlavor: Sendable, Hashable {
    /// Swagger 2.0, served at `/openapi/v2`: one document, definitions under `#/definitions/`.
    case swagger2
    /// OpenAPI 3.0, served per group version at `/openapi/v3/<path>`: `#/components/schemas/`.
    case openAPI3

    /// The `$ref` text pointing at the definition `name`.
    func reference(to name: String) -> String {
        switch self {
        case .swagger2: "#/definitions/\(name)"
        case .openAPI3: "#/components/schemas/\(name)"
        }
    }
}
