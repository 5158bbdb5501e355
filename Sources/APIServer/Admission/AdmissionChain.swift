import APIMachinery

/// The admission plugins a server runs, in kube-apiserver's order: every mutating plugin, then
/// (after validation) every validating one.
///
/// `--enable-admission-plugins` adds to the plugins on by default and `--disable-admission-plugins`
/// removes from them, as kube-apiserver's flags do; naming a plugin Skiff does not have is an
/// error at start (never a plugin silently skipped).
public struct AdmissionChain: Sendable {
    /// Skiff's plugins in upstream's recommended order, and whether each is on by default.
    static let known: [(name: String, onByDefault: Bool)] = [
        ("NamespaceLifecycle", true),
        ("Priority", true),
    ]

    /// The names of the plugins that run.
    public let enabled: [String]
    let mutating: [any MutatingAdmissionPlugin]
    let validating: [any ValidatingAdmissionPlugin]

    /// The default plugins plus `enable` minus `disable`; throws for an unknown name.
    public init(enable: [String] = [], disable: [String] = [], registry: ResourceRegistry, stores: StoreRegistry) throws {
        let names = Set(Self.known.map(\.name))
        for name in enable + disable where !names.contains(name) {
            throw AdmissionConfigurationError(message: "admission plugin \"\(name)\" is unknown or not implemented by Skiff (it has: \(Self.known.map(\.name).joined(separator: ", ")))")
        }
        enabled = Self.known.filter { ($0.onByDefault || enable.contains($0.name)) && !disable.contains($0.name) }.map(\.name)
        var mutating: [any MutatingAdmissionPlugin] = []
        var validating: [any ValidatingAdmissionPlugin] = []
        for name in enabled {
            switch name {
            case "NamespaceLifecycle": validating.append(NamespaceLifecycle(registry: registry, stores: stores))
            case "Priority": mutating.append(PriorityAdmission(registry: registry, stores: stores))
            default: break
            }
        }
        self.mutating = mutating
        self.validating = validating
    }

    /// Runs every mutating plugin on `object`.
    func admit(_ request: AdmissionRequest, object: inout JSONObject, old: JSONObject?) async throws {
        for plugin in mutating { try await plugin.admit(request, object: &object, old: old) }
    }

    /// Runs every validating plugin.
    func validate(_ request: AdmissionRequest, object: JSONObject?, old: JSONObject?) async throws {
        for plugin in validating { try await plugin.validate(request, object: object, old: old) }
    }
}

/// A bad `--enable-admission-plugins` / `--disable-admission-plugins`.
public struct AdmissionConfigurationError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
