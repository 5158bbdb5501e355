import APIMachinery
import APIServer
import Testing

/// PodDisruptionBudgets.
struct PolicyValidationTests {
    static let kind = GroupVersionKind(group: "policy", version: "v1", kind: "PodDisruptionBudget")

    static func pdbJSON(_ spec: String) -> String {
        #"{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"db","namespace":"default"},"spec":{\#(spec)}}"#
    }

    static let selector = #""selector":{"matchLabels":{"app":"db"}}"#

    static let cases: [KindValidationCase] = [
        KindValidationCase(
            "valid percentage", pdbJSON(#""minAvailable":"50%","# + selector + #","unhealthyPodEvictionPolicy":"AlwaysAllow""#), []),
        KindValidationCase("valid count", pdbJSON(#""maxUnavailable":1,"# + selector), []),
        KindValidationCase("nothing set", pdbJSON(""), []),
        KindValidationCase(
            "both bounds set", pdbJSON(#""minAvailable":1,"maxUnavailable":1,"# + selector),
            [
                // Upstream prints each set pointer's address where the `…` is.
                "spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(…), Selector:(*v1.LabelSelector)(…), MaxUnavailable:(*intstr.IntOrString)(…), UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: minAvailable and maxUnavailable cannot be both set"
            ]),
        KindValidationCase(
            "negative count", pdbJSON(#""minAvailable":-1"#),
            ["spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"]),
        KindValidationCase(
            "percentages", pdbJSON(#""maxUnavailable":"150%""#),
            ["spec.maxUnavailable: Invalid value: 150%: must not be greater than 100%"]),
        KindValidationCase(
            "not a percentage", pdbJSON(#""minAvailable":"half""#),
            [
                "spec.minAvailable: Invalid value: half: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
            ]),
        KindValidationCase(
            "eviction policy", pdbJSON(#""maxUnavailable":1,"unhealthyPodEvictionPolicy":"Never""#),
            [#"spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget""#]),
        KindValidationCase(
            "selector", pdbJSON(#""maxUnavailable":1,"selector":{"matchLabels":{"app":"-x"}}"#),
            [#"spec.selector.matchLabels: Invalid value: "-x": "# + KindValidation.labelValueMessage]),
    ]

    @Test(arguments: cases)
    func create(_ testCase: KindValidationCase) throws {
        #expect(try KindValidation.errors(testCase.json, kind: Self.kind, namespaced: true) == testCase.expected)
    }

    @Test func specMayChange() throws {
        let old = Self.pdbJSON(#""minAvailable":1,"# + Self.selector)
        let changed = Self.pdbJSON(#""maxUnavailable":"25%","selector":{"matchLabels":{"app":"db2"}}"#)
        #expect(try KindValidation.errors(changed, kind: Self.kind, namespaced: true, old: old) == [])
        let broken = Self.pdbJSON(#""maxUnavailable":-2"#)
        #expect(
            try KindValidation.errors(broken, kind: Self.kind, namespaced: true, old: old) == [
                "spec.maxUnavailable: Invalid value: -2: must be greater than or equal to 0"
            ])
    }
}
