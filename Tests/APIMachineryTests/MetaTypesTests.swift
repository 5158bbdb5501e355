import Testing

@testable import APIMachinery

struct TimeTests {
    @Test(arguments: [
        ("2008-01-01T01:01:01Z", "2008-01-01T01:01:01Z"),
        ("2008-01-01T03:01:01+02:00", "2008-01-01T01:01:01Z"),
        ("2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
    ])
    func rfc3339(input: String, canonical: String) throws {
        #expect(try Time(rfc3339: input).description == canonical)
    }

    @Test(arguments: ["2008-01-01", "2008-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2008-01-01T01:01:01", "x"])
    func badTimes(input: String) {
        #expect(throws: TimestampError.self) { try Time(rfc3339: input) }
    }

    @Test func microTime() throws {
        let t = try MicroTime(rfc3339: "2008-01-01T01:01:01.123456789Z")
        #expect(t.description == "2008-01-01T01:01:01.123456Z")
        #expect(try MicroTime(rfc3339: "2008-01-01T01:01:01Z").description == "2008-01-01T01:01:01.000000Z")
        #expect(try Time(rfc3339: "2008-01-01T01:01:01Z").secondsSinceEpoch == 1_199_149_261)
    }
}

struct DurationTests {
    @Test(arguments: [
        ("1h2m3s", "1h2m3s"), ("90s", "1m30s"), ("1.5s", "1.5s"), ("300ms", "300ms"), ("0", "0s"),
        ("2h", "2h0m0s"), ("1us", "1µs"), ("-1.5h", "-1h30m0s"), ("1h0.5m", "1h0m30s"), ("100ns", "100ns"),
    ])
    func goDurations(input: String, canonical: String) throws {
        #expect(try Duration(parsing: input).description == canonical)
    }

    @Test(arguments: ["", "1", "1x", "h", ".s", "--1s"])
    func badDurations(input: String) {
        #expect(throws: DurationError.self) { try Duration(parsing: input) }
    }
}

struct IntOrStringTests {
    @Test func bothForms() throws {
        let spec = try JSONCodec.decode(CoreV1.ServicePort.self, from: Array(#"{"port":80,"targetPort":"http"}"#.utf8))
        #expect(spec.targetPort == .string("http"))
        let numeric = try JSONCodec.decode(CoreV1.ServicePort.self, from: Array(#"{"port":80,"targetPort":8080}"#.utf8))
        #expect(numeric.targetPort == .int(8080))
        #expect(JSONCodec.encodeToString(numeric) == #"{"port":80,"targetPort":8080}"#)
        #expect(IntOrString.string("25%").scaledValue(total: 10, roundUp: true) == 3)
        #expect(IntOrString.string("25%").scaledValue(total: 10, roundUp: false) == 2)
    }
}

struct StatusTests {
    @Test func invalidStatusWording() {
        let status = MetaV1.Status.invalid(
            group: "", kind: "Pod", name: "web",
            causes: [.init(field: "spec.containers[0].image", message: "Required value", reason: CauseType.fieldValueRequired.rawValue)])
        #expect(status.message == #"Pod "web" is invalid: spec.containers[0].image: Required value"#)
        #expect(status.code == 422)
        #expect(status.reason == "Invalid")
        #expect(MetaV1.Status.notFound(group: "apps", resource: "deployments", name: "x").message == #"deployments.apps "x" not found"#)
    }
}

struct APISchemaTests {
    @Test func patchMetadataIsAvailable() throws {
        let schema = APISchema.kubernetes
        let pod = try #require(schema.type(for: CoreV1.Pod.groupVersionKind))
        let containers = try #require(schema.field(at: ["spec", "containers"], in: pod))
        #expect(containers.patchMergeKey == "name")
        #expect(containers.patchStrategies == ["merge"])
        #expect(containers.listType == "map")
        #expect(containers.listMapKeys == ["name"])
        let ports = try #require(schema.field(at: ["spec", "containers", "ports"], in: pod))
        #expect(ports.patchMergeKey == "containerPort")
        #expect(ports.listMapKeys == ["containerPort", "protocol"])
        let volumes = try #require(schema.field(at: ["spec", "volumes"], in: pod))
        #expect(volumes.patchStrategies == ["merge", "retainKeys"])
        let deployment = try #require(schema.type(for: AppsV1.Deployment.groupVersionKind))
        #expect(schema.field(at: ["spec", "strategy"], in: deployment)?.patchStrategies == ["retainKeys"])
    }

    @Test func everyGeneratedKindHasASchema() {
        for gvk in GeneratedKinds.all.keys {
            #expect(APISchema.kubernetes.type(for: gvk) != nil, "\(gvk)")
        }
    }
}
