import APIMachinery

/// What an admission plugin is asked about: the operation, the resource and the object.
struct AdmissionRequest: Sendable {
    enum Operation: String, Sendable {
        case create = "CREATE", update = "UPDATE", delete = "DELETE"
    }

    var operation: Operation
    var resource: ResourceInfo
    var subresource: String?
    var namespace: String?
    var name: String
    var dryRun: Bool
}

/// An admission plugin, named as kube-apiserver names it (`--enable-admission-plugins`).
protocol AdmissionPlugin: Sendable {
    var name: String { get }
}

/// Changes an object on its way in (kube-apiserver's `MutationInterface`); runs before
/// validation. Throwing refuses the request with the thrown `StatusError`.
protocol MutatingAdmissionPlugin: AdmissionPlugin {
    func admit(_ request: AdmissionRequest, object: inout JSONObject, old: JSONObject?) async throws
}

/// Accepts or refuses a request after validation, without changing it (`ValidationInterface`).
protocol ValidatingAdmissionPlugin: AdmissionPlugin {
    func validate(_ request: AdmissionRequest, object: JSONObject?, old: JSONObject?) async throws
}
