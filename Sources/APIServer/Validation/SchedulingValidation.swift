import APIMachinery

/// PriorityClasses (reserved `system-` names, the user value ceiling, immutable value) and
/// coordination Leases (positive durations).
enum SchedulingValidation {
    typealias Path = FieldError.Path

    static let highestUserPriority: Int32 = 1_000_000_000
    static let systemClasses: [String: Int32] = ["system-node-critical": 2_000_001_000, "system-cluster-critical": 2_000_000_000]

    static func validatePriorityClass(_ priorityClass: SchedulingV1.PriorityClass) -> [FieldError] {
        var errors: [FieldError] = []
        let name = priorityClass.metadata?.name ?? ""
        if name.hasPrefix("system-") {
            let problem: String?
            if let value = systemClasses[name] {
                if value != priorityClass.value {
                    problem = "value of \(name) PriorityClass must be \(value)"
                } else if priorityClass.globalDefault == true {
                    problem = "globalDefault of \(name) PriorityClass must be false"
                } else {
                    problem = nil
                }
            } else {
                problem = "\(name) is not a known system priority class"
            }
            if let problem {
                errors.append(
                    .forbidden(
                        "metadata.name",
                        "priority class names with 'system-' prefix are reserved for system use only. error: \(problem)"))
            }
        } else if priorityClass.value > highestUserPriority {
            errors.append(.forbidden("value", "maximum allowed value of a user defined priority is \(highestUserPriority)"))
        }
        if let policy = priorityClass.preemptionPolicy {
            errors += PodValidation.preemptionPolicy(policy, path: "preemptionPolicy")
        }
        return errors
    }

    static func validatePriorityClassUpdate(_ new: SchedulingV1.PriorityClass, old: SchedulingV1.PriorityClass) -> [FieldError] {
        var errors: [FieldError] = []
        if new.value != old.value { errors.append(.forbidden("value", "may not be changed in an update.")) }
        if new.preemptionPolicy != old.preemptionPolicy {
            errors.append(.immutable("preemptionPolicy", .optionalString(new.preemptionPolicy)))
        }
        return errors
    }

    static func validateLease(_ lease: CoordinationV1.Lease) -> [FieldError] {
        var errors: [FieldError] = []
        if let duration = lease.spec?.leaseDurationSeconds, duration <= 0 {
            errors.append(.invalid("spec.leaseDurationSeconds", .int(duration), "must be greater than 0"))
        }
        if let transitions = lease.spec?.leaseTransitions, transitions < 0 {
            errors.append(.invalid("spec.leaseTransitions", .int(transitions), "must be greater than or equal to 0"))
        }
        return errors
    }
}
