import APIMachinery
import APIServer
import Testing

/// HorizontalPodAutoscalers in both served versions.
struct AutoscalingValidationTests {
    static let v2 = GroupVersionKind(group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler")
    static let v1 = GroupVersionKind(group: "autoscaling", version: "v1", kind: "HorizontalPodAutoscaler")

    static let target = #""scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"}"#
    static let cpu = #"{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}}"#

    static func v2JSON(_ spec: String) -> String {
        #"{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"web","namespace":"default"},"spec":{\#(spec)}}"#
    }

    /// A valid spec with the given metrics and extra members.
    static func withMetrics(_ metrics: String, _ extra: String = "") -> String {
        v2JSON([target, #""minReplicas":1,"maxReplicas":5"#, #""metrics":\#(metrics)"#, extra].filter { !$0.isEmpty }.joined(separator: ","))
    }

    static func v1JSON(_ spec: String) -> String {
        #"{"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"web","namespace":"default"},"spec":{\#(spec)}}"#
    }

    static let cases: [KindValidationCase] = [
        KindValidationCase(
            "valid autoscaler",
            v2JSON(
                target
                    + #","minReplicas":2,"maxReplicas":10,"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}},{"type":"Pods","pods":{"metric":{"name":"requests_per_second"},"target":{"type":"AverageValue","averageValue":"1k"}}},{"type":"Object","object":{"describedObject":{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","name":"main"},"metric":{"name":"hits"},"target":{"type":"Value","value":"10k"}}},{"type":"External","external":{"metric":{"name":"queue_length","selector":{"matchLabels":{"queue":"jobs"}}},"target":{"type":"AverageValue","averageValue":"30"}}},{"type":"ContainerResource","containerResource":{"name":"memory","container":"app","target":{"type":"AverageValue","averageValue":"500Mi"}}}],"behavior":{"scaleDown":{"stabilizationWindowSeconds":300,"policies":[{"type":"Percent","value":10,"periodSeconds":60}]},"scaleUp":{"selectPolicy":"Max"}}"#
            ), []),
        KindValidationCase(
            "replica bounds", v2JSON(target + #","minReplicas":0,"maxReplicas":0,"metrics":[\#(cpu)]"#),
            [
                "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
                "spec.maxReplicas: Invalid value: 0: must be greater than 0",
                "spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas",
            ]),
        KindValidationCase(
            "max below min", v2JSON(target + #","minReplicas":5,"maxReplicas":3"#),
            ["spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`"]),
        KindValidationCase(
            "missing target reference", v2JSON(#""maxReplicas":3"#),
            ["spec.scaleTargetRef.kind: Required value", "spec.scaleTargetRef.name: Required value"]),
        KindValidationCase(
            "target reference segments", v2JSON(#""scaleTargetRef":{"kind":"Deploy/ment","name":".."},"maxReplicas":3"#),
            [
                #"spec.scaleTargetRef.kind: Invalid value: "Deploy/ment": may not contain '/'"#,
                #"spec.scaleTargetRef.name: Invalid value: "..": may not be '..'"#,
            ]),
        KindValidationCase(
            "metric types",
            withMetrics(
                #"[{"type":""},{"type":"Resource"},{"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"1"}},"resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}},{"type":"Foo"}]"#
            ),
            [
                "spec.metrics[0].type: Required value: must specify a metric source type",
                #"spec.metrics[0].type: Unsupported value: "": supported values: "ContainerResource", "External", "Object", "Pods", "Resource""#,
                "spec.metrics[1].resource: Required value: must populate information for the given metric source",
                "spec.metrics[2].resource: Forbidden: must populate the given metric source only",
                #"spec.metrics[3].type: Unsupported value: "Foo": supported values: "ContainerResource", "External", "Object", "Pods", "Resource""#,
            ]),
        KindValidationCase(
            "resource targets",
            withMetrics(#"[{"type":"Resource","resource":{"name":"","target":{"type":"Ratio","averageUtilization":0,"averageValue":"-1"}}}]"#),
            [
                "spec.metrics[0].resource.name: Required value: must specify a resource name",
                #"spec.metrics[0].resource.target.type: Invalid value: "Ratio": must be either Utilization, Value, or AverageValue"#,
                "spec.metrics[0].resource.target.averageValue: Invalid value: -1: must be positive",
                "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
                "spec.metrics[0].resource.target.averageValue: Forbidden: may not set both a target raw value and a target utilization",
            ]),
        KindValidationCase(
            "pods source", withMetrics(#"[{"type":"Pods","pods":{"metric":{"name":""},"target":{"type":"Value","value":"5"}}}]"#),
            [
                "spec.metrics[0].pods.metric.name: Required value: must specify a metric name",
                "spec.metrics[0].pods.target.averageValue: Required value: must specify a positive target averageValue",
            ]),
        KindValidationCase(
            "object source", withMetrics(#"[{"type":"Object","object":{"describedObject":{"kind":"Service"},"metric":{"name":"hits"},"target":{"type":"Value","value":"0"}}}]"#),
            [
                "spec.metrics[0].object.describedObject.name: Required value",
                "spec.metrics[0].object.target.value: Invalid value: 0: must be positive",
            ]),
        KindValidationCase(
            "external source", withMetrics(#"[{"type":"External","external":{"metric":{"name":"a/b"},"target":{"type":"Value","value":"1","averageValue":"2"}}}]"#),
            [
                #"spec.metrics[0].external.metric.name: Invalid value: "a/b": may not contain '/'"#,
                "spec.metrics[0].external.target.value: Forbidden: may not set both a target value for metric and a per-pod target",
            ]),
        KindValidationCase(
            "container resource source",
            withMetrics(#"[{"type":"ContainerResource","containerResource":{"name":"gpu","container":"App","target":{"type":"Utilization"}}}]"#),
            [
                #"spec.metrics[0].containerResource.name: Invalid value: "gpu": must be a standard resource type or fully qualified"#,
                #"spec.metrics[0].containerResource.name: Invalid value: "gpu": must be a standard resource for containers"#,
                #"spec.metrics[0].containerResource.container: Invalid value: "App": "# + KindValidation.labelMessage,
                "spec.metrics[0].containerResource.target.averageUtilization: Required value: must set either a target raw value or a target utilization",
            ]),
        KindValidationCase(
            "behavior",
            withMetrics(
                "[\(cpu)]",
                #""behavior":{"scaleUp":{"stabilizationWindowSeconds":-1,"selectPolicy":"Random","policies":[]},"scaleDown":{"stabilizationWindowSeconds":3601,"policies":[{"type":"Nodes","value":0,"periodSeconds":1801}]}}"#
            ),
            [
                "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: -1: must be greater than or equal to zero",
                #"spec.behavior.scaleUp.selectPolicy: Unsupported value: "Random": supported values: "Disabled", "Max", "Min""#,
                "spec.behavior.scaleUp.policies: Required value: must specify at least one Policy",
                "spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600",
                #"spec.behavior.scaleDown.policies[0].type: Unsupported value: "Nodes": supported values: "Percent", "Pods""#,
                "spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero",
                "spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800",
            ]),
        KindValidationCase(
            "rules without policies are defaulted", withMetrics("[\(cpu)]", #""behavior":{"scaleDown":{"stabilizationWindowSeconds":60}}"#), []),
    ]

    @Test(arguments: cases)
    func v2(_ testCase: KindValidationCase) throws {
        #expect(try KindValidation.errors(testCase.json, kind: Self.v2, namespaced: true) == testCase.expected)
    }

    @Test func v1ObjectsReportInternalPaths() throws {
        let valid = Self.v1JSON(Self.target + #","minReplicas":1,"maxReplicas":5,"targetCPUUtilizationPercentage":80"#)
        #expect(try KindValidation.errors(valid, kind: Self.v1, namespaced: true) == [])
        let invalid = Self.v1JSON(Self.target + #","minReplicas":0,"maxReplicas":5,"targetCPUUtilizationPercentage":0"#)
        #expect(
            try KindValidation.errors(invalid, kind: Self.v1, namespaced: true) == [
                "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
                "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
                "spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas",
            ])
        // minReplicas defaults to 1, so a zero maximum is also below it.
        let noTarget = Self.v1JSON(#""maxReplicas":0"#)
        #expect(
            try KindValidation.errors(noTarget, kind: Self.v1, namespaced: true) == [
                "spec.maxReplicas: Invalid value: 0: must be greater than 0",
                "spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`",
                "spec.scaleTargetRef.kind: Required value",
                "spec.scaleTargetRef.name: Required value",
            ])
    }

    /// Defaulting fills a rule's missing policies; validation alone requires them, as
    /// upstream does for an absent list as for an empty one.
    @Test func policiesAreRequiredWithoutDefaulting() throws {
        let json = Self.withMetrics("[\(Self.cpu)]", #""behavior":{"scaleDown":{"stabilizationWindowSeconds":60}}"#)
        let object = try JSONCodec.parse(json)
        #expect(
            Validation.validate(object, old: nil, gvk: Self.v2, namespaced: true).map(\.description) == [
                "spec.behavior.scaleDown.policies: Required value: must specify at least one Policy"
            ])
        #expect(try KindValidation.errors(json, kind: Self.v2, namespaced: true) == [])
    }

    @Test func zeroReplicasStayAllowedOnceStored() throws {
        let objectMetric =
            #"[{"type":"Object","object":{"describedObject":{"kind":"Service","name":"web"},"metric":{"name":"hits"},"target":{"type":"Value","value":"10"}}}]"#
        let zero = Self.v2JSON(Self.target + #","minReplicas":0,"maxReplicas":5,"metrics":\#(objectMetric)"#)
        #expect(
            try KindValidation.errors(zero, kind: Self.v2, namespaced: true) == [
                "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"
            ])
        #expect(try KindValidation.errors(zero, kind: Self.v2, namespaced: true, old: zero) == [])
        let one = Self.withMetrics(objectMetric)
        #expect(
            try KindValidation.errors(zero, kind: Self.v2, namespaced: true, old: one) == [
                "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"
            ])
        #expect(try KindValidation.errors(one, kind: Self.v2, namespaced: true, old: zero) == [])
    }
}
