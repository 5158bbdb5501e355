/// The outcome of running a plugin (upstream `framework.Status`): a code, the reasons shown
/// to users, and the plugin that produced it.
///
/// The reasons and plugin live in one shared, immutable box that only non-success statuses
/// allocate, so `Status.success` is a plain value that costs nothing to create, copy or
/// return from the per-node hot paths.
public struct Status: Sendable, Hashable {
    public enum Code: Sendable, Hashable {
        case success
        /// An internal problem (a bug, or state that should not occur); scheduling fails
        /// with an error, not as unschedulable.
        case error
        /// The pod does not fit now, but preemption (removing pods) might make it fit.
        case unschedulable
        /// The pod does not fit, and preemption cannot help (labels, taints, node name…).
        case unschedulableAndUnresolvable
        /// From PreFilter or PreScore: this plugin has nothing to check or score for the pod;
        /// its Filter or Score is not run this cycle.
        case skip
    }

    private final class Details: Sendable {
        let reasons: [String]
        let plugin: String?

        init(reasons: [String], plugin: String?) {
            self.reasons = reasons
            self.plugin = plugin
        }
    }

    public var code: Code
    private var details: Details?

    public init(_ code: Code, _ reasons: [String] = [], plugin: String? = nil) {
        self.code = code
        details = reasons.isEmpty && plugin == nil ? nil : Details(reasons: reasons, plugin: plugin)
    }

    public init(_ code: Code, _ reason: String, plugin: String? = nil) {
        self.init(code, [reason], plugin: plugin)
    }

    /// The reasons shown to users.
    public var reasons: [String] {
        get { details?.reasons ?? [] }
        set { details = Details(reasons: newValue, plugin: plugin) }
    }

    /// The plugin that returned this status; set by the framework.
    public var plugin: String? {
        get { details?.plugin }
        set { details = Details(reasons: reasons, plugin: newValue) }
    }

    public static var success: Status { Status(.success) }
    public static var skip: Status { Status(.skip) }

    /// An `.error` status with `message`.
    public static func error(_ message: String) -> Status { Status(.error, [message]) }

    public var isSuccess: Bool { code == .success }
    public var isSkip: Bool { code == .skip }
    /// Unschedulable or unschedulable-and-unresolvable.
    public var isRejected: Bool { code == .unschedulable || code == .unschedulableAndUnresolvable }

    /// The reasons joined by ", " (upstream `Message()`).
    public var message: String { reasons.joined(separator: ", ") }

    /// This status attributed to `plugin`.
    public func with(plugin: String) -> Status {
        var copy = self
        copy.plugin = plugin
        return copy
    }

    public static func == (lhs: Status, rhs: Status) -> Bool {
        lhs.code == rhs.code && lhs.reasons == rhs.reasons && lhs.plugin == rhs.plugin
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(reasons)
        hasher.combine(plugin)
    }
}

extension Status: CustomStringConvertible {
    public var description: String {
        let name: String
        switch code {
        case .success: name = "Success"
        case .error: name = "Error"
        case .unschedulable: name = "Unschedulable"
        case .unschedulableAndUnresolvable: name = "UnschedulableAndUnresolvable"
        case .skip: name = "Skip"
        }
        return reasons.isEmpty ? name : "\(name): \(message)"
    }
}
