import Foundation

/// A problem found while running a script, located in the script.
struct ScriptFailure: CustomStringConvertible {
    let file: String
    /// 1-based line in `file` (the command's line, or 1 for problems with the whole file).
    let line: Int
    let message: String
    var description: String { "\(file):\(line): \(message)" }
}

/// The outcome of one script.
struct ScriptResult {
    var failures: [ScriptFailure] = []
}

/// Runs a script file against a fresh `InteractionEnvironment` and compares every command's
/// output with the expected text; in rewrite mode it writes the actual outputs back instead
/// (except for scripts marked `# known-issue:`, whose expectations are written by hand).
enum ScriptRunner {
    /// `REWRITE=1 swift test --filter Interaction` regenerates the expected traces.
    static var rewriteRequested: Bool { ProcessInfo.processInfo.environment["REWRITE"] == "1" }

    /// No failures means the script passed (or was rewritten cleanly).
    static func run(path: String, rewrite requested: Bool = rewriteRequested) -> ScriptResult {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let text: String
        let script: ScriptFile
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
            script = try ScriptFile(parsing: text)
        } catch {
            return ScriptResult(failures: [ScriptFailure(file: name, line: 1, message: "cannot read script: \(error)")])
        }
        let rewrite = requested
        var failures: [ScriptFailure] = []
        var outputs = script.blocks.map(\.expected)
        let environment = InteractionEnvironment()
        for (index, block) in script.blocks.enumerated() {
            let actual: [String]
            do {
                let command = try ScriptCommand(parsing: block.command, line: block.line)
                actual = try environment.execute(command)
            } catch {
                // The rest of the script depends on this command: stop, keeping its outputs.
                failures.append(ScriptFailure(file: name, line: block.line, message: "`\(block.command)`: \(error)"))
                break
            }
            for violation in environment.takeViolations() {
                failures.append(ScriptFailure(file: name, line: block.line, message: "`\(block.command)` broke an invariant: \(violation)"))
            }
            outputs[index] = actual
            if !rewrite && actual != block.expected {
                failures.append(
                    ScriptFailure(
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
