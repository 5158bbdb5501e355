import APIMachinery

/// Events in both API groups (core's event validation). Core `v1` Events get only the
/// legacy checks (no metadata rules, so updates need no resourceVersion); `events.k8s.io/v1`
/// Events are checked strictly, including their metadata.
enum EventValidation {
    typealias Path = FieldError.Path

    static let lengthLimit = 128
    static let noteLimit = 1024

    /// The fields both API versions share, in core terms.
    struct Fields {
        var namespace: String
        var involvedNamespace: String
        var eventTime: MicroTime?
        var reportingController: String
        var reportingInstance: String
        var action: String
        var reason: String
        var message: String
    }

    static func fields(_ event: CoreV1.Event) -> Fields {
        Fields(
            namespace: event.metadata?.namespace ?? "", involvedNamespace: event.involvedObject.namespace ?? "",
            eventTime: event.eventTime, reportingController: event.reportingComponent ?? "",
            reportingInstance: event.reportingInstance ?? "", action: event.action ?? "", reason: event.reason ?? "",
            message: event.message ?? "")
    }

    static func fields(_ event: EventsV1.Event) -> Fields {
        Fields(
            namespace: event.metadata?.namespace ?? "", involvedNamespace: event.regarding?.namespace ?? "",
            eventTime: event.eventTime, reportingController: event.reportingController ?? "",
            reportingInstance: event.reportingInstance ?? "", action: event.action ?? "", reason: event.reason ?? "",
            message: event.note ?? "")
    }

    /// `legacyValidateEvent`; `controllerField` is `source` for core v1 and `reportingController` otherwise.
    static func legacy(_ event: Fields, controllerField: String) -> [FieldError] {
        var errors: [FieldError] = []
        let involvedPath: Path = "involvedObject.namespace"
        let mismatch = "does not match event.namespace"
        if event.eventTime.map({ $0.isZero }) ?? true {
            if event.involvedNamespace.isEmpty {
                if !event.namespace.isEmpty && event.namespace != "default" {
                    errors.append(.invalid(involvedPath, .string(event.involvedNamespace), mismatch))
                }
            } else if event.namespace != event.involvedNamespace {
                errors.append(.invalid(involvedPath, .string(event.involvedNamespace), mismatch))
            }
        } else {
            if event.involvedNamespace.isEmpty && event.namespace != "default" && event.namespace != "kube-system" {
                errors.append(.invalid(involvedPath, .string(event.involvedNamespace), mismatch))
            }
            let controllerPath = Path(controllerField)
            if event.reportingController.isEmpty { errors.append(.required(controllerPath)) }
            for message in ValidationFormats.qualifiedName(event.reportingController) {
                errors.append(.invalid(controllerPath, .string(event.reportingController), message))
            }
            for (field, value, limit) in [
                ("reportingInstance", event.reportingInstance, lengthLimit), ("action", event.action, lengthLimit),
                ("reason", event.reason, lengthLimit),
            ] {
                if value.isEmpty { errors.append(.required(Path(field))) }
                if value.utf8.count > limit {
                    errors.append(.invalid(Path(field), .string(""), "can have at most \(limit) characters"))
                }
            }
            if event.message.utf8.count > noteLimit {
                errors.append(.invalid("message", .string(""), "can have at most \(noteLimit) characters"))
            }
        }
        for message in ValidationFormats.dns1123Subdomain(event.namespace) {
            errors.append(.invalid("namespace", .string(event.namespace), message))
        }
        return errors
    }

    static func validateCoreEvent(_ event: CoreV1.Event) -> [FieldError] {
        legacy(fields(event), controllerField: "source")
    }

    /// Strict checks of `events.k8s.io/v1` (metadata is checked by the caller).
    static func validateEventsEvent(_ event: EventsV1.Event) -> [FieldError] {
        var errors = legacy(fields(event), controllerField: "reportingController")
        if let series = event.series {
            if series.count < 2 {
                errors.append(.invalid("series.count", .string(""), "should be at least 2"))
            }
            if series.lastObservedTime?.isZero ?? true {
                errors.append(.required("series.lastObservedTime"))
            }
        }
        if event.eventTime?.isZero ?? true { errors.append(.required("eventTime")) }
        let type = event.type ?? ""
        if type != "Normal" && type != "Warning" {
            errors.append(.invalid("type", .string(""), "has invalid value: \(type)"))
        }
        if !(event.deprecatedFirstTimestamp?.isZero ?? true) {
            errors.append(.invalid("deprecatedFirstTimestamp", .string(""), "needs to be unset"))
        }
        if !(event.deprecatedLastTimestamp?.isZero ?? true) {
            errors.append(.invalid("deprecatedLastTimestamp", .string(""), "needs to be unset"))
        }
        if (event.deprecatedCount ?? 0) != 0 {
            errors.append(.invalid("deprecatedCount", .string(""), "needs to be unset"))
        }
        if !(event.deprecatedSource?.component ?? "").isEmpty || !(event.deprecatedSource?.host ?? "").isEmpty {
            errors.append(.invalid("deprecatedSource", .string(""), "needs to be unset"))
        }
        return errors
    }
}
