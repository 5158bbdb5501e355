import Testing
@testable import Controllers

@Suite("ControllerManager --controllers")
struct ControllerManagerTests {
    @Test("* enables every controller known and on by default")
    func starEnablesAll() {
        for name in ControllerManager.known {
            #expect(ControllerManager.isEnabled(name, selection: ["*"]), "\(name)")
        }
    }

    @Test("a bare name enables that controller only")
    func bareNameEnablesOnlyIt() {
        #expect(ControllerManager.isEnabled("replicaset", selection: ["replicaset"]))
        #expect(!ControllerManager.isEnabled("namespace", selection: ["replicaset"]))
        #expect(!ControllerManager.isEnabled("garbagecollector", selection: ["replicaset", "serviceaccount"]))
    }

    @Test("-name disables a controller * would enable")
    func minusDisables() {
        let selection = ["*", "-namespace"]
        #expect(!ControllerManager.isEnabled("namespace", selection: selection))
        #expect(ControllerManager.isEnabled("replicaset", selection: selection))
        #expect(ControllerManager.isEnabled("garbagecollector", selection: selection))
    }

    @Test("the first entry naming a controller wins, wherever * is")
    func firstMatchWins() {
        #expect(!ControllerManager.isEnabled("replicaset", selection: ["-replicaset", "replicaset"]))
        #expect(ControllerManager.isEnabled("replicaset", selection: ["replicaset", "-replicaset"]))
        #expect(!ControllerManager.isEnabled("replicaset", selection: ["-replicaset", "*"]))
        #expect(ControllerManager.isEnabled("replicaset", selection: ["replicaset", "*", "-replicaset"]))
    }

    @Test("an empty selection enables nothing")
    func emptySelection() {
        for name in ControllerManager.known {
            #expect(!ControllerManager.isEnabled(name, selection: []), "\(name)")
        }
    }

    @Test("unknown names are reported without their '-', * and known names are not")
    func unknownNames() {
        #expect(ControllerManager.unknown(in: ["*", "foo", "-bar", "replicaset", "-namespace", "garbagecollector"]) == ["foo", "-bar"])
        #expect(ControllerManager.unknown(in: ["*"]).isEmpty)
        #expect(ControllerManager.unknown(in: ControllerManager.known + ControllerManager.known.map { "-" + $0 }).isEmpty)
        #expect(ControllerManager.unknown(in: ["**", "-*"]) == ["**", "-*"])
    }

    @Test("default options select every controller")
    func defaultOptions() {
        let options = ControllerManager.Options()
        #expect(options.controllers == ["*"])
        #expect(ControllerManager.known.allSatisfy { ControllerManager.isEnabled($0, selection: options.controllers) })
    }
}
