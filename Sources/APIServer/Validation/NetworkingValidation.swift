import APIMachinery

/// Ingresses (networking validation): a default backend or rules, DNS hosts, absolute paths
/// with a path type, and service backends with a port name or number.
enum NetworkingValidation {
    typealias Path = FieldError.Path

    static let pathTypes = ["Exact", "ImplementationSpecific", "Prefix"]

    static func validateIngress(_ ingress: NetworkingV1.Ingress) -> [FieldError] {
        let spec = ingress.spec ?? NetworkingV1.IngressSpec()
        let specPath: Path = "spec"
        var errors: [FieldError] = []
        let rules = spec.rules ?? []
        if rules.isEmpty && spec.defaultBackend == nil {
            let rendered = spec.rules == nil ? "[]networking.IngressRule(nil)" : "[]networking.IngressRule{}"
            errors.append(.invalid(specPath, .raw(rendered), "either `defaultBackend` or `rules` must be specified"))
        }
        if let backend = spec.defaultBackend {
            errors += self.backend(backend, path: specPath.child("defaultBackend"))
        }
        for (index, rule) in rules.enumerated() {
            let rulePath = specPath.child("rules").index(index)
            let host = rule.host ?? ""
            if !host.isEmpty {
                if ValidationFormats.isIP(host) {
                    errors.append(.invalid(rulePath.child("host"), .string(host), "must be a DNS name, not an IP address"))
                }
                let messages = host.contains("*")
                    ? ValidationFormats.wildcardDNS1123Subdomain(host) : ValidationFormats.dns1123Subdomain(host)
                errors += messages.map { FieldError.invalid(rulePath.child("host"), .string(host), $0) }
            }
            if let http = rule.http {
                let httpPath = rulePath.child("http")
                if http.paths.isEmpty { errors.append(.required(httpPath.child("paths"))) }
                for (pathIndex, entry) in http.paths.enumerated() {
                    errors += self.path(entry, path: httpPath.child("paths").index(pathIndex))
                }
            }
        }
        for (index, tls) in (spec.tls ?? []).enumerated() {
            let tlsPath = specPath.child("tls").index(index)
            for (hostIndex, host) in (tls.hosts ?? []).enumerated() {
                let messages = host.contains("*")
                    ? ValidationFormats.wildcardDNS1123Subdomain(host) : ValidationFormats.dns1123Subdomain(host)
                errors += messages.map { FieldError.invalid(tlsPath.child("hosts").index(hostIndex), .string(host), $0) }
            }
        }
        if let className = spec.ingressClassName {
            for message in ValidationFormats.dns1123Subdomain(className) {
                errors.append(.invalid(specPath.child("ingressClassName"), .string(className), message))
            }
        }
        return errors
    }

    static func path(_ entry: NetworkingV1.HTTPIngressPath, path: Path) -> [FieldError] {
        let pathType = entry.pathType
        if pathType.isEmpty { return [.required(path.child("pathType"), "pathType must be specified")] }
        var errors: [FieldError] = []
        let value = entry.path ?? ""
        let valuePath = path.child("path")
        switch pathType {
        case "Exact", "Prefix":
            if !value.hasPrefix("/") { errors.append(.invalid(valuePath, .string(value), "must be an absolute path")) }
            if !value.isEmpty {
                for sequence in ["//", "/./", "/../", "%2f", "%2F"] where value.contains(sequence) {
                    errors.append(.invalid(valuePath, .string(value), "must not contain '\(sequence)'"))
                }
                for suffix in ["/..", "/."] where value.hasSuffix(suffix) {
                    errors.append(.invalid(valuePath, .string(value), "cannot end with '\(suffix)'"))
                }
            }
        case "ImplementationSpecific":
            if !value.isEmpty && !value.hasPrefix("/") {
                errors.append(.invalid(valuePath, .string(value), "must be an absolute path"))
            }
        default:
            errors.append(.notSupported(path.child("pathType"), .string(pathType), pathTypes))
        }
        errors += backend(entry.backend, path: path.child("backend"))
        return errors
    }

    static func backend(_ backend: NetworkingV1.IngressBackend, path: Path) -> [FieldError] {
        switch (backend.resource, backend.service) {
        case (_?, _?):
            return [.invalid(path, .string(""), "cannot set both resource and service backends")]
        case (let resource?, nil):
            var errors: [FieldError] = []
            if resource.name.isEmpty { errors.append(.required(path.child("resource", "name"))) }
            if resource.kind.isEmpty { errors.append(.required(path.child("resource", "kind"))) }
            return errors
        case (nil, let service?):
            var errors: [FieldError] = []
            let servicePath = path.child("service")
            if service.name.isEmpty {
                errors.append(.required(servicePath.child("name")))
            } else {
                for message in ValidationFormats.dns1035Label(service.name) {
                    errors.append(.invalid(servicePath.child("name"), .string(service.name), message))
                }
            }
            let name = service.port?.name ?? ""
            let number = service.port?.number ?? 0
            if !name.isEmpty && number != 0 {
                errors.append(.invalid(path, .string(""), "cannot set both port name & port number"))
            } else if !name.isEmpty {
                errors += ValidationFormats.portName(name).map { FieldError.invalid(servicePath.child("port", "name"), .string(name), $0) }
            } else if number != 0 {
                errors += ValidationFormats.portNumber(number).map {
                    FieldError.invalid(servicePath.child("port", "number"), .int(number), $0)
                }
            } else {
                errors.append(.required(path, "port name or number is required"))
            }
            return errors
        case (nil, nil):
            return [.invalid(path, .string(""), "resource or service backend is required")]
        }
    }
}
