import APIMachinery
import APIServer
import Testing

/// StorageClasses.
struct StorageClassValidationTests {
    static let kind = GroupVersionKind(group: "storage.k8s.io", version: "v1", kind: "StorageClass")

    static func classJSON(_ members: String) -> String {
        #"{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"fast"}\#(members.isEmpty ? "" : "," + members)}"#
    }

    static let provisioner = #""provisioner":"ebs.csi.aws.com""#

    static let cases: [KindValidationCase] = [
        KindValidationCase(
            "valid class",
            classJSON(
                #""provisioner":"kubernetes.io/no-provisioner","parameters":{"type":"ssd"},"volumeBindingMode":"WaitForFirstConsumer","allowVolumeExpansion":true,"allowedTopologies":[{"matchLabelExpressions":[{"key":"topology.kubernetes.io/zone","values":["us-east-1a","us-east-1b"]}]}]"#
            ), []),
        KindValidationCase("missing provisioner", classJSON(""), ["provisioner: Required value"]),
        KindValidationCase(
            "provisioner is a qualified name", classJSON(#""provisioner":"Example.com/My Provisioner""#),
            [#"provisioner: Invalid value: "example.com/my provisioner": "# + KindValidation.qualifiedNameMessage]),
        KindValidationCase(
            "policies", classJSON(provisioner + #","reclaimPolicy":"Recycle","volumeBindingMode":"Later""#),
            [
                #"reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain""#,
                #"volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer""#,
            ]),
        KindValidationCase(
            "empty parameter key", classJSON(provisioner + #","parameters":{"":"x"}"#),
            [#"parameters: Invalid value: "": field can not be empty."#]),
        KindValidationCase(
            "too many parameters",
            classJSON(provisioner + #","parameters":{"# + (0...512).map { #""k\#($0)":"v""# }.joined(separator: ",") + "}"),
            ["parameters: Too long: must have at most 512 bytes"]),
        KindValidationCase(
            "parameters too large", classJSON(provisioner + #","parameters":{"k":"\#(String(repeating: "v", count: 256 * 1024))"}"#),
            ["parameters: Too long: must have at most 262144 bytes"]),
        KindValidationCase(
            "allowed topologies",
            classJSON(
                provisioner
                    + #","allowedTopologies":[{"matchLabelExpressions":[{"key":"zone","values":[]},{"key":"zone","values":["a","a"]}]},{"matchLabelExpressions":[{"key":"rack","values":["r1"]}]},{"matchLabelExpressions":[{"key":"rack","values":["r1"]}]},{},{"matchLabelExpressions":[{"key":"bad key","values":["x"]}]}]"#
            ),
            [
                "allowedTopologies[0].matchLabelExpressions[0].values: Required value",
                #"allowedTopologies[0].matchLabelExpressions[1].values[1]: Duplicate value: "a""#,
                #"allowedTopologies[0].matchLabelExpressions[1].key: Duplicate value: "zone""#,
                #"allowedTopologies[2].matchLabelExpressions: Duplicate value: """#,
                #"allowedTopologies[3].matchLabelExpressions: Duplicate value: """#,
                #"allowedTopologies[4].matchLabelExpressions[0].key: Invalid value: "bad key": "# + KindValidation.qualifiedNameMessage,
            ]),
    ]

    @Test(arguments: cases)
    func create(_ testCase: KindValidationCase) throws {
        #expect(try KindValidation.errors(testCase.json, kind: Self.kind, namespaced: false) == testCase.expected)
    }

    @Test func defaultsAreValid() throws {
        // Defaulting fills reclaimPolicy Delete and volumeBindingMode Immediate.
        #expect(try KindValidation.errors(Self.classJSON(Self.provisioner), kind: Self.kind, namespaced: false) == [])
    }

    @Test func provisionerParametersAndPoliciesAreImmutable() throws {
        let old = Self.classJSON(Self.provisioner + #","parameters":{"type":"gp3"}"#)
        let changed = Self.classJSON(
            #""provisioner":"disk.csi.azure.com","parameters":{"type":"io2"},"reclaimPolicy":"Retain","volumeBindingMode":"WaitForFirstConsumer""#)
        #expect(
            try KindValidation.errors(changed, kind: Self.kind, namespaced: false, old: old) == [
                "parameters: Forbidden: updates to parameters are forbidden.",
                "provisioner: Forbidden: updates to provisioner are forbidden.",
                "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.",
                #"volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable"#,
            ])
        let expandable = Self.classJSON(Self.provisioner + #","parameters":{"type":"gp3"},"allowVolumeExpansion":true,"mountOptions":["debug"]"#)
        #expect(try KindValidation.errors(expandable, kind: Self.kind, namespaced: false, old: old) == [])
        // Absent and empty parameters differ, as upstream's reflect.DeepEqual has it.
        let emptied = Self.classJSON(Self.provisioner + #","parameters":{}"#)
        #expect(
            try KindValidation.errors(emptied, kind: Self.kind, namespaced: false, old: Self.classJSON(Self.provisioner)) == [
                "parameters: Forbidden: updates to parameters are forbidden."
            ])
    }
}
