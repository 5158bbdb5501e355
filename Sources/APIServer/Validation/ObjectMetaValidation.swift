import APIMachinery

/// Checks of `metadata` common to every kind (apimachinery's `ValidateObjectMeta` and
/// `ValidateObjectMetaUpdate`, plus core's finalizer-name rule for built-in kinds).
enum ObjectMetaValidation {
    typealias Path = FieldError.Path

    /// Which format a kind's `metadata.name` must have.
    enum NameRule: Sendable {
        case dns1123Subdomain
        case dns1123Label
        case dns1035Label
        case pathSegment
        case none

        /// Problems with `name`; `prefix` relaxes the trailing dash of a generateName.
        func check(_ name: String, prefix: Bool) -> [String] {
            switch self {
            case .dns1123Subdomain:
                ValidationFormats.dns1123Subdomain(prefix ? ValidationFormats.maskTrailingDash(name) : name)
            case .dns1123Label:
                ValidationFormats.dns1123Label(prefix ? ValidationFormats.maskTrailingDash(name) : name)
            case .dns1035Label:
                ValidationFormats.dns1035Label(prefix ? ValidationFormats.maskTrailingDash(name) : name)
            case .pathSegment:
                ValidationFormats.pathSegmentName(name, prefix: prefix)
            case .none:
                []
            }
        }
    }

    static let totalAnnotationSizeLimit = 256 * 1024
    static let standardFinalizers: Set<String> = ["kubernetes", "orphan", "foregroundDeletion"]

    /// Metadata of an object being created. `builtIn` adds core's check that finalizers
    /// without a `/` are one of the standard names.
    static func validate(
        _ meta: MetaV1.ObjectMeta, namespaced: Bool, nameRule: NameRule, builtIn: Bool, path: Path = "metadata"
    ) -> [FieldError] {
        var errors: [FieldError] = []
        let generateName = meta.generateName ?? ""
        if !generateName.isEmpty {
            for message in nameRule.check(generateName, prefix: true) {
                errors.append(.invalid(path.child("generateName"), .string(generateName), message))
            }
        }
        let name = meta.name ?? ""
        if name.isEmpty {
            errors.append(.required(path.child("name"), "name or generateName is required"))
        } else {
            for message in nameRule.check(name, prefix: false) {
                errors.append(.invalid(path.child("name"), .string(name), message))
            }
        }
        errors += common(meta, namespaced: namespaced, path: path)
        if builtIn { errors += kubeFinalizerNames(meta.finalizers, path: path.child("finalizers")) }
        return errors
    }

    /// Metadata of an update: identity and timestamps may not change, generation may not go
    /// down, labels and annotations must stay valid. A missing resourceVersion is not an error
    /// here: unconditional updates take the stored one, as in Kubernetes' generic store.
    static func validateUpdate(
        _ new: MetaV1.ObjectMeta, old: MetaV1.ObjectMeta, builtIn: Bool, path: Path = "metadata"
    ) -> [FieldError] {
        var errors: [FieldError] = []
        if old.deletionTimestamp.map({ !$0.isZero }) ?? false {
            let oldFinalizers = Set(old.finalizers ?? [])
            let added = Set(new.finalizers ?? []).subtracting(oldFinalizers).sorted()
            if !added.isEmpty {
                errors.append(
                    .forbidden(
                        path.child("finalizers"),
                        "no new finalizers can be added if the object is being deleted, found new finalizers "
                            + FieldError.Value.goStringSlice(added)))
            }
        }
        if (new.generation ?? 0) < (old.generation ?? 0) {
            errors.append(.invalid(path.child("generation"), .int(new.generation ?? 0), "must not be decremented"))
        }
        if (new.name ?? "") != (old.name ?? "") {
            errors.append(.immutable(path.child("name"), .string(new.name ?? "")))
        }
        if (new.namespace ?? "") != (old.namespace ?? "") {
            errors.append(.immutable(path.child("namespace"), .string(new.namespace ?? "")))
        }
        if (new.uid ?? "") != (old.uid ?? "") {
            errors.append(.immutable(path.child("uid"), .string(new.uid ?? "")))
        }
        if normalized(new.creationTimestamp) != normalized(old.creationTimestamp) {
            errors.append(.immutable(path.child("creationTimestamp"), goTime(new.creationTimestamp)))
        }
        if normalized(new.deletionTimestamp) != normalized(old.deletionTimestamp) {
            let value: FieldError.Value = normalized(new.deletionTimestamp) == nil ? .null : goTime(new.deletionTimestamp)
            errors.append(.immutable(path.child("deletionTimestamp"), value))
        }
        if new.deletionGracePeriodSeconds != old.deletionGracePeriodSeconds {
            errors.append(.immutable(path.child("deletionGracePeriodSeconds"), .optionalInt(new.deletionGracePeriodSeconds)))
        }
        errors += labels(new.labels, path: path.child("labels"))
        errors += annotations(new.annotations, path: path.child("annotations"))
        errors += ownerReferences(new.ownerReferences, path: path.child("ownerReferences"))
        errors += finalizers(new.finalizers, path: path.child("finalizers"))
        if builtIn { errors += kubeFinalizerNames(new.finalizers, path: path.child("finalizers")) }
        return errors
    }

    // MARK: Parts

    static func common(_ meta: MetaV1.ObjectMeta, namespaced: Bool, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let namespace = meta.namespace ?? ""
        if namespaced {
            if namespace.isEmpty {
                errors.append(.required(path.child("namespace")))
            } else {
                for message in ValidationFormats.dns1123Label(namespace) {
                    errors.append(.invalid(path.child("namespace"), .string(namespace), message))
                }
            }
        } else if !namespace.isEmpty {
            errors.append(.forbidden(path.child("namespace"), "not allowed on this type"))
        }
        errors += FieldError.nonNegative(meta.generation, path.child("generation"))
        errors += labels(meta.labels, path: path.child("labels"))
        errors += annotations(meta.annotations, path: path.child("annotations"))
        errors += ownerReferences(meta.ownerReferences, path: path.child("ownerReferences"))
        errors += finalizers(meta.finalizers, path: path.child("finalizers"))
        return errors
    }

    /// Label keys must be qualified names and values valid label values; every error is
    /// reported at the map's path (keys sorted, as upstream's order is random).
    static func labels(_ labels: [String: String]?, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        for key in (labels ?? [:]).keys.sorted() {
            for message in ValidationFormats.qualifiedName(key) {
                errors.append(.invalid(path, .string(key), message))
            }
            let value = labels?[key] ?? ""
            for message in ValidationFormats.labelValue(value) {
                errors.append(.invalid(path, .string(value), message))
            }
        }
        return errors
    }

    /// Annotation keys are qualified names in any case; keys and values total at most 256 KiB.
    static func annotations(_ annotations: [String: String]?, path: Path) -> [FieldError] {
        guard let annotations else { return [] }
        var errors: [FieldError] = []
        var total = 0
        for key in annotations.keys.sorted() {
            for message in ValidationFormats.qualifiedName(key.lowercased()) {
                errors.append(.invalid(path, .string(key), message))
            }
            total += key.utf8.count + (annotations[key]?.utf8.count ?? 0)
        }
        if total > totalAnnotationSizeLimit {
            errors.append(.tooLong(path, max: totalAnnotationSizeLimit))
        }
        return errors
    }

    static func ownerReferences(_ references: [MetaV1.OwnerReference]?, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        var firstController: String?
        for reference in references ?? [] {
            let apiVersion = reference.apiVersion
            let version = apiVersion.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? ""
            if version.isEmpty {
                errors.append(.invalid(path.child("apiVersion"), .string(apiVersion), "version must not be empty"))
            }
            if reference.kind.isEmpty {
                errors.append(.invalid(path.child("kind"), .string(reference.kind), "must not be empty"))
            }
            if reference.name.isEmpty {
                errors.append(.invalid(path.child("name"), .string(reference.name), "must not be empty"))
            }
            if reference.uid.isEmpty {
                errors.append(.invalid(path.child("uid"), .string(reference.uid), "must not be empty"))
            }
            if reference.kind == "Event" && (apiVersion == "v1") {
                errors.append(.invalid(path, .raw(goOwnerReference(reference)), "/v1, Kind=Event is disallowed from being an owner"))
            }
            if reference.controller == true {
                let current = reference.kind + "/" + reference.name
                if let firstController {
                    errors.append(
                        .invalid(
                            path, .raw("[]v1.OwnerReference{…}"),
                            "Only one reference can have Controller set to true. Found \"true\" in references for \(firstController) and \(current)"))
                } else {
                    firstController = current
                }
            }
        }
        return errors
    }

    static func finalizers(_ finalizers: [String]?, path: Path) -> [FieldError] {
        guard let finalizers else { return [] }
        var errors: [FieldError] = []
        for finalizer in finalizers {
            for message in ValidationFormats.qualifiedName(finalizer) {
                errors.append(.invalid(path, .string(finalizer), message))
            }
        }
        if finalizers.contains("orphan") && finalizers.contains("foregroundDeletion") {
            errors.append(
                .invalid(path, .stringSlice(finalizers), "finalizer orphan and foregroundDeletion cannot be both set"))
        }
        return errors
    }

    /// Core's rule: a finalizer without a `/` must be a standard one.
    static func kubeFinalizerNames(_ finalizers: [String]?, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, finalizer) in (finalizers ?? []).enumerated()
        where !finalizer.contains("/") && !standardFinalizers.contains(finalizer) {
            errors.append(
                .invalid(
                    path.index(index), .string(finalizer),
                    "name is neither a standard finalizer name nor is it fully qualified"))
        }
        return errors
    }

    // MARK: Rendering

    /// Go prints `metav1.Time` with `time.Time.String()`: `2024-01-02 03:04:05 +0000 UTC`.
    static func goTime(_ time: Time?) -> FieldError.Value {
        guard let time = normalized(time) else { return .raw("0001-01-01 00:00:00 +0000 UTC") }
        let text = time.description  // 2024-01-02T03:04:05Z
        let body = String(text.replacingFirst("T", with: " ").dropLast())
        return .raw(body + " +0000 UTC")
    }

    private static func normalized(_ time: Time?) -> Time? {
        guard let time, !time.isZero else { return nil }
        return time
    }

    private static func goOwnerReference(_ reference: MetaV1.OwnerReference) -> String {
        "v1.OwnerReference{APIVersion:\(FieldError.Value.goQuote(reference.apiVersion)), Kind:\(FieldError.Value.goQuote(reference.kind)), Name:\(FieldError.Value.goQuote(reference.name)), UID:\(FieldError.Value.goQuote(reference.uid)), Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}"
    }
}

extension String {
    /// The string with the first occurrence of `target` replaced (no Foundation needed).
    fileprivate func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let index = firstIndex(of: target) else { return self }
        return String(self[..<index]) + replacement + String(self[self.index(after: index)...])
    }
}
