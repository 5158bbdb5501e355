import APIMachinery

/// Validation and evaluation of API label selectors (`metav1.LabelSelector`), with the
/// messages of apimachinery's `ValidateLabelSelector` and the semantics of
/// `LabelSelectorAsSelector` (absent selects nothing, empty selects everything).
enum LabelSelectorValidation {
    typealias Path = FieldError.Path

    /// Problems in `selector`'s labels and expressions; nothing for an absent selector.
    static func validate(_ selector: MetaV1.LabelSelector?, path: Path) -> [FieldError] {
        guard let selector else { return [] }
        var errors = ObjectMetaValidation.labels(selector.matchLabels, path: path.child("matchLabels"))
        for (index, requirement) in (selector.matchExpressions ?? []).enumerated() {
            let itemPath = path.child("matchExpressions").index(index)
            let values = requirement.values ?? []
            switch requirement.operator {
            case "In", "NotIn":
                if values.isEmpty {
                    errors.append(.required(itemPath.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
                }
            case "Exists", "DoesNotExist":
                if !values.isEmpty {
                    errors.append(
                        .forbidden(itemPath.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
                }
            default:
                errors.append(.invalid(itemPath.child("operator"), .string(requirement.operator), "not a valid selector operator"))
            }
            for message in ValidationFormats.qualifiedName(requirement.key) {
                errors.append(.invalid(itemPath.child("key"), .string(requirement.key), message))
            }
            for (valueIndex, value) in values.enumerated() {
                for message in ValidationFormats.labelValue(value) {
                    errors.append(.invalid(itemPath.child("values").index(valueIndex), .string(value), message))
                }
            }
        }
        return errors
    }

    /// How a selector behaves once converted: nil when it cannot be converted (bad operator,
    /// key or value); otherwise whether it is empty (matches everything) and a matcher.
    struct Compiled {
        var isEmpty: Bool
        var matches: ([String: String]) -> Bool
    }

    static func compile(_ selector: MetaV1.LabelSelector?) -> Compiled? {
        guard let selector else { return Compiled(isEmpty: false, matches: { _ in false }) }
        guard let query = try? selector.query() else { return nil }
        return Compiled(isEmpty: query.isEmpty, matches: { query.matches($0) })
    }

    /// True when the selector has neither match labels nor expressions.
    static func hasNoRequirements(_ selector: MetaV1.LabelSelector) -> Bool {
        (selector.matchLabels ?? [:]).isEmpty && (selector.matchExpressions ?? []).isEmpty
    }

    /// The selector as Go's `%#v` prints `metav1.LabelSelector`; `null` when absent.
    static func goSyntax(_ selector: MetaV1.LabelSelector?) -> FieldError.Value {
        guard let selector else { return .null }
        let expressions: String
        if let list = selector.matchExpressions {
            let items = list.map { requirement in
                "v1.LabelSelectorRequirement{Key:\(FieldError.Value.goQuote(requirement.key)), Operator:\(FieldError.Value.goQuote(requirement.operator)), Values:\(FieldError.Value.goStringSlice(requirement.values))}"
            }
            expressions = "[]v1.LabelSelectorRequirement{" + items.joined(separator: ", ") + "}"
        } else {
            expressions = "[]v1.LabelSelectorRequirement(nil)"
        }
        return .raw(
            "v1.LabelSelector{MatchLabels:\(FieldError.Value.goStringMap(selector.matchLabels)), MatchExpressions:\(expressions)}")
    }
}
