import APIMachinery
import APIServer
import Testing

/// One JSON object of a kind and the exact `field: message` lines Kubernetes 1.32 reports for
/// it, in order.
struct KindValidationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var json: String
    var expected: [String]
    var testDescription: String { name }

    init(_ name: String, _ json: String, _ expected: [String]) {
        self.name = name
        self.json = json
        self.expected = expected
    }
}

/// Helpers shared by the per-kind validation tests: objects go through defaulting first, as
/// the request pipeline does, then `Validation.validate`.
enum KindValidation {
    static func errors(_ json: String, kind: GroupVersionKind, namespaced: Bool, old: String? = nil) throws -> [String] {
        let object = Defaulting.apply(try JSONCodec.parse(json), gvk: kind)
        let previous = try old.map { Defaulting.apply(try JSONCodec.parse($0), gvk: kind) }
        return Validation.validate(object, old: previous, gvk: kind, namespaced: namespaced).map(\.description)
    }

    // MARK: Upstream messages

    static let subdomainMessage =
        #"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
    static let labelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    static let qualifiedNameMessage =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    static let labelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    static let ipMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
    static let cidrMessage = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
    static let loopbackMessage = "may not be in the loopback range (127.0.0.0/8, ::1/128)"
    static let linkLocalMessage = "may not be in the link-local range (169.254.0.0/16, fe80::/10)"
}
