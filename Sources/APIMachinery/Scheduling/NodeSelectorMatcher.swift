
/// One parsed `NodeSelectorTerm`: label expressions and `metadata.name` field expressions,
/// all of which must hold (upstream component-helpers `nodeSelectorTerm`).
///
/// Operators: `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt` for labels (validated as
/// label requirements: `Gt`/`Lt` take one integer); `In` and `NotIn` with exactly one value
/// for fields, where the only field a node has is `metadata.name`. A term with a parse error
/// matches no node.
public struct NodeSelectorTermMatcher: Sendable, Hashable {
    /// A `matchFields` requirement: the field equals (`In`) or differs from (`NotIn`) `value`.
    struct FieldRequirement: Sendable, Hashable {
        var key: String
        var equal: Bool
        var value: String
    }

    var labelRequirements: [LabelRequirement]
    var fieldRequirements: [FieldRequirement]
    /// The first problem found while parsing, if any.
    public private(set) var parseError: String?
    /// True when the term had neither expressions nor fields (such terms are dropped).
    public let isEmpty: Bool

    public init(_ term: CoreV1.NodeSelectorTerm) {
        let expressions = term.matchExpressions ?? []
        let fields = term.matchFields ?? []
        isEmpty = expressions.isEmpty && fields.isEmpty
        labelRequirements = []
        fieldRequirements = []
        for expression in expressions {
            let op: LabelRequirement.Operator
            switch expression.operator {
            case "In": op = .in_
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            case "Gt": op = .greaterThan
            case "Lt": op = .lessThan
            default:
                noteError("Unsupported value: \"\(expression.operator)\" for operator of key \(expression.key)")
                continue
            }
            do {
                labelRequirements.append(try LabelRequirement(key: expression.key, op: op, values: expression.values ?? []))
            } catch {
                noteError(error.message)
            }
        }
        for field in fields {
            let values = field.values ?? []
            guard values.count == 1 else {
                noteError("matchFields values of \(field.key) must have one element")
                continue
            }
            switch field.operator {
            case "In": fieldRequirements.append(FieldRequirement(key: field.key, equal: true, value: values[0]))
            case "NotIn": fieldRequirements.append(FieldRequirement(key: field.key, equal: false, value: values[0]))
            default: noteError("Unsupported value: \"\(field.operator)\" for matchFields operator of \(field.key)")
            }
        }
    }

    private mutating func noteError(_ message: String) {
        if parseError == nil { parseError = message }
    }

    /// Whether a node with `labels` and name `nodeName` satisfies every requirement.
    public func matches(labels: [String: String], nodeName: String) -> Bool {
        if parseError != nil || isEmpty { return false }
        for requirement in labelRequirements where !requirement.matches(labels) { return false }
        for requirement in fieldRequirements {
            let actual = requirement.key == "metadata.name" ? nodeName : ""
            if (actual == requirement.value) != requirement.equal { return false }
        }
        return true
    }
}

/// A parsed required `NodeSelector`: its non-empty terms, any of which may match
/// (upstream `LazyErrorNodeSelector`). With no non-empty term nothing matches.
public struct NodeSelectorMatcher: Sendable, Hashable {
    public let terms: [NodeSelectorTermMatcher]

    public init(_ selector: CoreV1.NodeSelector) {
        terms = selector.nodeSelectorTerms.map(NodeSelectorTermMatcher.init).filter { !$0.isEmpty }
    }

    public func matches(labels: [String: String], nodeName: String) -> Bool {
        terms.contains { $0.matches(labels: labels, nodeName: nodeName) }
    }
}

/// What a pod requires of a node's labels: `spec.nodeSelector` (every pair must be present)
/// and the required node affinity (upstream `RequiredNodeAffinity`).
public struct RequiredNodeAffinity: Sendable, Hashable {
    /// `spec.nodeSelector`; empty when the pod has none.
    public let nodeSelector: [String: String]
    /// The required node affinity, when the pod sets one (even with no terms, which then
    /// matches nothing).
    public let affinity: NodeSelectorMatcher?

    public init(pod: CoreV1.Pod) {
        nodeSelector = pod.spec?.nodeSelector ?? [:]
        affinity = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
            .map(NodeSelectorMatcher.init)
    }

    /// True when the pod constrains nothing (every node matches).
    public var isEmpty: Bool { nodeSelector.isEmpty && affinity == nil }

    /// Whether a node with `labels` and name `nodeName` satisfies both parts.
    public func matches(labels: [String: String], nodeName: String) -> Bool {
        for (key, value) in nodeSelector where labels[key] != value { return false }
        if let affinity { return affinity.matches(labels: labels, nodeName: nodeName) }
        return true
    }
}

/// A pod's preferred node affinity: terms with their weights (upstream
/// `PreferredSchedulingTerms`). Terms with weight 0 or no requirements are dropped.
public struct PreferredNodeAffinity: Sendable, Hashable {
    public struct Term: Sendable, Hashable {
        public var weight: Int64
        public var matcher: NodeSelectorTermMatcher
    }

    public let terms: [Term]
    /// The first term's parse error, if any (upstream refuses to score such a pod).
    public let parseError: String?

    public init(_ preferred: [CoreV1.PreferredSchedulingTerm]) {
        var terms: [Term] = []
        var parseError: String?
        for term in preferred where term.weight != 0 {
            let matcher = NodeSelectorTermMatcher(term.preference)
            if matcher.isEmpty { continue }
            if let error = matcher.parseError {
                if parseError == nil { parseError = error }
                continue
            }
            terms.append(Term(weight: Int64(term.weight), matcher: matcher))
        }
        self.terms = terms
        self.parseError = parseError
    }

    /// The sum of the weights of the terms a node matches.
    public func score(labels: [String: String], nodeName: String) -> Int64 {
        var total: Int64 = 0
        for term in terms where term.matcher.matches(labels: labels, nodeName: nodeName) { total += term.weight }
        return total
    }
}
