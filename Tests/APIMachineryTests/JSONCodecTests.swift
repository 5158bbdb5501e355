import Testing

@testable import APIMachinery

struct JSONCodecTests {
    @Test(arguments: [
        (#"{"a":1,"b":[true,false,null],"c":"x\"y\\z\u00e9\n"}"#, #"{"a":1,"b":[true,false,null],"c":"x\"y\\zé\n"}"#),
        (#" [ 1.5 , -2 , 1e3, 0.000001, 1e-7 , 12345678901234567890 ] "#, #"[1.5,-2,1000,0.000001,1e-07,12345678901234567000]"#),
        (#""\ud83d\ude00""#, #""😀""#),
        (#"{}"#, #"{}"#),
        (#"[]"#, #"[]"#),
    ])
    func parseAndWrite(input: String, expected: String) throws {
        let value = try JSONCodec.parse(input)
        #expect(JSONCodec.encodeToString(value) == expected)
    }

    @Test(arguments: [
        #"{"a":1,}"#, #"[1,]"#, #"{"a" 1}"#, #"01"#, #"1."#, #"-"#, #""abc"#, #"tru"#, #"{"a":1}x"#, "\"a\u{01}b\"", #""\x""#, "",
    ])
    func malformedJSONIsRejected(input: String) {
        #expect(throws: JSONDecodeError.self) { try JSONCodec.parse(input) }
    }

    @Test func objectEqualityIgnoresOrder() throws {
        #expect(try JSONCodec.parse(#"{"a":1,"b":2}"#) == JSONCodec.parse(#"{"b":2,"a":1}"#))
        #expect(try JSONCodec.parse(#"{"a":1}"#) != JSONCodec.parse(#"{"a":1,"b":2}"#))
        #expect(try JSONCodec.parse(#"[1,2]"#) != JSONCodec.parse(#"[2,1]"#))
    }

    @Test func typeMismatchNamesThePath() throws {
        let input = #"{"spec":{"containers":[{"name":"a","image":5}]}}"#
        let error = try #require(throws: JSONDecodeError.self) {
            try JSONCodec.decode(CoreV1.Pod.self, from: Array(input.utf8))
        }
        #expect(error.message == "json: cannot unmarshal number into field spec.containers[0].image of type string")
    }

    @Test func integersAreChecked() throws {
        let fraction = #"{"spec":{"replicas":1.5}}"#
        let error = try #require(throws: JSONDecodeError.self) {
            try JSONCodec.decode(AppsV1.Deployment.self, from: Array(fraction.utf8))
        }
        #expect(error.message.contains("spec.replicas of type int32"))
        let overflow = #"{"spec":{"replicas":4294967296}}"#
        #expect(throws: JSONDecodeError.self) { try JSONCodec.decode(AppsV1.Deployment.self, from: Array(overflow.utf8)) }
    }

    @Test func nullMeansAbsentAndRequiredFieldsGetZeroValues() throws {
        let input = #"{"metadata":null,"spec":{"containers":null}}"#
        let pod = try JSONCodec.decode(CoreV1.Pod.self, from: Array(input.utf8))
        #expect(pod.metadata == nil)
        #expect(pod.spec?.containers == [])
        #expect(JSONCodec.encodeToString(pod) == #"{"spec":{"containers":[]}}"#)
    }

    /// Go's encoding/json order: struct fields as declared (ObjectMeta's name before labels,
    /// Container's name before image, Status's status before code), map keys sorted.
    @Test func encodingOrderIsGoStructDeclarationOrder() {
        let pod = CoreV1.Pod(
            metadata: .init(labels: ["b": "2", "a": "1"], name: "web"),
            spec: .init(containers: [.init(image: "nginx", name: "c")])
        ).withTypeMeta()
        #expect(
            JSONCodec.encodeToString(pod)
                == #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","labels":{"a":"1","b":"2"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#
        )
        let status = MetaV1.Status(
            kind: "Status", apiVersion: "v1", metadata: .init(), code: 404, details: .init(kind: "pods", name: "x"),
            message: "pods \"x\" not found", reason: "NotFound", status: "Failure")
        #expect(
            JSONCodec.encodeToString(status)
                == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}"#
        )
    }

    @Test func freeFormFieldsKeepTheirTree() throws {
        let input = #"{"apiVersion":"v1","kind":"List","metadata":{},"items":[]}"#
        let raw = try JSONCodec.decode(JSONValue.self, from: Array(input.utf8))
        #expect(raw["kind"] == "List")
        let event = #"{"type":"ADDED","object":{"kind":"Pod","x":[1,{"y":null}]}}"#
        let watch = try JSONCodec.decode(MetaV1.WatchEvent.self, from: Array(event.utf8))
        #expect(watch.object == ["kind": "Pod", "x": [1, ["y": nil]]])
    }

    @Test func secretDataIsBase64() throws {
        let input = #"{"data":{"k":"aGVsbG8="}}"#
        let secret = try JSONCodec.decode(CoreV1.Secret.self, from: Array(input.utf8))
        #expect(secret.data?["k"]?.string == "hello")
        let bad = #"{"data":{"k":"aGVsbG8*"}}"#
        let error = try #require(throws: JSONDecodeError.self) { try JSONCodec.decode(CoreV1.Secret.self, from: Array(bad.utf8)) }
        #expect(error.message == "field data.k: illegal base64 data at input byte 7")
    }

    @Test func crdSchemasNest() throws {
        let input = #"{"type":"object","not":{"type":"string"},"items":[{"type":"integer"}],"additionalProperties":false,"properties":{"a":{"x-kubernetes-int-or-string":true,"default":{"k":[1]}}}}"#
        let schema = try JSONCodec.decodeStrict(APIExtensionsV1.JSONSchemaProps.self, from: Array(input.utf8))
        #expect(schema.not?.type == "string")
        #expect(schema.additionalProperties == .allows(false))
        #expect(schema.properties?["a"]?.xKubernetesIntOrString == true)
        #expect(try JSONCodec.parse(JSONCodec.encode(schema)) == JSONCodec.parse(input))
    }
}

struct StrictDecodingTests {
    @Test func unknownFieldsAreReportedWithPaths() throws {
        let input = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","labelz":{}},"spec":{"containers":[{"name":"c","image":"i"},{"name":"d","imagePullPolicyy":"Always","ports":[{"containerPort":80,"hostPorts":1}]}]},"extra":1}"#
        let (_, issues) = try JSONCodec.decodeReportingIssues(CoreV1.Pod.self, from: Array(input.utf8))
        #expect(issues.map(\.description) == [
            #"unknown field "metadata.labelz""#,
            #"unknown field "spec.containers[1].imagePullPolicyy""#,
            #"unknown field "spec.containers[1].ports[0].hostPorts""#,
            #"unknown field "extra""#,
        ])
    }

    @Test func duplicateFieldsAreReportedAndTheLastWins() throws {
        let input = #"{"metadata":{"name":"a","name":"b","labels":{"x":"1","x":"2"}}}"#
        let (pod, issues) = try JSONCodec.decodeReportingIssues(CoreV1.Pod.self, from: Array(input.utf8))
        #expect(issues.map(\.description) == [#"duplicate field "metadata.name""#, #"duplicate field "metadata.labels.x""#])
        #expect(pod.metadata?.name == "b")
        #expect(pod.metadata?.labels?["x"] == "2")
    }

    @Test func strictErrorMessageMatchesTheApiserver() {
        let input = #"{"spec":{"replicas":1,"replica":2}}"#
        #expect(throws: StrictDecodingError(issues: [.init(kind: .unknownField, path: "spec.replica")])) {
            try JSONCodec.decodeStrict(AppsV1.Deployment.self, from: Array(input.utf8))
        }
        let error = StrictDecodingError(issues: [.init(kind: .unknownField, path: "spec.replica"), .init(kind: .duplicateField, path: "a")])
        #expect(error.description == #"strict decoding error: unknown field "spec.replica", duplicate field "a""#)
    }

    @Test func lenientDecodingIgnoresUnknownFields() throws {
        let input = #"{"spec":{"replicas":3,"bogus":{"deep":[1]}}}"#
        let deployment = try JSONCodec.decode(AppsV1.Deployment.self, from: Array(input.utf8))
        #expect(deployment.spec?.replicas == 3)
    }

    @Test func freeFormFieldsAreNotUnknown() throws {
        let input = #"{"metadata":{"managedFields":[{"fieldsV1":{"f:spec":{"f:replicas":{}}}}]}}"#
        let (_, issues) = try JSONCodec.decodeReportingIssues(AppsV1.Deployment.self, from: Array(input.utf8))
        #expect(issues.isEmpty)
    }
}

struct YAMLCodecTests {
    @Test func multiDocumentStreams() throws {
        let yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: one
            data:
              enabled: "true"
            ---
            # a comment-only document is skipped
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: two}
            spec:
              replicas: 3
              template:
                spec:
                  containers:
                  - name: web
                    image: nginx:1.27
                    resources: {limits: {cpu: 1, memory: 1Gi}}
            """
        let documents = try YAMLCodec.parseDocuments(yaml)
        #expect(documents.count == 2)
        let config = try JSONCodec.decode(CoreV1.ConfigMap.self, from: documents[0], strict: true)
        #expect(config.data == ["enabled": "true"])
        let deployment = try JSONCodec.decode(AppsV1.Deployment.self, from: documents[1], strict: true)
        #expect(deployment.spec?.replicas == 3)
        let limits = deployment.spec?.template.spec?.containers.first?.resources?.limits
        #expect(limits?["cpu"] == (try Quantity("1")))
        #expect(limits?["memory"]?.description == "1Gi")
    }

    @Test func yaml11Scalars() throws {
        let value = try YAMLCodec.parse("a: yes\nb: off\nc: 0x1F\nd: 017\ne: 1_000\nf: 1.5\ng: ~\nh: '123'\ni: 2001-12-14\nj: \"on\"")
        #expect(value == ["a": true, "b": false, "c": 31, "d": 15, "e": 1000, "f": 1.5, "g": nil, "h": "123", "i": "2001-12-14", "j": "on"])
    }

    @Test func duplicateKeysAreRefused() throws {
        let yaml = "metadata:\n  name: a\n  name: b\n"
        let error = try #require(throws: YAMLDecodeError.self) { try YAMLCodec.decode(CoreV1.Pod.self, from: yaml) }
        #expect(error.message.contains("duplicate"))
    }

    @Test func mergeKeys() throws {
        let value = try YAMLCodec.parse("base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n")
        #expect(value["derived"] == ["y": 3, "x": 1])
    }

    @Test func badYAMLIsAnError() {
        #expect(throws: (any Error).self) { try YAMLCodec.parseDocuments("a: [1, 2\nb: c") }
    }

    /// Nesting is capped as Go's encoding/json caps it (10,000), and the cap is reached without
    /// recursion: a deeper document is a syntax error, never a crash.
    @Test func nestingDepthIsCappedAsGo() throws {
        func nested(_ depth: Int, _ open: String, _ close: String) -> String {
            String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth)
        }
        let deepest = try JSONCodec.parse(nested(JSONReader.maxDepth, "[", "]"))
        var depth = 0
        var value = deepest
        while case .array(let elements) = value, let first = elements.first { depth += 1; value = first }
        #expect(depth == JSONReader.maxDepth && value == .int(1))
        let objects = String(repeating: #"{"a":"#, count: JSONReader.maxDepth) + "null" + String(repeating: "}", count: JSONReader.maxDepth)
        #expect(throws: Never.self) { try JSONCodec.parse(objects) }
        for text in [nested(JSONReader.maxDepth + 1, "[", "]"), nested(1_000_000, "[", "]"),
                     String(repeating: #"{"a":"#, count: 200_000)] {
            do {
                _ = try JSONCodec.parse(text)
                Issue.record("a document nested deeper than \(JSONReader.maxDepth) must be refused")
            } catch {
                #expect("\(error)".contains("exceeded max depth"))
            }
        }
        // Unknown fields are skipped with the same cap.
        let unknown = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"extra":"# + nested(JSONReader.maxDepth - 1, "[", "]") + "}"
        #expect(throws: Never.self) { try JSONCodec.decode(CoreV1.ConfigMap.self, from: Array(unknown.utf8)) }
        let tooDeep = #"{"extra":"# + nested(JSONReader.maxDepth, "[", "]") + "}"
        #expect(throws: (any Error).self) { try JSONCodec.decode(CoreV1.ConfigMap.self, from: Array(tooDeep.utf8)) }
    }
}

/// Alias bombs are refused before they expand, as go-yaml refuses them; ordinary anchors work.
@Suite struct YAMLAliasTests {
    static func laughs(levels: Int) -> String {
        var text = #"l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"# + "\n"
        for level in 1..<levels {
            text += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ",") + "]\n"
        }
        return text
    }

    @Test func billionLaughsIsRefusedAtOnce() {
        for levels in [9, 12, 30] {
            do {
                _ = try YAMLCodec.parse(Self.laughs(levels: levels))
                Issue.record("\(levels) levels of aliases must be refused")
            } catch {
                #expect("\(error)".contains("document contains excessive aliasing"))
            }
        }
    }

    @Test func ordinaryAnchorsAndMergeKeysStillWork() throws {
        let text = """
        base: &base {image: busybox, imagePullPolicy: IfNotPresent}
        containers:
        - <<: *base
          name: a
        - <<: *base
          name: b
        labels: &labels {app: web}
        selector: *labels
        """
        let value = try YAMLCodec.parse(text)
        #expect(value["containers"]?[1]?["image"] == "busybox")
        #expect(value["selector"]?["app"] == "web")
        // Three levels of nine: 819 nodes, allowed (go-yaml allows it too).
        #expect(throws: Never.self) { try YAMLCodec.parse(Self.laughs(levels: 3)) }
    }
}
