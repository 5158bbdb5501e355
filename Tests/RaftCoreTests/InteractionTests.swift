import DataDriven
import Foundation
import Testing

@testable import RaftCore

/// Datadriven interaction scripts in `testdata/`: each drives a cluster of `RaftNode`s
/// command by command (see `InteractionEnvironment.execute`) and compares every output with
/// the trace stored in the file. Regenerate the traces after a deliberate behaviour change
/// with `REWRITE=1 swift test --filter Interaction`, then read the diff before committing.
struct InteractionTests {
    static let testdata = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("testdata").path

    static let scripts: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: testdata)) ?? [])
        .filter { $0.hasSuffix(".txt") }.sorted()

    @Test(arguments: InteractionTests.scripts)
    func script(_ name: String) async {
        let path = Self.testdata + "/" + name
        let environment = InteractionEnvironment()
        let result = await ScriptRunner.run(
            path: path,
            execute: { block in
                guard block.input.isEmpty else { throw ScriptError("interaction commands take no input lines") }
                return try environment.execute(ScriptCommand(parsing: block.command, line: block.line))
            },
            violations: { environment.takeViolations() })
        for failure in result.failures {
            Issue.record(
                Comment(rawValue: failure.description),
                sourceLocation: SourceLocation(
                    fileID: "RaftCoreTests/\(name)", filePath: path, line: failure.line, column: 1))
        }
    }

    @Test func scriptsAreFound() {
        #expect(!Self.scripts.isEmpty, "no scripts in \(Self.testdata)")
    }
}
