/// A line diff of expected and actual output, for failure reports: `-` lines are expected
/// but missing, `+` lines are produced but not expected; long unchanged runs are elided.
public enum LineDiff {
    public static func render(expected: [String], actual: [String], context: Int = 3) -> String {
        let n = expected.count
        let m = actual.count
        // lcs[i][j]: length of the longest common subsequence of expected[i...] and actual[j...].
        var lcs = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = expected[i] == actual[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var lines: [(changed: Bool, text: String)] = []
        var i = 0
        var j = 0
        while i < n || j < m {
            if i < n, j < m, expected[i] == actual[j] {
                lines.append((false, "  " + expected[i]))
                i += 1
                j += 1
            } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
                lines.append((true, "- " + expected[i]))
                i += 1
            } else {
                lines.append((true, "+ " + actual[j]))
                j += 1
            }
        }
        let changed = lines.indices.filter { lines[$0].changed }
        var out: [String] = []
        var skipping = false
        for k in lines.indices {
            if changed.contains(where: { abs($0 - k) <= context }) {
                out.append(lines[k].text)
                skipping = false
            } else if !skipping {
                out.append("  …")
                skipping = true
            }
        }
        return out.joined(separator: "\n")
    }
}
