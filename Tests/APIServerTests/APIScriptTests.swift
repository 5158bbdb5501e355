import DataDriven
import Foundation
import Testing

/// Datadriven request/response scripts in `testdata/`, each run against a fresh in-process
/// apiserver (see `APIScriptEnvironment`). Regenerate the expected outputs after a deliberate
/// change with `REWRITE=1 swift test --filter APIScript`, then read the diff before committing.
@Suite(.timeLimit(.minutes(1)))
struct APIScriptTests {
    static let testdata = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("testdata").path

    static let scripts: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: testdata)) ?? [])
        .filter { $0.hasSuffix(".txt") }.sorted()

    @Test(arguments: APIScriptTests.scripts)
    func script(_ name: String) async throws {
        let path = Self.testdata + "/" + name
        let environment = try APIScriptEnvironment()
        try await environment.start()
        let result = await ScriptRunner.run(path: path, execute: { try await environment.execute($0) })
        for failure in result.failures {
            Issue.record(
                Comment(rawValue: failure.description),
                sourceLocation: SourceLocation(fileID: "APIServerTests/\(name)", filePath: path, line: failure.line, column: 1))
        }
    }

    @Test func scriptsAreFound() {
        #expect(!Self.scripts.isEmpty, "no scripts in \(Self.testdata)")
    }
}
