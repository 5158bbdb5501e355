/// A datadriven script: blocks of a command line, optional input lines, `----`, the expected
/// output, ended by a blank line. Lines starting with `#` and blank lines between blocks are
/// kept verbatim, so a file can be rendered back with new outputs (rewrite mode) without
/// losing its comments.
public struct ScriptFile: Sendable {
    public struct Block: Sendable {
        /// Comments and blank lines before the command.
        public var leading: [String]
        public var command: String
        /// Lines between the command and `----` (a request body, say); often none.
        public var input: [String]
        /// 1-based line of `command`.
        public var line: Int
        public var expected: [String]
    }

    public static let separator = "----"

    public var blocks: [Block] = []
    /// Comments and blank lines after the last block.
    public var trailing: [String] = []

    public init(parsing text: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if text.hasSuffix("\n") { lines.removeLast() }
        var pending: [String] = []
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) || line.hasPrefix("#") {
                pending.append(line)
                i += 1
                continue
            }
            let commandLine = i + 1
            i += 1
            var input: [String] = []
            while i < lines.count, lines[i] != Self.separator, !lines[i].isEmpty {
                input.append(lines[i])
                i += 1
            }
            guard i < lines.count, lines[i] == Self.separator else {
                throw ScriptError("line \(commandLine): command `\(line)` is not followed by \(Self.separator)")
            }
            i += 1
            var expected: [String] = []
            while i < lines.count, !lines[i].isEmpty {
                expected.append(lines[i])
                i += 1
            }
            if i < lines.count { i += 1 }  // the blank line ending the block
            blocks.append(Block(leading: pending, command: line, input: input, line: commandLine, expected: expected))
            pending = []
        }
        trailing = pending
    }

    /// The script with `outputs[i]` as the output of block `i`.
    public func rendered(outputs: [[String]]) -> String {
        precondition(outputs.count == blocks.count)
        var lines: [String] = []
        for (block, output) in zip(blocks, outputs) {
            lines += block.leading
            lines.append(block.command)
            lines += block.input
            lines.append(Self.separator)
            lines += output
            lines.append("")
        }
        lines += trailing
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }
}
