import APIMachinery
import APIServer
import Testing

/// NetworkPolicies and IngressClasses.
struct NetworkingValidationTests {
    static let policy = GroupVersionKind(group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy")
    static let ingressClass = GroupVersionKind(group: "networking.k8s.io", version: "v1", kind: "IngressClass")

    static func policyJSON(_ spec: String) -> String {
        #"{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"db","namespace":"default"},"spec":{\#(spec)}}"#
    }

    static func ingressRule(ports: String = "[]", from: String = "[]") -> String {
        #""podSelector":{},"ingress":[{"ports":\#(ports),"from":\#(from)}]"#
    }

    // MARK: NetworkPolicy

    static let policyCases: [KindValidationCase] = [
        KindValidationCase(
            "valid policy",
            policyJSON(
                #""podSelector":{"matchLabels":{"app":"db"}},"policyTypes":["Ingress","Egress"],"ingress":[{"from":[{"podSelector":{"matchLabels":{"role":"api"}}},{"namespaceSelector":{},"podSelector":{}},{"ipBlock":{"cidr":"10.0.0.0/8","except":["10.1.0.0/16"]}}],"ports":[{"protocol":"TCP","port":5432},{"port":"metrics"},{"port":30000,"endPort":32767}]}],"egress":[{"to":[{"ipBlock":{"cidr":"2001:db8::/32","except":["2001:db8:1::/48"]}}]}]"#
            ), []),
        KindValidationCase("deny all", policyJSON(#""podSelector":{},"policyTypes":["Ingress"]"#), []),
        KindValidationCase(
            "ports",
            policyJSON(
                ingressRule(
                    ports:
                        #"[{"protocol":"ICMP","port":0},{"port":80,"endPort":79},{"port":"http","endPort":90},{"endPort":90},{"port":"-bad--"},{"port":80,"endPort":70000}]"#
                )),
            [
                #"spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP""#,
                "spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                "spec.ingress[0].ports[1].endPort: Invalid value: 79: must be greater than or equal to `port`",
                "spec.ingress[0].ports[2].endPort: Invalid value: 90: may not be specified when `port` is non-numeric",
                "spec.ingress[0].ports[3].endPort: Invalid value: 90: may not be specified when `port` is not specified",
                #"spec.ingress[0].ports[4].port: Invalid value: "-bad--": must not contain consecutive hyphens"#,
                #"spec.ingress[0].ports[4].port: Invalid value: "-bad--": must not begin or end with a hyphen"#,
                "spec.ingress[0].ports[5].endPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            ]),
        KindValidationCase(
            "peers",
            policyJSON(
                ingressRule(
                    from:
                        #"[{},{"ipBlock":{"cidr":"10.0.0.0/8"},"podSelector":{}},{"ipBlock":{"cidr":""}},{"ipBlock":{"cidr":"10.0.0.0/33"}},{"ipBlock":{"cidr":"10.0.0.0/16","except":["10.0.0.0/16","10.2.0.0/24","fd00::/64","bad","10.0.5.0/24"]}}]"#
                )),
            [
                "spec.ingress[0].from[0]: Required value: must specify a peer",
                "spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer",
                "spec.ingress[0].from[2].ipBlock.cidr: Required value",
                #"spec.ingress[0].from[3].ipBlock.cidr: Invalid value: "10.0.0.0/33": "# + KindValidation.cidrMessage,
                #"spec.ingress[0].from[4].ipBlock.except[0]: Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`"#,
                #"spec.ingress[0].from[4].ipBlock.except[1]: Invalid value: "10.2.0.0/24": must be a strict subset of `cidr`"#,
                #"spec.ingress[0].from[4].ipBlock.except[2]: Invalid value: "fd00::/64": must be a strict subset of `cidr`"#,
                #"spec.ingress[0].from[4].ipBlock.except[3]: Invalid value: "bad": "# + KindValidation.cidrMessage,
            ]),
        KindValidationCase(
            "selectors",
            policyJSON(
                #""podSelector":{"matchExpressions":[{"key":"app","operator":"Has"}]},"egress":[{"to":[{"namespaceSelector":{"matchLabels":{"team":"-x"}}}]}]"#),
            [
                #"spec.podSelector.matchExpressions[0].operator: Invalid value: "Has": not a valid selector operator"#,
                #"spec.egress[0].to[0].namespaceSelector.matchLabels: Invalid value: "-x": "# + KindValidation.labelValueMessage,
            ]),
        KindValidationCase(
            "policy types", policyJSON(#""podSelector":{},"policyTypes":["Ingress","Both"]"#),
            [#"spec.policyTypes[1]: Unsupported value: "Both": supported values: "Ingress", "Egress""#]),
        KindValidationCase(
            "too many policy types", policyJSON(#""podSelector":{},"policyTypes":["Ingress","Egress","Ingress"]"#),
            [#"spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: may not specify more than two policyTypes"#]),
    ]

    @Test(arguments: policyCases)
    func networkPolicy(_ testCase: KindValidationCase) throws {
        #expect(try KindValidation.errors(testCase.json, kind: Self.policy, namespaced: true) == testCase.expected)
    }

    @Test func networkPolicyUpdatesAreCheckedLikeCreates() throws {
        let old = Self.policyJSON(#""podSelector":{"matchLabels":{"app":"db"}}"#)
        let widened = Self.policyJSON(#""podSelector":{},"ingress":[{}]"#)
        #expect(try KindValidation.errors(widened, kind: Self.policy, namespaced: true, old: old) == [])
        let broken = Self.policyJSON(#""podSelector":{},"policyTypes":["Sideways"]"#)
        #expect(
            try KindValidation.errors(broken, kind: Self.policy, namespaced: true, old: old) == [
                #"spec.policyTypes[0]: Unsupported value: "Sideways": supported values: "Ingress", "Egress""#
            ])
    }

    // MARK: IngressClass

    static func classJSON(_ spec: String) -> String {
        #"{"apiVersion":"networking.k8s.io/v1","kind":"IngressClass","metadata":{"name":"nginx"},"spec":{\#(spec)}}"#
    }

    static let classCases: [KindValidationCase] = [
        KindValidationCase(
            "valid class",
            classJSON(
                #""controller":"k8s.io/ingress-nginx","parameters":{"apiGroup":"k8s.example.com","kind":"IngressParameters","name":"external-lb","scope":"Namespace","namespace":"ingress"}"#
            ), []),
        KindValidationCase(
            "parameters without a scope are defaulted to Cluster", classJSON(#""controller":"example.com/lb","parameters":{"kind":"LBConfig","name":"main"}"#), []),
        KindValidationCase("missing controller", classJSON(""), ["spec.controller: Required value"]),
        KindValidationCase(
            "controller without a domain", classJSON(#""controller":"nginx""#),
            [#"spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")"#]),
        KindValidationCase(
            "controller host and path", classJSON(#""controller":"Example.com/path with space""#),
            [
                #"spec.controller: Invalid value: "Example.com": "# + KindValidation.subdomainMessage,
                #"spec.controller: Invalid value: "path with space": Invalid path (regex used for validation is '[A-Za-z0-9/\-._~%!$&'()*+,;=:]+')"#,
            ]),
        KindValidationCase(
            "controller too long", classJSON(#""controller":"example.com/\#(String(repeating: "a", count: 240))""#),
            ["spec.controller: Too long: must have at most 250 bytes"]),
        KindValidationCase(
            "parameters", classJSON(#""controller":"example.com/lb","parameters":{"apiGroup":"Bad_Group","kind":"","name":"a/b","scope":"Galaxy"}"#),
            [
                #"spec.parameters.apiGroup: Invalid value: "Bad_Group": "# + KindValidation.subdomainMessage,
                "spec.parameters.kind: Required value",
                #"spec.parameters.name: Invalid value: "a/b": may not contain '/'"#,
                #"spec.parameters.scope: Unsupported value: "Galaxy": supported values: "Cluster", "Namespace""#,
            ]),
        KindValidationCase(
            "namespace scope needs a namespace",
            classJSON(#""controller":"example.com/lb","parameters":{"kind":"LBConfig","name":"main","scope":"Namespace"}"#),
            ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"]),
        KindValidationCase(
            "cluster scope takes no namespace",
            classJSON(#""controller":"example.com/lb","parameters":{"kind":"LBConfig","name":"main","scope":"Cluster","namespace":"x"}"#),
            ["spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"]),
    ]

    @Test(arguments: classCases)
    func ingressClass(_ testCase: KindValidationCase) throws {
        #expect(try KindValidation.errors(testCase.json, kind: Self.ingressClass, namespaced: false) == testCase.expected)
    }

    @Test func controllerIsImmutable() throws {
        let old = Self.classJSON(#""controller":"example.com/lb""#)
        let changed = Self.classJSON(#""controller":"example.com/other""#)
        #expect(
            try KindValidation.errors(changed, kind: Self.ingressClass, namespaced: false, old: old) == [
                #"spec.controller: Invalid value: "example.com/other": field is immutable"#
            ])
        let withParameters = Self.classJSON(#""controller":"example.com/lb","parameters":{"kind":"LBConfig","name":"main"}"#)
        #expect(try KindValidation.errors(withParameters, kind: Self.ingressClass, namespaced: false, old: old) == [])
    }

    /// Defaulting supplies the scope; validation alone requires it (and then skips the
    /// namespace checks), as upstream does.
    @Test func scopeIsRequiredWithoutDefaulting() throws {
        let object = try JSONCodec.parse(
            Self.classJSON(#""controller":"example.com/lb","parameters":{"kind":"LBConfig","name":"main","namespace":"x"}"#))
        #expect(
            Validation.validate(object, old: nil, gvk: Self.ingressClass, namespaced: false).map(\.description) == [
                "spec.parameters.scope: Required value"
            ])
        let defaulted = Defaulting.apply(object, gvk: Self.ingressClass)
        #expect(
            Validation.validate(defaulted, old: nil, gvk: Self.ingressClass, namespaced: false).map(\.description) == [
                "spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"
            ])
    }
}
