extension MetaV1.LabelSelector {
    /// Converts this API selector into a query, with the semantics of
    /// upstream's `metav1.LabelSelectorAsSelector`.
    ///
    /// - A selector with no `matchLabels` and no `matchExpressions` (nil or
    ///   empty) returns `.everything`.
    /// - An *absent* selector (a nil `MetaV1.LabelSelector?`) selects nothing;
    ///   callers must handle that case before calling this.
    /// - `matchLabels` become `key=value` requirements; `matchExpressions`
    ///   accept the operators `In`, `NotIn` (values required), `Exists` and
    ///   `DoesNotExist` (no values allowed). Keys and values are validated.
    ///
    /// Throws `"<op>" is not a valid label selector operator` for any other
    /// operator, or the first requirement's validation error.
    public func query() throws(SelectorParseError) -> LabelSelectorQuery {
        let labels = matchLabels ?? [:]
        let expressions = matchExpressions ?? []
        if labels.isEmpty && expressions.isEmpty { return .everything }

        var requirements: [LabelRequirement] = []
        requirements.reserveCapacity(labels.count + expressions.count)
        // Upstream walks the map in random order; sort for deterministic errors.
        for key in labels.keys.sorted(by: SelectorOrdering.precedes) {
            requirements.append(
                try LabelRequirement(validating: key, op: .equals, values: [labels[key]!], emptyValuesAsNull: false))
        }
        for expression in expressions {
            let op: LabelRequirement.Operator
            switch expression.operator {
            case "In": op = .in_
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            default:
                throw SelectorParseError(
                    "\(SelectorText.goQuoted(expression.operator)) is not a valid label selector operator")
            }
            // An empty list is reported as `null`, as upstream copies it into a nil slice.
            requirements.append(
                try LabelRequirement(
                    validating: expression.key, op: op, values: expression.values ?? [], emptyValuesAsNull: true))
        }
        return LabelSelectorQuery(requirements: requirements)
    }
}
