/// A patch that could not be applied: `JSONPatch` and `StrategicMergePatch` throw it.
///
/// `message` follows the wording of the libraries kube-apiserver uses (evanphx/json-patch for
/// JSON patch, `k8s.io/apimachinery/pkg/util/strategicpatch` for strategic merge patch), so it
/// can be put in a `Status` unchanged. `kind` says which HTTP answer fits.
public struct PatchError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The patch document is malformed (not a list of operations, a directive of the
        /// wrong shape, a merge key missing, an unknown `$patch`): answer 400 BadRequest with
        /// `message`. (kube-apiserver answers some strategic-merge cases of this kind with a
        /// 500 instead; a 400 is the honest answer.)
        case badRequest
        /// The patch is well formed but does not apply to this object (a path that does not
        /// exist, a failed `test`, content outside `$retainKeys`): kube-apiserver answers 422
        /// with reason `Invalid`; for JSON patch its status message is then just
        /// `PatchError.rejectedRequestMessage`, without `message`.
        case unprocessable
        /// The patch is over a size limit (a JSON patch of more than 10,000 operations):
        /// answer 413 RequestEntityTooLarge with `message`, as kube-apiserver does.
        case tooLarge
    }

    /// The `Status.message` kube-apiserver sends with its 422 answer to a patch that does not apply.
    public static let rejectedRequestMessage = "the server rejected our request due to an error in our request"

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The `Status` kube-apiserver answers this error with.
    public var status: MetaV1.Status {
        switch kind {
        case .badRequest: .failure(.badRequest, message: message)
        case .unprocessable: .failure(.invalid, message: message)
        case .tooLarge: .failure(.requestEntityTooLarge, message: message)
        }
    }

    public var description: String { message }

    // MARK: Strategic merge patch messages

    static func unknownPatchType(_ directive: JSONValue, in object: JSONObject) -> PatchError {
        PatchError(.badRequest, "unknown patch type: \(directive.goFormatted) in map: \(JSONValue.object(object).goFormatted)")
    }

    static func missingMergeKey(_ key: String, in object: JSONObject) -> PatchError {
        PatchError(.badRequest, "map: \(JSONValue.object(object).goFormatted) does not contain declared merge key: \(key)")
    }
}

extension JSONValue {
    /// The value as Go's `fmt` prints a decoded `interface{}` with `%v` (`map[a:1 b:[x y]]`, `<nil>`);
    /// used to word errors the way Kubernetes does.
    var goFormatted: String {
        switch self {
        case .null: "<nil>"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): (d == d.rounded() && abs(d) < 1e15) ? String(Int64(d)) : "\(d)"
        case .string(let s): s
        case .array(let a): "[" + a.map(\.goFormatted).joined(separator: " ") + "]"
        case .object(let o):
            "map[" + o.members.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.goFormatted)" }.joined(separator: " ") + "]"
        }
    }

    /// Go's name for the kind of a decoded value (`map`, `slice`, `string`, …) in "expected a …" errors.
    var goKind: String {
        switch self {
        case .null: "nil"
        case .bool: "bool"
        case .int, .double: "float64"
        case .string: "string"
        case .array: "slice"
        case .object: "map"
        }
    }
}
