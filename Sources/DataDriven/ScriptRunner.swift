import Foundation

/// A problem found while running a script, located in the script.
public struct ScriptFailure: CustomStringConvertible, Sendable {
    public let file: String
    /// 1-based line in `file` (the command's line, or 1 for problems with the whole file).
    public let line: Int
    public let message: String
    public var description: String { "\(file):\(line): \(message)" }
}

/// The outcome of one script.
public struct ScriptResult: Sendable {
    public var failures: [ScriptFailure] = []
}

/// Runs a script file block by block through `execute` and compares every block's output with
/// the expected text; in rewrite mode it writes the actual outputs back instead.
///
/// `execute` returns a block's output lines; a thrown error stops the script (the rest depends
/// on it) and always fails it. `violations` is asked after each block for broken invariants.
public enum ScriptRunner {
    /// `REWRITE=1 swift test --filter …` regenerates the expected outputs.
    public static var rewriteRequested: Bool { ProcessInfo.processInfo.environment["REWRITE"] == "1" }

    /// No failures means the script passed (or was rewritten cleanly).
    public static func run(
        path: String, rewrite: Bool = rewriteRequested,
        execute: (ScriptFile.Block) async throws -> [String],
        violations: () -> [String] = { [] }
    ) async -> ScriptResult {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let text: String
        let script: ScriptFile
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
            script = try ScriptFile(parsing: text)
        } catch {
            return ScriptResult(failures: [ScriptFailure(file: name, line: 1, message: "cannot read script: \(error)")])
        }
        var failures: [ScriptFailure] = []
        var outputs = script.blocks.map(\.expected)
        for (index, block) in script.blocks.enumerated() {
            let actual: [String]
            do {
                actual = try await execute(block)
            } catch {
                failures.append(ScriptFailure(file: name, line: block.line, message: "`\(block.command)`: \(error)"))
                break
            }
            for violation in violations() {
                failures.append(ScriptFailure(file: name, line: block.line, message: "`\(block.command)` broke an invariant: \(violation)"))
            }
            outputs[index] = actual
            if !rewrite && actual != block.expected {
                failures.append(ScriptFailure(
                    file: name, line: block.line,
                    message: "output of `\(block.command)` differs (- expected, + actual):\n"
                        + LineDiff.render(expected: block.expected, actual: actual)))
            }
        }
        if rewrite {
            let newText = script.rendered(outputs: outputs)
            if newText != text {
                do {
                    try newText.write(toFile: path, atomically: true, encoding: .utf8)
                } catch {
                    failures.append(ScriptFailure(file: name, line: 1, message: "cannot rewrite: \(error)"))
                }
            }
        }
        return ScriptResult(failures: failures)
    }
}
