import Testing

@testable import APIMachinery

/// Parses JSON text; a bare `null` is handled here because `JSONCodec.parse` rejects it.
private func json(_ text: String) throws -> JSONValue {
    text == "null" ? .null : try JSONCodec.parse(text)
}

/// A document, a patch and the expected result (all JSON text); `expected == nil` means the
/// patch must fail.
struct PatchCase: Sendable, CustomTestStringConvertible {
    let name: String
    let document: String
    let patch: String
    let expected: String?
    var testDescription: String { name }
    init(_ name: String, _ document: String, _ patch: String, _ expected: String?) {
        (self.name, self.document, self.patch, self.expected) = (name, document, patch, expected)
    }
}

/// A JSON patch that must fail, with the error kind and message it must produce.
struct PatchFailureCase: Sendable, CustomTestStringConvertible {
    let name: String
    let document: String
    let patch: String
    let kind: PatchError.Kind
    let message: String
    var testDescription: String { name }
    init(_ name: String, _ document: String, _ patch: String, _ kind: PatchError.Kind, _ message: String) {
        (self.name, self.document, self.patch, self.kind, self.message) = (name, document, patch, kind, message)
    }
}

// MARK: - RFC 6902

/// RFC 6902 appendix A (A.13, a duplicate member, is the JSON parser's business), then more.
private let jsonPatchCases: [PatchCase] = [
    .init("A.1 add an object member", #"{"foo":"bar"}"#,
          #"[{"op":"add","path":"/baz","value":"qux"}]"#, #"{"baz":"qux","foo":"bar"}"#),
    .init("A.2 add an array element", #"{"foo":["bar","baz"]}"#,
          #"[{"op":"add","path":"/foo/1","value":"qux"}]"#, #"{"foo":["bar","qux","baz"]}"#),
    .init("A.3 remove an object member", #"{"baz":"qux","foo":"bar"}"#,
          #"[{"op":"remove","path":"/baz"}]"#, #"{"foo":"bar"}"#),
    .init("A.4 remove an array element", #"{"foo":["bar","qux","baz"]}"#,
          #"[{"op":"remove","path":"/foo/1"}]"#, #"{"foo":["bar","baz"]}"#),
    .init("A.5 replace a value", #"{"baz":"qux","foo":"bar"}"#,
          #"[{"op":"replace","path":"/baz","value":"boo"}]"#, #"{"baz":"boo","foo":"bar"}"#),
    .init("A.6 move a value", #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
          #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
          #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#),
    .init("A.7 move an array element", #"{"foo":["all","grass","cows","eat"]}"#,
          #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#, #"{"foo":["all","cows","eat","grass"]}"#),
    .init("A.8 test a value: success", #"{"baz":"qux","foo":["a",2,"c"]}"#,
          #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
          #"{"baz":"qux","foo":["a",2,"c"]}"#),
    .init("A.9 test a value: error", #"{"baz":"qux"}"#,
          #"[{"op":"test","path":"/baz","value":"bar"}]"#, nil),
    .init("A.10 add a nested member object", #"{"foo":"bar"}"#,
          #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#, #"{"foo":"bar","child":{"grandchild":{}}}"#),
    .init("A.11 ignore unrecognized elements", #"{"foo":"bar"}"#,
          #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#, #"{"foo":"bar","baz":"qux"}"#),
    .init("A.12 add to a nonexistent target", #"{"foo":"bar"}"#,
          #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#, nil),
    .init("A.14 ~ escape ordering", #"{"/":9,"~1":10}"#,
          #"[{"op":"test","path":"/~01","value":10}]"#, #"{"/":9,"~1":10}"#),
    .init("A.15 comparing strings and numbers", #"{"/":9,"~1":10}"#,
          #"[{"op":"test","path":"/~01","value":"10"}]"#, nil),
    .init("A.16 add an array value", #"{"foo":["bar"]}"#,
          #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, #"{"foo":["bar",["abc","def"]]}"#),

    .init("add replaces an existing member", #"{"a":1}"#,
          #"[{"op":"add","path":"/a","value":[2]}]"#, #"{"a":[2]}"#),
    .init("add at the end index appends", #"{"a":[1,2]}"#,
          #"[{"op":"add","path":"/a/2","value":3}]"#, #"{"a":[1,2,3]}"#),
    .init("add and replace at the root replace the document", #"{"a":1}"#,
          #"[{"op":"add","path":"","value":{"b":2}},{"op":"replace","path":"","value":[1]}]"#, #"[1]"#),
    .init("add a label whose key holds a slash", #"{"metadata":{"labels":{}}}"#,
          #"[{"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"web"}]"#,
          #"{"metadata":{"labels":{"app.kubernetes.io/name":"web"}}}"#),
    .init("copy deep into another member", #"{"a":{"b":[1,{"c":2}]},"d":{}}"#,
          #"[{"op":"copy","from":"/a/b","path":"/d/e"},{"op":"replace","path":"/d/e/1/c","value":3}]"#,
          #"{"a":{"b":[1,{"c":2}]},"d":{"e":[1,{"c":3}]}}"#),
    .init("move to the same place is a no-op", #"{"a":1}"#,
          #"[{"op":"move","from":"/a","path":"/a"}]"#, #"{"a":1}"#),
    .init("move into an own child fails", #"{"a":{"b":{}}}"#,
          #"[{"op":"move","from":"/a","path":"/a/b/c"}]"#, nil),
    .init("test compares numbers by value and objects without order", #"{"a":{"x":1,"y":[1.0,"z"]}}"#,
          #"[{"op":"test","path":"/a","value":{"y":[1,"z"],"x":1.0}}]"#, #"{"a":{"x":1,"y":[1.0,"z"]}}"#),
    .init("test of a missing member against null passes", #"{"a":1}"#,
          #"[{"op":"test","path":"/b","value":null}]"#, #"{"a":1}"#),
    .init("test the whole document", #"{"a":1}"#,
          #"[{"op":"test","path":"","value":{"a":1}}]"#, #"{"a":1}"#),
    .init("operations apply in order", #"{"spec":{"replicas":1}}"#,
          #"[{"op":"test","path":"/spec/replicas","value":1},{"op":"replace","path":"/spec/replicas","value":3},{"op":"test","path":"/spec/replicas","value":3}]"#,
          #"{"spec":{"replicas":3}}"#),
    .init("a failure discards earlier operations", #"{"a":1}"#,
          #"[{"op":"replace","path":"/a","value":2},{"op":"test","path":"/a","value":1}]"#, nil),
    .init("an empty patch changes nothing", #"{"a":1}"#, #"[]"#, #"{"a":1}"#),
    .init("leading zeros are not an index", #"{"a":[1,2]}"#,
          #"[{"op":"remove","path":"/a/01"}]"#, nil),
    .init("- is not an index outside add", #"{"a":[1,2]}"#,
          #"[{"op":"replace","path":"/a/-","value":3}]"#, nil),
    .init("a bad ~ escape is not a pointer", #"{"a":1}"#,
          #"[{"op":"add","path":"/a~2","value":3}]"#, nil),
    .init("remove of the document fails", #"{"a":1}"#,
          #"[{"op":"remove","path":""}]"#, nil),
]

/// Error wording close to kube-apiserver's (evanphx/json-patch).
private let jsonPatchFailures: [PatchFailureCase] = [
    .init("replace of a missing key", #"{"spec":{}}"#, #"[{"op":"replace","path":"/spec/foo","value":1}]"#,
          .unprocessable, "replace operation does not apply: doc is missing key: /spec/foo: missing value"),
    .init("replace below a missing parent", #"{"spec":{}}"#, #"[{"op":"replace","path":"/spec/foo/bar","value":1}]"#,
          .unprocessable, "replace operation does not apply: doc is missing path: /spec/foo/bar: missing value"),
    .init("add below a missing parent", #"{}"#, #"[{"op":"add","path":"/a/b","value":1}]"#,
          .unprocessable, #"add operation does not apply: doc is missing path: "/a/b": missing value"#),
    .init("add past the end of an array", #"{"a":[1]}"#, #"[{"op":"add","path":"/a/5","value":1}]"#,
          .unprocessable, "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced"),
    .init("remove of a missing key", #"{}"#, #"[{"op":"remove","path":"/x"}]"#,
          .unprocessable, "error in remove for path: '/x': Unable to remove nonexistent key: x: missing value"),
    .init("remove past the end of an array", #"{"a":[]}"#, #"[{"op":"remove","path":"/a/0"}]"#,
          .unprocessable, "error in remove for path: '/a/0': Unable to access invalid index: 0: invalid index referenced"),
    .init("failed test", #"{"x":1}"#, #"[{"op":"test","path":"/x","value":2}]"#,
          .unprocessable, "testing value /x failed: test failed"),
    .init("test of a missing member", #"{}"#, #"[{"op":"test","path":"/x","value":1}]"#,
          .unprocessable, "testing value /x failed: test failed"),
    .init("test below a missing parent", #"{}"#, #"[{"op":"test","path":"/a/b","value":1}]"#,
          .unprocessable, "test operation does not apply: is missing path: /a/b: missing value"),
    .init("move from a missing member", #"{}"#, #"[{"op":"move","from":"/a","path":"/b"}]"#,
          .unprocessable, "error in move for path: '/a': Unable to remove nonexistent key: a: missing value"),
    .init("move from below a missing parent", #"{}"#, #"[{"op":"move","from":"/x/a","path":"/b"}]"#,
          .unprocessable, "move operation does not apply: doc is missing from path: /x/a: missing value"),
    .init("move to a missing parent", #"{"a":1}"#, #"[{"op":"move","from":"/a","path":"/b/c"}]"#,
          .unprocessable, "move operation does not apply: doc is missing destination path: /b/c: missing value"),
    .init("copy from a missing member", #"{}"#, #"[{"op":"copy","from":"/a","path":"/b"}]"#,
          .unprocessable, "copy operation does not apply: doc is missing from path: /a: missing value"),
    .init("unknown op", #"{}"#, #"[{"op":"frob","path":"/a"}]"#,
          .unprocessable, "Unexpected kind: frob"),
    .init("missing op", #"{}"#, #"[{"path":"/a"}]"#,
          .unprocessable, "Unexpected kind: unknown"),
    .init("missing path", #"{}"#, #"[{"op":"add","value":1}]"#,
          .unprocessable, "add operation failed to decode path: missing value"),
    .init("missing from", #"{}"#, #"[{"op":"copy","path":"/a"}]"#,
          .unprocessable, "copy operation failed to decode from: missing value"),
    .init("missing value", #"{}"#, #"[{"op":"add","path":"/a"}]"#,
          .unprocessable, "add operation has no value: missing value"),
    .init("patch is an object", #"{}"#, #"{"op":"add","path":"/a","value":1}"#,
          .badRequest, "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
    .init("operation is a string", #"{}"#, #"["add"]"#,
          .badRequest, "json: cannot unmarshal string into Go value of type jsonpatch.Operation"),
]

struct JSONPatchTests {
    @Test(arguments: jsonPatchCases)
    func applies(_ c: PatchCase) throws {
        let document = try json(c.document)
        let patch = try json(c.patch)
        if let expected = c.expected {
            #expect(try JSONPatch.apply(patch, to: document) == json(expected))
        } else {
            #expect(throws: PatchError.self) { try JSONPatch.apply(patch, to: document) }
        }
    }

    @Test(arguments: jsonPatchFailures)
    func failsWithKubernetesWording(_ c: PatchFailureCase) throws {
        let document = try json(c.document)
        let patch = try json(c.patch)
        let error = try #require(throws: PatchError.self) { try JSONPatch.apply(patch, to: document) }
        #expect(error.message == c.message)
        #expect(error.kind == c.kind)
    }

    @Test func addKeepsMemberOrderAndAppendsNewMembers() throws {
        let result = try JSONPatch.apply(
            json(#"[{"op":"add","path":"/b","value":20},{"op":"add","path":"/c","value":3}]"#),
            to: json(#"{"a":1,"b":2}"#))
        #expect(JSONCodec.encodeToString(result) == #"{"a":1,"b":20,"c":3}"#)
    }

    @Test func kubectlStyleDeploymentPatch() throws {
        let deployment = try json(#"""
            {"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.25","env":[{"name":"A","value":"1"}]}]}}}}
            """#)
        let patch = try json(#"""
            [{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.27"},
             {"op":"add","path":"/spec/template/spec/containers/0/env/-","value":{"name":"B","value":"2"}},
             {"op":"add","path":"/spec/replicas","value":3}]
            """#)
        let expected = try json(#"""
            {"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}}}
            """#)
        #expect(try JSONPatch.apply(patch, to: deployment) == expected)
    }

    @Test func nullPatchIsEmpty() throws {
        #expect(try JSONPatch.apply(.null, to: json(#"{"a":1}"#)) == json(#"{"a":1}"#))
    }
}

// MARK: - JSON pointer

struct JSONPointerTests {
    @Test(arguments: [
        ("", [String]()),
        ("/", [""]),
        ("/foo/0", ["foo", "0"]),
        ("/a~1b/m~0n", ["a/b", "m~n"]),
        ("/~01", ["~1"]),
        ("//x", ["", "x"]),
    ])
    func parses(text: String, tokens: [String]) throws {
        let pointer = try #require(JSONPointer(text))
        #expect(pointer.tokens == tokens)
        #expect(pointer.description == text)
    }

    @Test(arguments: ["foo", "/a~", "/a~2b", "a/b"])
    func rejects(text: String) {
        #expect(JSONPointer(text) == nil)
    }

    @Test func resolvesRFC6901Examples() throws {
        let document = try json(#"""
            {"foo":["bar","baz"],"":0,"a/b":1,"c%d":2,"e^f":3,"g|h":4,"i\\j":5,"k\"l":6," ":7,"m~n":8}
            """#)
        let expectations: [(String, JSONValue)] = [
            ("/foo", ["bar", "baz"]), ("/foo/0", "bar"), ("/", 0), ("/a~1b", 1), ("/c%d", 2), ("/e^f", 3),
            ("/g|h", 4), ("/i\\j", 5), ("/k\"l", 6), ("/ ", 7), ("/m~0n", 8),
        ]
        for (text, value) in expectations {
            #expect(JSONPointer(text)?.value(in: document) == value, "\(text)")
        }
        #expect(JSONPointer("")?.value(in: document) == document)
        #expect(JSONPointer("/foo/2")?.value(in: document) == nil)
        #expect(JSONPointer("/foo/-")?.value(in: document) == nil)
        #expect(JSONPointer("/nope")?.value(in: document) == nil)
    }

    @Test func escapesTokens() {
        #expect(JSONPointer(tokens: ["metadata", "labels", "app.kubernetes.io/name", "a~b"]).description
            == "/metadata/labels/app.kubernetes.io~1name/a~0b")
    }
}

// MARK: - RFC 7386

/// RFC 7386 appendix A, then more.
private let mergePatchCases: [PatchCase] = [
    .init("A.1", #"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
    .init("A.2", #"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
    .init("A.3", #"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
    .init("A.4", #"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
    .init("A.5", #"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
    .init("A.6", #"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
    .init("A.7", #"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
    .init("A.8", #"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
    .init("A.9", #"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
    .init("A.10", #"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
    .init("A.11", #"{"a":"foo"}"#, #"null"#, #"null"#),
    .init("A.12", #"{"a":"foo"}"#, #""bar""#, #""bar""#),
    .init("A.13", #"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
    .init("A.14", #"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
    .init("A.15", #"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    .init("section 3 example",
          #"{"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},"tags":["example","sample"],"content":"This will be unchanged"}"#,
          #"{"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},"tags":["example"]}"#,
          #"{"title":"Hello!","author":{"givenName":"John"},"tags":["example"],"content":"This will be unchanged","phoneNumber":"+01-123-456-7890"}"#),
    .init("arrays keep their nulls", #"{}"#, #"{"a":[null,{"b":null}]}"#, #"{"a":[null,{"b":null}]}"#),
    .init("labels: remove one, add one",
          #"{"metadata":{"name":"web","labels":{"app":"web","tier":"frontend"}}}"#,
          #"{"metadata":{"labels":{"tier":null,"version":"v2"}}}"#,
          #"{"metadata":{"name":"web","labels":{"app":"web","version":"v2"}}}"#),
    .init("containers are replaced whole",
          #"{"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}}"#,
          #"{"spec":{"containers":[{"name":"a","image":"z"}]}}"#,
          #"{"spec":{"containers":[{"name":"a","image":"z"}]}}"#),
]

/// Pairs for `MergePatch.create`: the patch must turn the first into the second.
private let mergeDiffCases: [(String, String)] = [
    (#"{"a":1}"#, #"{"a":1}"#),
    (#"{"a":1,"b":{"c":2,"d":[1]}}"#, #"{"b":{"c":3,"d":[1,2]},"e":"new"}"#),
    (#"{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"replicas":1}}"#, #"{"metadata":{"labels":{"a":"1","c":"3"}},"spec":{"replicas":2}}"#),
    (#"{"a":{"b":1}}"#, #"{"a":[1]}"#),
    (#"{"a":[1]}"#, #"{"a":{"b":{"c":1}}}"#),
    (#"[1]"#, #"{"a":1}"#),
    (#"{"a":1}"#, #""scalar""#),
]

struct MergePatchTests {
    @Test(arguments: mergePatchCases)
    func applies(_ c: PatchCase) throws {
        let expected = try json(try #require(c.expected))
        #expect(try MergePatch.apply(json(c.patch), to: json(c.document)) == expected)
    }

    @Test(arguments: mergeDiffCases)
    func createRoundTrips(original: String, modified: String) throws {
        let a = try json(original)
        let b = try json(modified)
        #expect(MergePatch.apply(MergePatch.create(from: a, to: b), to: a) == b)
    }

    @Test func createIsMinimal() throws {
        let original = try json(#"{"metadata":{"name":"web","labels":{"a":"1","b":"2"}},"spec":{"replicas":1,"paused":false}}"#)
        let modified = try json(#"{"metadata":{"name":"web","labels":{"a":"1","c":"3"}},"spec":{"replicas":2,"paused":false}}"#)
        let expected = try json(#"{"metadata":{"labels":{"b":null,"c":"3"}},"spec":{"replicas":2}}"#)
        #expect(MergePatch.create(from: original, to: modified) == expected)
        #expect(MergePatch.create(from: original, to: original) == .object(JSONObject()))
    }

    @Test func keepsTargetOrderAndAppendsNewMembers() throws {
        let result = try MergePatch.apply(json(#"{"c":3,"a":10}"#), to: json(#"{"a":1,"b":2}"#))
        #expect(JSONCodec.encodeToString(result) == #"{"a":10,"b":2,"c":3}"#)
    }
}

@Suite("JSON patch size limit")
struct JSONPatchLimitTests {
    static func patch(operations count: Int) -> JSONValue {
        .array(Array(repeating: ["op": "test", "path": "/a", "value": 1], count: count))
    }

    @Test func tenThousandOperationsApply() throws {
        #expect(try JSONPatch.apply(Self.patch(operations: 10_000), to: ["a": 1]) == ["a": 1])
    }

    @Test func oneMoreIsRefusedAsTooLargeBeforeAnyIsApplied() {
        #expect(throws: PatchError(.tooLarge, "The allowed maximum operations in a JSON patch is 10000, got 10001")) {
            try JSONPatch.apply(Self.patch(operations: 10_001), to: ["a": 2])
        }
        #expect(PatchError(.tooLarge, "x").status.code == 413)
        #expect(PatchError(.tooLarge, "x").status.reason == "RequestEntityTooLarge")
    }
}
