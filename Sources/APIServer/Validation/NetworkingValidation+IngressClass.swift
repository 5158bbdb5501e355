import APIMachinery

/// IngressClasses (`ValidateIngressClass` / `ValidateIngressClassUpdate`): a controller that is
/// a domain-prefixed path of at most 250 bytes and never changes, and a parameters reference
/// with a DNS-subdomain API group, path-segment kind and name, and a `Cluster` or `Namespace`
/// scope (a namespace required for, and only allowed with, `Namespace`).
///
/// Defaulting sets a missing scope to `Cluster` first, so a reference still without one is
/// `Required` (and its namespace is then not checked), as upstream reports it.
extension NetworkingValidation {
    static let maxControllerLength = 250
    static let parameterScopes = ["Cluster", "Namespace"]

    static func validateIngressClass(_ ingressClass: NetworkingV1.IngressClass) -> [FieldError] {
        let spec = ingressClass.spec ?? NetworkingV1.IngressClassSpec()
        let specPath: Path = "spec"
        var errors: [FieldError] = []
        let controller = spec.controller ?? ""
        let controllerPath = specPath.child("controller")
        if controller.isEmpty {
            errors.append(.required(controllerPath))
        } else {
            if controller.utf8.count > maxControllerLength { errors.append(.tooLong(controllerPath, max: maxControllerLength)) }
            errors += domainPrefixedPath(controller, path: controllerPath)
        }
        if let parameters = spec.parameters {
            errors += parametersReference(parameters, path: specPath.child("parameters"))
        }
        return errors
    }

    /// The controller is immutable; then the class is validated as on create.
    static func validateIngressClassUpdate(_ new: NetworkingV1.IngressClass, old: NetworkingV1.IngressClass) -> [FieldError] {
        let controller = new.spec?.controller ?? ""
        var errors: [FieldError] = []
        if controller != (old.spec?.controller ?? "") {
            errors.append(.immutable("spec.controller", .string(controller)))
        }
        return errors + validateIngressClass(new)
    }

    /// `IsDomainPrefixedPath`: `host/path` with a DNS-subdomain host and RFC 3986 path characters.
    static func domainPrefixedPath(_ value: String, path: Path) -> [FieldError] {
        if value.isEmpty { return [.required(path)] }
        let segments = value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard segments.count == 2, !segments[0].isEmpty, !segments[1].isEmpty else {
            return [.invalid(path, .string(value), "must be a domain-prefixed path (such as \"acme.io/foo\")")]
        }
        var errors = ValidationFormats.dns1123Subdomain(segments[0]).map { FieldError.invalid(path, .string(segments[0]), $0) }
        let allowed = Set("-._~%!$&'()*+,;=:/".utf8)
        if !segments[1].utf8.allSatisfy({ ValidationFormats.isAlphanumeric($0) || allowed.contains($0) }) {
            errors.append(
                .invalid(
                    path, .string(segments[1]),
                    ValidationFormats.regexError("Invalid path", #"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+"#, [])))
        }
        return errors
    }

    static func parametersReference(_ parameters: NetworkingV1.IngressClassParametersReference, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        if let group = parameters.apiGroup {
            errors += ValidationFormats.dns1123Subdomain(group).map { FieldError.invalid(path.child("apiGroup"), .string(group), $0) }
        }
        for (field, value) in [("kind", parameters.kind), ("name", parameters.name)] {
            if value.isEmpty {
                errors.append(.required(path.child(field)))
            } else {
                errors += ValidationFormats.pathSegmentName(value, prefix: false).map {
                    FieldError.invalid(path.child(field), .string(value), $0)
                }
            }
        }
        guard let scope = parameters.scope else {
            errors.append(.required(path.child("scope")))
            return errors
        }
        if !parameterScopes.contains(scope) {
            errors.append(.notSupported(path.child("scope"), .string(scope), parameterScopes))
        } else if scope == "Namespace" {
            if let namespace = parameters.namespace {
                errors += ValidationFormats.dns1123Label(namespace).map {
                    FieldError.invalid(path.child("namespace"), .string(namespace), $0)
                }
            } else {
                errors.append(.required(path.child("namespace"), "`parameters.scope` is set to 'Namespace'"))
            }
        } else if parameters.namespace != nil {
            errors.append(.forbidden(path.child("namespace"), "`parameters.scope` is set to 'Cluster'"))
        }
        return errors
    }
}
