import Testing

@testable import APIMachinery

private func json(_ text: String) throws -> JSONValue { try JSONCodec.parse(text) }

/// The live Deployment every case patches.
private let liveDeployment = #"""
{"apiVersion":"apps/v1","kind":"Deployment",
 "metadata":{"name":"web","namespace":"default","labels":{"app":"web","tier":"frontend"},
             "finalizers":["example.com/a","example.com/b"]},
 "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
   "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
   "template":{"metadata":{"labels":{"app":"web"}},
     "spec":{"containers":[
         {"name":"nginx","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}],
          "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"resources":{"limits":{"cpu":"500m"}}},
         {"name":"sidecar","image":"busybox:1.36","args":["sleep","infinity"]}],
       "tolerations":[{"key":"k1","operator":"Exists"}],
       "volumes":[{"name":"data","emptyDir":{}}]}}},
 "x-vendor":{"keep":1,"list":[1,2]}}
"""#

private let containersPath = "/spec/template/spec/containers"

/// A strategic merge patch for `liveDeployment`, the container names it must leave (in order)
/// and JSON that must sit at some pointers afterwards (nil: nothing there).
struct StrategicCase: Sendable, CustomTestStringConvertible {
    let name: String
    let patch: String
    let containers: [String]?
    let checks: [(String, String?)]
    var testDescription: String { name }
    init(_ name: String, _ patch: String, containers: [String]? = nil, _ checks: [(String, String?)] = []) {
        (self.name, self.patch, self.containers, self.checks) = (name, patch, containers, checks)
    }
}

/// A strategic merge patch for `liveDeployment` that must fail with a message starting so.
struct StrategicFailureCase: Sendable, CustomTestStringConvertible {
    let name: String
    let patch: String
    let kind: PatchError.Kind
    let message: String
    var testDescription: String { name }
    init(_ name: String, _ patch: String, _ kind: PatchError.Kind, _ message: String) {
        (self.name, self.patch, self.kind, self.message) = (name, patch, kind, message)
    }
}

private let strategicCases: [StrategicCase] = [
    // Containers, merged by name.
    .init("change one container's image by name",
          #"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}"#,
          containers: ["nginx", "sidecar"],
          [("\(containersPath)/0/image", #""nginx:1.27""#),
           ("\(containersPath)/0/ports", #"[{"containerPort":80,"protocol":"TCP"}]"#),
           ("\(containersPath)/0/env", #"[{"name":"A","value":"1"},{"name":"B","value":"2"}]"#),
           ("\(containersPath)/1/image", #""busybox:1.36""#)]),
    .init("a new container comes before the live ones, as in Kubernetes",
          #"{"spec":{"template":{"spec":{"containers":[{"name":"logger","image":"fluent-bit:3"}]}}}}"#,
          containers: ["logger", "nginx", "sidecar"],
          [("\(containersPath)/0", #"{"name":"logger","image":"fluent-bit:3"}"#)]),
    .init("delete a container with $patch: delete",
          #"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}"#,
          containers: ["nginx"]),
    .init("delete one container and change another",
          #"{"spec":{"template":{"spec":{"containers":[{"$patch":"delete","name":"sidecar"},{"name":"nginx","image":"nginx:1.27"}]}}}}"#,
          containers: ["nginx"],
          [("\(containersPath)/0/image", #""nginx:1.27""#)]),
    .init("$patch: delete of a container that is not there changes nothing",
          #"{"spec":{"template":{"spec":{"containers":[{"name":"ghost","$patch":"delete"}]}}}}"#,
          containers: ["nginx", "sidecar"]),
    .init("$patch: replace in the list replaces the list",
          #"{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"alpine:3"},{"$patch":"replace"}]}}}}"#,
          containers: ["only"],
          [(containersPath, #"[{"name":"only","image":"alpine:3"}]"#)]),
    .init("a new container loses its nulls and directives",
          #"{"spec":{"template":{"spec":{"containers":[{"name":"logger","image":"x","stdin":null,"env":[{"name":"A","value":null}],"resources":{"$patch":"replace","limits":{"cpu":"1"}}}]}}}}"#,
          containers: ["logger", "nginx", "sidecar"],
          [("\(containersPath)/0", #"{"name":"logger","image":"x","env":[{"name":"A"}],"resources":{"limits":{"cpu":"1"}}}"#)]),

    // Nested merge lists.
    .init("env merges by name",
          #"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","env":[{"name":"B","value":"20"},{"name":"C","value":"3"}]}]}}}}"#,
          containers: ["nginx", "sidecar"],
          [("\(containersPath)/0/env", #"[{"name":"A","value":"1"},{"name":"B","value":"20"},{"name":"C","value":"3"}]"#),
           ("\(containersPath)/0/image", #""nginx:1.25""#)]),
    .init("a new env var leads the live ones it does not follow",
          #"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","env":[{"name":"C","value":"3"},{"name":"B","value":"20"}]}]}}}}"#,
          [("\(containersPath)/0/env", #"[{"name":"C","value":"3"},{"name":"A","value":"1"},{"name":"B","value":"20"}]"#)]),
    .init("env var deleted by name, another loses its value",
          #"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","env":[{"name":"A","$patch":"delete"},{"name":"B","value":null}]}]}}}}"#,
          [("\(containersPath)/0/env", #"[{"name":"B"}]"#)]),
    .init("ports merge by containerPort",
          #"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","ports":[{"containerPort":443,"protocol":"TCP"},{"containerPort":80,"name":"http"}]}]}}}}"#,
          [("\(containersPath)/0/ports", #"[{"containerPort":443,"protocol":"TCP"},{"containerPort":80,"protocol":"TCP","name":"http"}]"#)]),
    .init("resources merge as maps",
          #"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","resources":{"limits":{"memory":"128Mi","cpu":null},"requests":{"cpu":"100m"}}}]}}}}"#,
          [("\(containersPath)/0/resources", #"{"limits":{"memory":"128Mi"},"requests":{"cpu":"100m"}}"#)]),
    .init("volumes: $retainKeys switches the volume source",
          #"{"spec":{"template":{"spec":{"volumes":[{"name":"data","$retainKeys":["name","configMap"],"configMap":{"name":"cfg"}}]}}}}"#,
          [("/spec/template/spec/volumes", #"[{"name":"data","configMap":{"name":"cfg"}}]"#)]),

    // $setElementOrder.
    .init("$setElementOrder puts a new container last",
          #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"},{"name":"logger"}],"containers":[{"name":"logger","image":"fluent-bit:3"}]}}}}"#,
          containers: ["nginx", "sidecar", "logger"],
          [("\(containersPath)/2/image", #""fluent-bit:3""#), ("\(containersPath)/0/image", #""nginx:1.25""#)]),
    .init("$setElementOrder alone reorders",
          #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"nginx"}]}}}}"#,
          containers: ["sidecar", "nginx"],
          [("\(containersPath)/1/env", #"[{"name":"A","value":"1"},{"name":"B","value":"2"}]"#)]),
    .init("$setElementOrder with a deletion (kubectl two-way patch)",
          #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"logger"},{"name":"nginx"}],"containers":[{"name":"logger","image":"x"},{"$patch":"delete","name":"sidecar"}]}}}}"#,
          containers: ["logger", "nginx"]),
    .init("live elements the order does not name keep their live place",
          #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"logger"}],"containers":[{"name":"logger","image":"x"}]}}}}"#,
          containers: ["nginx", "logger", "sidecar"]),
    .init("$setElementOrder for env inside a container",
          #"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","$setElementOrder/env":[{"name":"B"},{"name":"C"},{"name":"A"}],"env":[{"name":"C","value":"3"}]}]}}}}"#,
          [("\(containersPath)/0/env", #"[{"name":"B","value":"2"},{"name":"C","value":"3"},{"name":"A","value":"1"}]"#)]),

    // Strategy: retainKeys.
    .init("$retainKeys on spec.strategy drops rollingUpdate",
          #"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#,
          [("/spec/strategy", #"{"type":"Recreate"}"#)]),
    .init("without $retainKeys the strategy merges",
          #"{"spec":{"strategy":{"type":"Recreate"}}}"#,
          [("/spec/strategy", #"{"type":"Recreate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}}"#)]),
    .init("$retainKeys with a null member (kubectl apply switching to Recreate)",
          #"{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"}}}"#,
          [("/spec/strategy", #"{"type":"Recreate"}"#)]),
    .init("$retainKeys keeps listed keys and merges into them",
          #"{"spec":{"strategy":{"$retainKeys":["type","rollingUpdate"],"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":null}}}}"#,
          [("/spec/strategy", #"{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}"#)]),
    .init("null deletes the strategy",
          #"{"spec":{"strategy":null}}"#,
          [("/spec/strategy", nil), ("/spec/replicas", "2")]),
    .init("$patch: delete empties the strategy map",
          #"{"spec":{"strategy":{"$patch":"delete"}}}"#,
          [("/spec/strategy", "{}")]),

    // Metadata.
    .init("labels: null removes one, a new one is added",
          #"{"metadata":{"labels":{"tier":null,"version":"v2"}}}"#,
          [("/metadata/labels", #"{"app":"web","version":"v2"}"#), ("/metadata/name", #""web""#)]),
    .init("$patch: replace on labels",
          #"{"metadata":{"labels":{"$patch":"replace","app":"api"}}}"#,
          [("/metadata/labels", #"{"app":"api"}"#), ("/spec/template/metadata/labels", #"{"app":"web"}"#)]),
    .init("$patch: merge on labels is the default",
          #"{"metadata":{"labels":{"$patch":"merge","version":"v2"}}}"#,
          [("/metadata/labels", #"{"app":"web","tier":"frontend","version":"v2"}"#)]),
    .init("annotations appear where there were none",
          #"{"metadata":{"annotations":{"note":"x","gone":null}}}"#,
          [("/metadata/annotations", #"{"note":"x"}"#)]),
    .init("$deleteFromPrimitiveList/finalizers",
          #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/a"]}}"#,
          [("/metadata/finalizers", #"["example.com/b"]"#)]),
    .init("finalizers are a union, new values leading",
          #"{"metadata":{"finalizers":["example.com/c","example.com/a"]}}"#,
          [("/metadata/finalizers", #"["example.com/c","example.com/a","example.com/b"]"#)]),
    .init("finalizers: order, addition and deletion together (kubectl two-way patch)",
          #"{"metadata":{"$setElementOrder/finalizers":["example.com/b","example.com/c"],"$deleteFromPrimitiveList/finalizers":["example.com/a"],"finalizers":["example.com/c"]}}"#,
          [("/metadata/finalizers", #"["example.com/b","example.com/c"]"#)]),
    .init("deleting from a list that is not there changes nothing",
          #"{"spec":{"template":{"metadata":{"$deleteFromPrimitiveList/finalizers":["x"]}}}}"#,
          [("/spec/template/metadata", #"{"labels":{"app":"web"}}"#)]),

    // Replaced lists, scalars, unknown fields.
    .init("lists without a merge strategy are replaced",
          #"{"spec":{"template":{"spec":{"tolerations":[{"key":"k2","operator":"Exists"}],"containers":[{"name":"sidecar","args":["sleep","10"]}]}}}}"#,
          containers: ["nginx", "sidecar"],
          [("/spec/template/spec/tolerations", #"[{"key":"k2","operator":"Exists"}]"#),
           ("\(containersPath)/1/args", #"["sleep","10"]"#)]),
    .init("scalars are replaced",
          #"{"spec":{"replicas":5,"paused":true}}"#,
          [("/spec/replicas", "5"), ("/spec/paused", "true")]),
    .init("a value of another JSON type replaces",
          #"{"spec":{"template":{"spec":{"tolerations":{"odd":true}}}}}"#,
          [("/spec/template/spec/tolerations", #"{"odd":true}"#)]),
    .init("fields the schema does not know merge like a merge patch",
          #"{"x-vendor":{"keep":null,"list":[3],"new":{"n":null,"m":1}},"spec":{"x-new":{"a":[null],"b":null}}}"#,
          [("/x-vendor", #"{"list":[3],"new":{"m":1}}"#), ("/spec/x-new", #"{"a":[null]}"#)]),
    .init("an empty patch changes nothing", "{}",
          containers: ["nginx", "sidecar"],
          [("", liveDeployment)]),
]

private let strategicFailures: [StrategicFailureCase] = [
    .init("unknown $patch on a map", #"{"metadata":{"labels":{"$patch":"frobnicate"}}}"#,
          .badRequest, "unknown patch type: frobnicate in map: map[$patch:frobnicate]"),
    .init("unknown $patch in a list", #"{"spec":{"template":{"spec":{"containers":[{"name":"x","$patch":"frob"}]}}}}"#,
          .badRequest, "unknown patch type: frob in map: map[$patch:frob name:x]"),
    .init("merge-list element without its merge key", #"{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"#,
          .badRequest, "map: map[image:x] does not contain declared merge key: name"),
    .init("$patch: delete without the merge key", #"{"spec":{"template":{"spec":{"containers":[{"$patch":"delete","image":"x"}]}}}}"#,
          .badRequest, "map: map[$patch:delete image:x] does not contain declared merge key: name"),
    .init("$patch: merge in a list", #"{"spec":{"template":{"spec":{"containers":[{"$patch":"merge"}]}}}}"#,
          .badRequest, "merging lists cannot yet be specified in the patch"),
    .init("a patch key missing from $retainKeys", #"{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{"maxSurge":1}}}}"#,
          .unprocessable, "patch content doesn't match retainKeys list"),
    .init("$retainKeys that is not a list", #"{"spec":{"strategy":{"$retainKeys":"type"}}}"#,
          .badRequest, "invalid patch format of retainKeys"),
    .init("$setElementOrder that does not match the patch list",
          #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"name":"logger","image":"x"}]}}}}"#,
          .badRequest, "The order in patch list:\n[map[image:x name:logger]]\n doesn't match $setElementOrder list:\n[map[name:nginx]]\n"),
    .init("$setElementOrder that is not a list", #"{"metadata":{"$setElementOrder/finalizers":"x"}}"#,
          .badRequest, "invalid patch format of setElementOrder list"),
    .init("$deleteFromPrimitiveList that is not a list", #"{"metadata":{"$deleteFromPrimitiveList/finalizers":"example.com/a"}}"#,
          .badRequest, "invalid patch format of primitive list"),
    .init("a merge list mixing objects and scalars", #"{"spec":{"template":{"spec":{"containers":["nginx"]}}}}"#,
          .badRequest, "list element types are not identical"),
    .init("a patch that is not an object", #"[{"op":"add"}]"#,
          .badRequest, "json: cannot unmarshal array into Go value of type map[string]interface {}"),
]

/// Whether any object inside `value` has a key starting with `$`.
private func containsDirective(_ value: JSONValue) -> Bool {
    switch value {
    case .object(let object):
        object.members.contains { $0.key.hasPrefix("$") || containsDirective($0.value) }
    case .array(let array):
        array.contains(where: containsDirective)
    default:
        false
    }
}

struct StrategicMergePatchTests {
    let schema = APISchema.kubernetes

    func deploymentType() throws -> TypeSchema {
        try #require(schema.type(named: "io.k8s.api.apps.v1.Deployment"))
    }

    @Test(arguments: strategicCases)
    func patchesDeployment(_ c: StrategicCase) throws {
        let live = try json(liveDeployment)
        let result = try StrategicMergePatch.apply(json(c.patch), to: live, schema: schema, type: deploymentType())
        #expect(!containsDirective(result))
        if let names = c.containers {
            let containers = JSONPointer(containersPath)?.value(in: result)
            guard case .array(let list)? = containers else {
                Issue.record("no containers list")
                return
            }
            #expect(list.map { $0["name"]?.stringValue ?? "?" } == names)
        }
        for (path, expectedText) in c.checks {
            let pointer = try #require(JSONPointer(path))
            let actual = pointer.value(in: result)
            if let expectedText {
                let expected = try json(expectedText)
                #expect(actual == expected, "at \(path)")
            } else {
                #expect(actual == nil, "at \(path)")
            }
        }
    }

    @Test(arguments: strategicFailures)
    func rejects(_ c: StrategicFailureCase) throws {
        let live = try json(liveDeployment)
        let patch = try json(c.patch)
        let type = try deploymentType()
        let error = try #require(throws: PatchError.self) {
            try StrategicMergePatch.apply(patch, to: live, schema: schema, type: type)
        }
        #expect(error.message.hasPrefix(c.message), "\(error.message)")
        #expect(error.kind == c.kind)
    }

    @Test func kubectlSetImageAndScaleGiveTheWholeDocument() throws {
        let patch = try json(#"""
            {"metadata":{"labels":{"tier":null}},
             "spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}
            """#)
        let expected = try json(#"""
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","namespace":"default","labels":{"app":"web"},
                         "finalizers":["example.com/a","example.com/b"]},
             "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
               "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
               "template":{"metadata":{"labels":{"app":"web"}},
                 "spec":{"containers":[
                     {"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":80,"protocol":"TCP"}],
                      "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"resources":{"limits":{"cpu":"500m"}}},
                     {"name":"sidecar","image":"busybox:1.36","args":["sleep","infinity"]}],
                   "tolerations":[{"key":"k1","operator":"Exists"}],
                   "volumes":[{"name":"data","emptyDir":{}}]}}},
             "x-vendor":{"keep":1,"list":[1,2]}}
            """#)
        let result = try StrategicMergePatch.apply(patch, to: json(liveDeployment), schema: schema, type: deploymentType())
        #expect(result == expected)
        // Members keep their place; the changed container stays first.
        #expect(JSONCodec.encodeToString(result).hasPrefix(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web""#))
    }

    @Test func servicePortsMergeByPort() throws {
        let service = try #require(schema.type(for: GroupVersionKind(group: "", version: "v1", kind: "Service")))
        let live = try json(#"""
            {"spec":{"selector":{"app":"web"},"ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"}]}}
            """#)
        let patch = try json(#"{"spec":{"ports":[{"port":80,"targetPort":9090},{"name":"https","port":443,"targetPort":8443}]}}"#)
        let result = try StrategicMergePatch.apply(patch, to: live, schema: schema, type: service)
        let expected = try json(#"""
            [{"name":"http","port":80,"targetPort":9090,"protocol":"TCP"},{"name":"https","port":443,"targetPort":8443}]
            """#)
        #expect(result["spec"]?["ports"] == expected)
    }

    @Test func podContainersOfAPodMergeToo() throws {
        let pod = try #require(schema.type(for: GroupVersionKind(group: "", version: "v1", kind: "Pod")))
        let live = try json(#"""
            {"metadata":{"name":"p"},"spec":{"containers":[{"name":"app","image":"a:1","volumeMounts":[{"name":"data","mountPath":"/data"}]}],
             "nodeSelector":{"disk":"ssd"}}}
            """#)
        let patch = try json(#"""
            {"spec":{"containers":[{"name":"app","volumeMounts":[{"name":"cache","mountPath":"/cache"},{"mountPath":"/data","readOnly":true}]}],
             "nodeSelector":{"zone":"a"}}}
            """#)
        let result = try StrategicMergePatch.apply(patch, to: live, schema: schema, type: pod)
        let mounts = try json(#"[{"name":"cache","mountPath":"/cache"},{"name":"data","mountPath":"/data","readOnly":true}]"#)
        #expect(result["spec"]?["containers"]?[0]?["volumeMounts"] == mounts)
        let nodeSelector = try json(#"{"disk":"ssd","zone":"a"}"#)
        #expect(result["spec"]?["nodeSelector"] == nodeSelector)
    }

    @Test func nullDocumentAndNullPatch() throws {
        let type = try deploymentType()
        let patch = try json(#"{"metadata":{"name":"x","labels":{"a":null}},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}}"#)
        let created = try StrategicMergePatch.apply(patch, to: .null, schema: schema, type: type)
        let expected = try json(#"{"metadata":{"name":"x","labels":{}},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}}"#)
        #expect(created == expected)
        let live = try json(liveDeployment)
        #expect(try StrategicMergePatch.apply(.null, to: live, schema: schema, type: type) == live)
    }

    @Test func orderOfMergedListsFollowsKubernetes() {
        // Live [a, b, c]; the patch names d (new) and b: d leads, b keeps its live neighbours.
        let merged: [JSONValue] = ["a", "b", "c", "d"]
        let order = StrategicMerger.arrange(merged, patchOrder: ["d", "b"], serverOrder: ["a", "b", "c"], identity: { $0 })
        #expect(order == ["d", "a", "b", "c"])
        // A patch that names live elements in a new relative order wins over the live order.
        let swapped = StrategicMerger.arrange(["a", "b", "c"], patchOrder: ["c", "a"], serverOrder: ["a", "b", "c"], identity: { $0 })
        #expect(swapped == ["b", "c", "a"])
    }
}
