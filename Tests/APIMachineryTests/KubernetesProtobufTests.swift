import Foundation
import Testing

@testable import APIMachinery

struct KubernetesProtobufTests {
    // MARK: - Hand-built bodies

    @Test func serviceAccount() throws {
        let raw = PB()
            .message(1, PB()
                .string(1, "robot").string(2, "").string(3, "default")
                .entry(11, "team", "a"))
            .message(2, PB().string(3, "robot-token"))
            .bool(4, false)
            .int(99, 7)  // unknown fields are skipped
        try expectDecoded(
            PB.body("v1", "ServiceAccount", raw),
            #"{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"robot","namespace":"default","#
                + #""creationTimestamp":null,"labels":{"team":"a"}},"secrets":[{"name":"robot-token"}],"#
                + #""automountServiceAccountToken":false}"#)
    }

    @Test func configMapDataIsSortedAndBinaryDataIsBase64() throws {
        let raw = PB()
            .message(1, PB().string(1, "cfg"))
            .entry(2, "b", "two")
            .entry(2, "a", "1")
            .message(3, PB().string(1, "bin").bytes(2, [0, 1, 2, 0xff]))
        try expectDecoded(
            PB.body("v1", "ConfigMap", raw),
            #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cfg","creationTimestamp":null},"#
                + #""data":{"a":"1","b":"two"},"binaryData":{"bin":"AAEC/w=="}}"#)
    }

    @Test func secretBytesAreBase64() throws {
        let raw = PB()
            .message(1, PB().string(1, "sec"))
            .message(2, PB().string(1, "password").bytes(2, Array("s3cr3t".utf8)))
            .message(2, PB().string(1, "empty").bytes(2, []))
            .string(3, "Opaque")
        try expectDecoded(
            PB.body("v1", "Secret", raw),
            #"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"sec","creationTimestamp":null},"#
                + #""data":{"empty":"","password":"czNjcjN0"},"type":"Opaque"}"#)
    }

    @Test func deploymentWithResourcesAndIntOrString() throws {
        let container = PB()
            .string(1, "web").string(2, "nginx:1.27")
            .message(6, PB().int(3, 80).string(4, "TCP"))
            .message(8, PB()
                .entry(1, "memory", PB().string(1, "128Mi"))
                .entry(1, "cpu", PB().string(1, "500m"))
                .entry(2, "cpu", PB().string(1, "0.1")))  // written canonically: 100m
        let spec = PB()
            .int(1, 0)  // a pointer: zero replicas stay
            .message(2, PB().entry(1, "app", "web"))
            .message(3, PB()
                .message(1, PB().entry(11, "app", "web"))
                .message(2, PB().message(2, container)))
            .message(4, PB().string(1, "RollingUpdate").message(2, PB()
                .message(1, PB().int(1, 0).int(2, 1))
                .message(2, PB().int(1, 1).string(3, "25%"))))
            .int(5, 0)  // omitempty and not a pointer: left out
            .bool(7, false)
        let raw = PB().message(1, PB().string(1, "web")).message(2, spec)
        try expectDecoded(
            PB.body("apps/v1", "Deployment", raw),
            #"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","creationTimestamp":null},"#
                + #""spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":"#
                + #"{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","#
                + #""image":"nginx:1.27","ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{"limits":"#
                + #"{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"100m"}}}]}},"strategy":{"type":"#
                + #""RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":"25%"}}},"status":{}}"#)
    }

    @Test func serviceTargetPorts() throws {
        let spec = PB()
            .message(1, PB().string(1, "http").string(2, "TCP").int(3, 80).message(4, PB().int(1, 0).int(2, 8080)))
            .message(1, PB().string(1, "grpc").int(3, 9090).message(4, PB().int(1, 1).string(3, "grpc-port")))
            .entry(2, "app", "web")
            .string(4, "ClusterIP")
        let raw = PB().message(1, PB().string(1, "svc")).message(2, spec)
        try expectDecoded(
            PB.body("v1", "Service", raw),
            #"{"kind":"Service","apiVersion":"v1","metadata":{"name":"svc","creationTimestamp":null},"#
                + #""spec":{"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080},"#
                + #"{"name":"grpc","port":9090,"targetPort":"grpc-port"}],"selector":{"app":"web"},"#
                + #""type":"ClusterIP"},"status":{"loadBalancer":{}}}"#)
    }

    @Test func roleRules() throws {
        let raw = PB()
            .message(1, PB().string(1, "reader"))
            .message(2, PB().string(1, "get").string(1, "list").string(2, "").string(3, "pods"))
            .message(2, PB().string(1, "get").string(2, "apps").string(3, "deployments").string(4, "web"))
        try expectDecoded(
            PB.body("rbac.authorization.k8s.io/v1", "Role", raw),
            #"{"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"reader","#
                + #""creationTimestamp":null},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":"#
                + #"["pods"]},{"verbs":["get"],"apiGroups":["apps"],"resources":["deployments"],"#
                + #""resourceNames":["web"]}]}"#)
        // `rules` has no omitempty: an empty Role says null, as Go writes it.
        try expectDecoded(
            PB.body("rbac.authorization.k8s.io/v1", "Role", PB().message(1, PB().string(1, "none"))),
            #"{"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"none","#
                + #""creationTimestamp":null},"rules":null}"#)
    }

    @Test func timesAndMicroTimes() throws {
        let raw = PB()
            .message(1, PB().string(1, "e1").message(8, PB().int(1, 1_704_164_645).int(2, 999)))
            .message(2, PB().int(1, 1_704_164_645).int(2, 123_456_789))
            .string(4, "kubelet")
        try expectDecoded(
            PB.body("events.k8s.io/v1", "Event", raw),
            #"{"kind":"Event","apiVersion":"events.k8s.io/v1","metadata":{"name":"e1","#
                + #""creationTimestamp":"2024-01-02T03:04:05Z"},"eventTime":"2024-01-02T03:04:05.123456Z","#
                + #""reportingController":"kubelet","regarding":{},"deprecatedSource":{},"#
                + #""deprecatedFirstTimestamp":null,"deprecatedLastTimestamp":null}"#)
    }

    @Test func specialMessagesByThemselves() throws {
        let meta = "k8s.io.apimachinery.pkg.apis.meta.v1."
        #expect(try decodeMessage(meta + "Duration", PB().int(1, 3_600_000_000_000)) == "1h0m0s")
        #expect(try decodeMessage(meta + "Duration", PB().int(1, 1_500_000)) == "1.5ms")
        #expect(try decodeMessage(meta + "Duration", PB()) == "0s")
        #expect(try decodeMessage(meta + "Time", PB()) == .null)
        let microTime = PB().int(1, -1).int(2, 1_500_000)
        #expect(try decodeMessage(meta + "MicroTime", microTime) == "1969-12-31T23:59:59.001500Z")
        #expect(try decodeMessage("k8s.io.apimachinery.pkg.api.resource.Quantity", PB()) == "0")
        #expect(try decodeMessage("k8s.io.apimachinery.pkg.util.intstr.IntOrString", PB()) == 0)
        let raw = "k8s.io.apimachinery.pkg.runtime.RawExtension"
        #expect(try decodeMessage(raw, PB()) == .null)
        #expect(try decodeMessage(raw, PB().string(1, #"{"a":[1,true]}"#)) == ["a": [1, true]])
    }

    @Test func rawExtensionHoldingJSONOrProtobuf() throws {
        let nested = PB.body("v1", "ConfigMap", PB().message(1, PB().string(1, "inner")))
        let revision = { (data: PB) in
            PB.body("apps/v1", "ControllerRevision", PB().message(1, PB().string(1, "rev")).message(2, data).int(3, 2))
        }
        try expectDecoded(
            revision(PB().string(1, #"{"spec":{"x":1}}"#)),
            #"{"kind":"ControllerRevision","apiVersion":"apps/v1","metadata":{"name":"rev","#
                + #""creationTimestamp":null},"data":{"spec":{"x":1}},"revision":2}"#)
        try expectDecoded(
            revision(PB().bytes(1, nested)),
            #"{"kind":"ControllerRevision","apiVersion":"apps/v1","metadata":{"name":"rev","#
                + #""creationTimestamp":null},"data":{"kind":"ConfigMap","apiVersion":"v1","metadata":"#
                + #"{"name":"inner","creationTimestamp":null}},"revision":2}"#)
    }

    @Test func namedSliceMapValues() throws {
        // SubjectAccessReview.spec.extra is map<string, ExtraValue>; ExtraValue is a Go []string.
        let spec = PB()
            .string(3, "alice")
            .message(5, PB().string(1, "scopes").message(2, PB().string(1, "a").string(1, "b")))
        let raw = PB().message(1, PB().string(1, "sar")).message(2, spec)
        let decoded = try KubernetesProtobuf.decode(PB.body("authorization.k8s.io/v1", "SubjectAccessReview", raw))
        #expect(decoded["spec"]?["extra"] == ["scopes": ["a", "b"]])
        #expect(decoded["spec"]?["user"] == "alice")
    }

    // MARK: - Malformed input

    @Test func malformedBodiesAreRejectedWithTheirPlace() throws {
        let good = PB.body("v1", "ConfigMap", PB().message(1, PB().string(1, "cfg")))
        #expect(throws: ProtobufError.self) { try KubernetesProtobuf.decode(Array(good.dropFirst())) }
        #expect(throws: ProtobufError.self) { try KubernetesProtobuf.decode(Array(good.dropLast(3))) }
        #expect(throws: ProtobufError.self) { try KubernetesProtobuf.decode(KubernetesProtobuf.magic + [0x0a, 0xff]) }

        let unknown = try #require(throws: ProtobufError.self) {
            try KubernetesProtobuf.decode(PB.body("example.com/v1", "Widget", PB()))
        }
        #expect(unknown.description == "protobuf: no protobuf form is known for example.com/v1, Kind=Widget")

        let wrongType = try #require(throws: ProtobufError.self) {
            try KubernetesProtobuf.decode(PB.body("v1", "ConfigMap", PB().message(1, PB().int(1, 5))))
        }
        #expect(wrongType.path == "metadata.name")

        let container = PB().string(1, "c").message(8, PB().entry(1, "cpu", PB().string(1, "lots")))
        let pod = PB().message(2, PB().message(2, container))
        let badQuantity = try #require(throws: ProtobufError.self) {
            try KubernetesProtobuf.decode(PB.body("v1", "Pod", pod))
        }
        #expect(badQuantity.path == "spec.containers[0].resources.limits.cpu")

        var gzipped = PB.body("v1", "ConfigMap", PB())
        gzipped += [0x1a, 0x04] + Array("gzip".utf8)
        #expect(throws: ProtobufError.self) { try KubernetesProtobuf.decode(gzipped) }
    }

    // MARK: - Encoding

    @Test func encodeRejectsIllTypedMembers() throws {
        let tree: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "data": ["a": 1]]
        let error = try #require(throws: ProtobufError.self) { try KubernetesProtobuf.encode(tree) }
        #expect(error.path == "data.a")
        #expect(throws: ProtobufError.self) { try KubernetesProtobuf.encode(["kind": "ConfigMap"]) }
    }

    @Test func encodeThenDecodeKeepsTheTree() throws {
        let tree = try JSONCodec.parse(
            #"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","#
                + #""creationTimestamp":"2024-01-02T03:04:05Z","labels":{"app":"web"}},"spec":{"replicas":3,"#
                + #""selector":{"matchLabels":{"app":"web"}},"template":"#
                + #"{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"web","image":"nginx","#
                + #""resources":{"limits":{"cpu":"1500m"}}}]}},"strategy":{"rollingUpdate":{"maxSurge":"25%"}}},"#
                + #""status":{}}"#)
        let bytes = try KubernetesProtobuf.encode(tree)
        #expect(bytes.starts(with: KubernetesProtobuf.magic))
        #expect(try KubernetesProtobuf.decode(bytes) == tree)
    }

    // MARK: - Real kubectl bodies

    /// Bodies kubectl 1.32 POSTed (captured on 127.0.0.1), and the JSON that
    /// `kubectl create … --dry-run=client -o json` prints for the same object.
    @Test(arguments: KubectlCapture.all)
    func kubectlBodies(_ capture: KubectlCapture) throws {
        let bytes = try #require(capture.bytes)
        let decoded = try KubernetesProtobuf.decode(bytes)
        #expect(JSONCodec.encodeToString(decoded) == capture.json, "\(capture.command)")
        #expect(try KubernetesProtobuf.encode(decoded) == bytes, "\(capture.command)")
    }

    // MARK: - Upstream round-trip fixtures

    static let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("ProtobufFixtures")
    static let jsonFixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static var fixtureNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtureDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".pb") }.map { String($0.dropLast(3)) }.sorted()
    }

    @Test func everyFixtureIsPresent() {
        #expect(Self.fixtureNames.count == 78)
    }

    /// Every field set: decoding gives upstream's JSON exactly (member order included), and
    /// encoding the tree gives upstream's bytes exactly.
    @Test(arguments: fixtureNames)
    func upstreamFixture(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: Self.fixtureDirectory.appendingPathComponent(name + ".pb")))
        var jsonURL = Self.fixtureDirectory.appendingPathComponent(name + ".json")
        if !FileManager.default.fileExists(atPath: jsonURL.path) {
            jsonURL = Self.jsonFixtureDirectory.appendingPathComponent(name + ".json")
        }
        let expected = try JSONCodec.parse(Array(try Data(contentsOf: jsonURL)))
        let decoded = try KubernetesProtobuf.decode(bytes)
        #expect(JSONCodec.encodeToString(decoded) == JSONCodec.encodeToString(expected))
        #expect(try KubernetesProtobuf.encode(decoded) == bytes)
    }

    // MARK: - Helpers

    private func expectDecoded(_ body: [UInt8], _ json: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let decoded = try KubernetesProtobuf.decode(body)
        #expect(JSONCodec.encodeToString(decoded) == json, sourceLocation: sourceLocation)
        // Go writes every non-pointer scalar; ours are hand-built sparser, so compare trees.
        let again = try KubernetesProtobuf.decode(KubernetesProtobuf.encode(decoded))
        #expect(again == decoded, sourceLocation: sourceLocation)
    }

    private func decodeMessage(_ name: String, _ message: PB) throws -> JSONValue {
        let schema = ProtobufSchema.builtin
        let index = try #require(schema.message(named: name))
        return try ProtobufDecoder(schema: schema).decodeMessage(index, message.bytes, message.bytes.indices, depth: 0)
    }
}

/// A protobuf message under construction, for hand-built bodies (field number first).
private struct PB {
    var bytes: [UInt8] = []

    private static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
        return out
    }

    private func appending(_ number: Int, _ wireType: UInt64, _ payload: [UInt8]) -> PB {
        var copy = self
        copy.bytes += Self.varint(UInt64(number) << 3 | wireType) + payload
        return copy
    }

    func int(_ number: Int, _ value: Int64) -> PB { appending(number, 0, Self.varint(UInt64(bitPattern: value))) }
    func bool(_ number: Int, _ value: Bool) -> PB { int(number, value ? 1 : 0) }
    func bytes(_ number: Int, _ value: [UInt8]) -> PB { appending(number, 2, Self.varint(UInt64(value.count)) + value) }
    func string(_ number: Int, _ value: String) -> PB { bytes(number, Array(value.utf8)) }
    func message(_ number: Int, _ value: PB) -> PB { bytes(number, value.bytes) }
    /// A `map<string, string>` entry.
    func entry(_ number: Int, _ key: String, _ value: String) -> PB {
        message(number, PB().string(1, key).string(2, value))
    }
    /// A `map<string, Message>` entry.
    func entry(_ number: Int, _ key: String, _ value: PB) -> PB {
        message(number, PB().string(1, key).message(2, value))
    }

    /// A whole body: the magic and the `runtime.Unknown` envelope around `raw`.
    static func body(_ apiVersion: String, _ kind: String, _ raw: PB) -> [UInt8] {
        KubernetesProtobuf.magic + PB().message(1, PB().string(1, apiVersion).string(2, kind)).message(2, raw).bytes
    }
}

struct KubectlCapture: Sendable, CustomTestStringConvertible {
    var command: String
    var hex: String
    var json: String

    var testDescription: String { command }

    var bytes: [UInt8]? {
        let digits = hex.unicodeScalars.filter { !$0.properties.isWhitespace }.map { Character($0) }
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < digits.count {
            guard let byte = UInt8(String(digits[i...i + 1]), radix: 16) else { return nil }
            out.append(byte)
            i += 2
        }
        return out
    }

    static let all: [KubectlCapture] = [
        KubectlCapture(
            command: "kubectl create serviceaccount robot",
            hex: """
            6b3873000a140a027631120e536572766963654163636f756e7412170a150a05726f626f7412001a0022002a00320038
            0042001a002200
            """,
            json: #"{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"robot","creationTimestamp":null}}"#),
        KubectlCapture(
            command: "kubectl create configmap cfg --from-literal=a=1 --from-literal=b=two",
            hex: """
            6b3873000a0f0a0276311209436f6e6669674d617012270a130a0363666712001a0022002a0032003800420012060a01
            6112013112080a0162120374776f1a002200
            """,
            json: #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cfg","creationTimestamp":null},"data":{"a":"1","b":"two"}}"#),
        KubectlCapture(
            command: "kubectl create secret generic sec --from-literal=password=s3cr3t",
            hex: """
            6b3873000a0c0a0276311206536563726574122b0a130a0373656312001a0022002a0032003800420012120a08706173
            73776f726412067333637233741a001a002200
            """,
            json: #"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"sec","creationTimestamp":null},"data":{"password":"czNjcjN0"}}"#),
        KubectlCapture(
            command: "kubectl create deployment web --image=nginx:1.27 --replicas=3 --port=80",
            hex: """
            6b3873000a150a07617070732f7631120a4465706c6f796d656e7412bd010a1f0a0377656212001a0022002a00320038
            0042005a0a0a036170701203776562128b010803120c0a0a0a0361707012037765621a710a1c0a0012001a0022002a00
            3200380042005a0a0a036170701203776562125112330a056e67696e78120a6e67696e783a312e32372a00320a0a0010
            00185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a
            0100c2010022020a00280038001a0c0800100018002000280038001a002200
            """,
            json: #"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":80}],"resources":{}}]}},"strategy":{}},"status":{}}"#),
        KubectlCapture(
            command: "kubectl create rolebinding rb --role=reader --user=alice",
            hex: """
            6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b526f6c6542696e64696e
            67126b0a120a02726212001a0022002a00320038004200122a0a04557365721219726261632e617574686f72697a6174
            696f6e2e6b38732e696f1a05616c69636522001a290a19726261632e617574686f72697a6174696f6e2e6b38732e696f
            1204526f6c651a067265616465721a002200
            """,
            json: #"{"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"rb","creationTimestamp":null},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"reader"}}"#),
        KubectlCapture(
            command: "kubectl create service clusterip svc --tcp=80:8080",
            hex: """
            6b3873000a0d0a02763112075365727669636512690a1f0a0373766312001a0022002a003200380042005a0a0a036170
            70120373766312420a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037376
            631a002209436c757374657249503a00420052005a00600068001a020a001a002200
            """,
            json: #"{"kind":"Service","apiVersion":"v1","metadata":{"name":"svc","creationTimestamp":null,"labels":{"app":"svc"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}],"selector":{"app":"svc"},"type":"ClusterIP"},"status":{"loadBalancer":{}}}"#),
        KubectlCapture(
            command: "kubectl create role reader --verb=get,list --verb=watch --resource=pods --resource-name=a",
            hex: """
            6b3873000a240a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311204526f6c6512370a160a06
            72656164657212001a0022002a00320038004200121d0a036765740a046c6973740a05776174636812001a04706f6473
            2201611a002200
            """,
            json: #"{"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"reader","creationTimestamp":null},"rules":[{"verbs":["get","list","watch"],"apiGroups":[""],"resources":["pods"],"resourceNames":["a"]}]}"#),
        KubectlCapture(
            command: "kubectl create quota q --hard=cpu=1500m,memory=2Gi,pods=10",
            hex: """
            6b3873000a130a027631120d5265736f7572636551756f746112460a110a017112001a0022002a00320038004200122f
            0a0e0a0363707512070a05313530306d0a0f0a066d656d6f727912050a033247690a0c0a04706f647312040a0231301a
            001a002200
            """,
            json: #"{"kind":"ResourceQuota","apiVersion":"v1","metadata":{"name":"q","creationTimestamp":null},"spec":{"hard":{"cpu":"1500m","memory":"2Gi","pods":"10"}},"status":{}}"#),
        KubectlCapture(
            command: "kubectl create pdb p --selector=app=web --min-available=50%",
            hex: """
            6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e427564676574123a0a110a017012001a
            0022002a0032003800420012190a09080110001a03353025120c0a0a0a0361707012037765621a0a0800180020002800
            30001a002200
            """,
            json: #"{"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"p","creationTimestamp":null},"spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"web"}}},"status":{"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}}"#),
        KubectlCapture(
            command: "kubectl create cronjob cj --image=busybox --schedule='*/5 * * * *' -- date",
            hex: """
            6b3873000a130a0862617463682f7631120743726f6e4a6f6212a4010a120a02636a12001a0022002a00320038004200
            128b010a0b2a2f35202a202a202a202a1a002a7a0a120a02636a12001a0022002a00320038004200126432620a100a00
            12001a0022002a00320038004200124e12270a02636a120762757379626f781a04646174652a0042006a007200800100
            880100900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c201001a00
            1a002200
            """,
            json: #"{"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"cj","creationTimestamp":null},"spec":{"schedule":"*/5 * * * *","jobTemplate":{"metadata":{"name":"cj","creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"cj","image":"busybox","command":["date"],"resources":{}}],"restartPolicy":"OnFailure"}}}}},"status":{}}"#),
        KubectlCapture(
            command: "kubectl create priorityclass high --value=1000 --description=important",
            hex: """
            6b3873000a250a147363686564756c696e672e6b38732e696f2f7631120d5072696f72697479436c617373123c0a140a
            046869676812001a0022002a0032003800420010e80718002209696d706f7274616e742a14507265656d70744c6f7765
            725072696f726974791a002200
            """,
            json: #"{"kind":"PriorityClass","apiVersion":"scheduling.k8s.io/v1","metadata":{"name":"high","creationTimestamp":null},"value":1000,"description":"important","preemptionPolicy":"PreemptLowerPriority"}"#),
        KubectlCapture(
            command: "kubectl create job j --image=busybox",
            hex: """
            6b3873000a0f0a0862617463682f763112034a6f6212780a110a016a12001a0022002a00320038004200125932570a10
            0a0012001a0022002a00320038004200124312200a016a120762757379626f782a0042006a0072008001008801009001
            00a201001a054e65766572320042004a0052005800600068008201008a01009a0100c201001a082000280030003a001a
            002200
            """,
            json: #"{"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"j","creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"j","image":"busybox","resources":{}}],"restartPolicy":"Never"}}},"status":{}}"#),
        KubectlCapture(
            command: "kubectl create token robot (no dry-run form: nil pointers without omitempty are null)",
            hex: """
            6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e52657175657374121a
            0a100a0012001a0022002a0032003800420012001a040a0012001a002200
            """,
            json: #"{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"audiences":null,"expirationSeconds":null,"boundObjectRef":null},"status":{"token":"","expirationTimestamp":null}}"#),
    ]
}
