import APIMachinery

/// The options a write verb carries (`CreateOptions`, `UpdateOptions`, `PatchOptions`,
/// `DeleteOptions`), read and validated as kube-apiserver does before anything is stored.
///
/// Query parameters are decoded as upstream's parameter codec decodes them (repeated
/// `dryRun`, one value for the rest); a value that does not parse is a 400, a value that parses
/// but is not allowed is a 422 `<Kind>.meta.k8s.io "" is invalid` naming the field.
struct WriteOptions: Sendable, Equatable {
    /// `dryRun=All`: run every stage, persist nothing.
    var dryRun: Bool = false
    var fieldManager: String?
    /// `Strict`, `Warn` (the default) or `Ignore`.
    var fieldValidation: String = "Warn"
    /// Only for apply patches.
    var force: Bool?

    /// The options kind each verb validates as (its name appears in the 422 message).
    enum Kind: String, Sendable {
        case create = "CreateOptions", update = "UpdateOptions", patch = "PatchOptions"
    }

    static let allowedDryRun = ["All"]
    static let allowedFieldValidation = ["", "Ignore", "Strict", "Warn"]
    static let fieldManagerMaxLength = 128

    /// No options: what a read carries.
    init() {}

    /// Reads and validates the query of a create, update or patch. `applyPatch` is whether the
    /// patch is a server-side apply (which requires a field manager and alone may force).
    init(query request: APIRequest, kind: Kind, applyPatch: Bool = false) throws {
        let dryRunValues = request.query["dryRun"] ?? []
        fieldManager = request.parameter("fieldManager")
        let validation = request.parameter("fieldValidation") ?? ""
        if let text = request.parameter("force") {
            guard let value = request.flag("force") else {
                throw StatusError.badRequest("strconv.ParseBool: parsing \(FieldError.Value.goQuote(text)): invalid syntax")
            }
            force = value
        }
        var errors: [FieldError] = []
        if kind == .patch {
            if !applyPatch, force != nil {
                errors.append(.forbidden("force", "may not be specified for non-apply patch"))
            } else if applyPatch, (fieldManager ?? "").isEmpty {
                errors.append(.required("fieldManager", "is required for apply patch"))
            }
        }
        errors += Self.validateFieldManager(fieldManager ?? "")
        errors += Self.validateDryRun(dryRunValues)
        if !Self.allowedFieldValidation.contains(validation) {
            errors.append(.notSupported("fieldValidation", .string(validation), Self.allowedFieldValidation))
        }
        try Self.throwInvalid(kind.rawValue, errors)
        dryRun = !dryRunValues.isEmpty
        fieldValidation = validation.isEmpty ? "Warn" : validation
    }

    /// `ValidateFieldManager`: at most 128 characters, all printable.
    static func validateFieldManager(_ manager: String) -> [FieldError] {
        var errors: [FieldError] = []
        if manager.count > fieldManagerMaxLength {
            errors.append(.tooLong("fieldManager", max: fieldManagerMaxLength))
        }
        for (position, scalar) in manager.unicodeScalars.enumerated() where scalar != " " && !SelectorText.isPrintable(scalar) {
            let code = "U+" + String(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4))
            errors.append(.invalid("fieldManager", .string(manager), "invalid character \(code) (at position \(position))"))
        }
        return errors
    }

    /// `ValidateDryRun`: every value is `All`.
    static func validateDryRun(_ values: [String]) -> [FieldError] {
        guard values.contains(where: { !allowedDryRun.contains($0) }) else { return [] }
        return [.notSupported("dryRun", .stringSlice(values), allowedDryRun)]
    }

    static func throwInvalid(_ kind: String, _ errors: [FieldError]) throws {
        guard !errors.isEmpty else { return }
        throw StatusError(.invalid(group: "meta.k8s.io", kind: kind, name: "", causes: errors.map(\.statusCause)))
    }
}

/// `DeleteOptions` of a delete, a deletecollection or an eviction.
///
/// Upstream reads them from the body when one is sent and from the query otherwise. Skiff reads
/// both: a field set in only one place is taken from there, a field set in both places to
/// different values is a 400 (never a silent choice: a dry run asked for in the query must not
/// delete because a body came too). Then `ValidateDeleteOptions` as upstream: 422 for an
/// unknown propagation policy or dry-run value, or `orphanDependents` with `propagationPolicy`.
struct DeleteOptions: Sendable, Equatable {
    var dryRun: [String] = []
    var gracePeriodSeconds: Int64?
    var propagationPolicy: String?
    var orphanDependents: Bool?
    var uid: String?
    var resourceVersion: String?

    var isDryRun: Bool { !dryRun.isEmpty }

    /// The policy in effect: `propagationPolicy`, or `Orphan` for `orphanDependents: true`.
    var effectivePolicy: String? {
        if let propagationPolicy { return propagationPolicy }
        return orphanDependents == true ? "Orphan" : nil
    }

    /// `orphanDependents: false` was sent: a deletion left pending answers 202 (as Kubernetes).
    var cascadeRequested: Bool { orphanDependents == false }

    static let policies = ["Foreground", "Background", "Orphan"]

    /// The options of a DELETE: the body's `DeleteOptions` (JSON or YAML) merged with the query.
    init(request: APIRequest) throws {
        let fromBody = try Self.body(request)
        let fromQuery = try Self(query: request)
        self = try fromBody.merged(with: fromQuery)
        try validate()
    }

    /// Options from a JSON object (a request body or an Eviction's `deleteOptions`), decoded
    /// as the `meta/v1` type: a wrongly typed field is a 400 naming it.
    init(object: JSONObject) throws {
        if let kind = object["kind"]?.stringValue, !kind.isEmpty, kind != "DeleteOptions" {
            throw StatusError.internalError("decoded object cannot be converted to DeleteOptions")
        }
        let decoded: MetaV1.DeleteOptions
        do {
            decoded = try JSONCodec.decode(MetaV1.DeleteOptions.self, from: JSONCodec.encode(JSONValue.object(object)))
        } catch {
            throw StatusError.badRequest("the body of the request was not a valid DeleteOptions: \(error)")
        }
        dryRun = decoded.dryRun ?? []
        gracePeriodSeconds = decoded.gracePeriodSeconds
        propagationPolicy = decoded.propagationPolicy
        orphanDependents = decoded.orphanDependents
        uid = decoded.preconditions?.uid
        resourceVersion = decoded.preconditions?.resourceVersion
    }

    init() {}

    /// The query's options, as upstream's parameter codec reads them.
    init(query request: APIRequest) throws {
        dryRun = request.query["dryRun"] ?? []
        if let text = request.parameter("gracePeriodSeconds") {
            guard let value = Int64(text) else {
                throw StatusError.badRequest("strconv.ParseInt: parsing \(FieldError.Value.goQuote(text)): invalid syntax")
            }
            gracePeriodSeconds = value
        }
        propagationPolicy = request.parameter("propagationPolicy")
        if let text = request.parameter("orphanDependents") {
            guard let value = request.flag("orphanDependents") else {
                throw StatusError.badRequest("strconv.ParseBool: parsing \(FieldError.Value.goQuote(text)): invalid syntax")
            }
            orphanDependents = value
        }
    }

    private static func body(_ request: APIRequest) throws -> DeleteOptions {
        guard request.body.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            return DeleteOptions()
        }
        let type = (request.headers.first(name: "Content-Type") ?? "application/json").lowercased()
        let tree: JSONValue
        do {
            tree = type.contains("yaml") ? try YAMLCodec.parse(String(decoding: request.body, as: UTF8.self)) : try JSONCodec.parse(request.body)
        } catch {
            throw StatusError.badRequest("the body of the request was not a valid DeleteOptions: \(error)")
        }
        guard case .object(let object) = tree else {
            throw StatusError.badRequest("the body of the request was not a valid DeleteOptions: expected an object")
        }
        return try DeleteOptions(object: object)
    }

    /// These options with the unset fields taken from `other`; 400 where both set a field differently.
    func merged(with other: DeleteOptions) throws -> DeleteOptions {
        func pick<T: Equatable>(_ name: String, _ mine: T?, _ theirs: T?) throws -> T? {
            if let mine, let theirs, mine != theirs {
                throw StatusError.badRequest("\(name) in the DeleteOptions body does not match \(name) in the query parameters")
            }
            return mine ?? theirs
        }
        var merged = self
        merged.dryRun = try pick("dryRun", dryRun.isEmpty ? nil : dryRun, other.dryRun.isEmpty ? nil : other.dryRun) ?? []
        merged.gracePeriodSeconds = try pick("gracePeriodSeconds", gracePeriodSeconds, other.gracePeriodSeconds)
        merged.propagationPolicy = try pick("propagationPolicy", propagationPolicy, other.propagationPolicy)
        merged.orphanDependents = try pick("orphanDependents", orphanDependents, other.orphanDependents)
        merged.uid = try pick("preconditions.uid", uid, other.uid)
        merged.resourceVersion = try pick("preconditions.resourceVersion", resourceVersion, other.resourceVersion)
        return merged
    }

    /// `ValidateDeleteOptions`: 422 `DeleteOptions.meta.k8s.io "" is invalid`.
    func validate() throws {
        var errors: [FieldError] = []
        if orphanDependents != nil, let propagationPolicy {
            errors.append(.invalid("propagationPolicy", .string(propagationPolicy), "orphanDependents and deletionPropagation cannot be both set"))
        }
        if let propagationPolicy, !Self.policies.contains(propagationPolicy) {
            errors.append(.notSupported("propagationPolicy", .string(propagationPolicy), Self.policies + ["nil"]))
        }
        errors += WriteOptions.validateDryRun(dryRun)
        try WriteOptions.throwInvalid("DeleteOptions", errors)
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
