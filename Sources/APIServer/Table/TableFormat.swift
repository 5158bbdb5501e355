import APIMachinery

/// Cell formatting shared by several kinds: label sets, label selectors, quantities,
/// container lists, load-balancer addresses, access modes. Each helper renders what the
/// apiserver renders for the same Go value, including its placeholders (`<none>`, `<unset>`).
enum TableFormat {
    /// `metadata.name` of an object.
    static func name(_ object: TableField) -> String {
        object["metadata"]["name"].text
    }

    /// The AGE cell: time since `metadata.creationTimestamp`.
    static func age(_ object: TableField, now: Time) -> String {
        HumanDuration.since(object["metadata"]["creationTimestamp"].time, now: now)
    }

    // MARK: Labels and selectors

    /// A label map as `k=v,k2=v2`: the `k=v` strings in byte order; `<none>` when empty.
    static func labels(_ map: TableField) -> String {
        let pairs = map.members.compactMap { member -> String? in
            guard let value = member.value.string else { return nil }
            return member.key + "=" + value
        }
        if pairs.isEmpty { return "<none>" }
        return pairs.sorted(by: bytewise).joined(separator: ",")
    }

    /// How a `meta/v1.LabelSelector` field converts to a selector.
    enum Selector {
        /// The field is absent: upstream's "selects nothing", which prints as "".
        case nothing
        case query(LabelSelectorQuery)
        /// The selector does not decode or validate.
        case invalid
    }

    static func selector(_ field: TableField) -> Selector {
        guard field.isPresent, let value = field.value else { return .nothing }
        guard let selector = try? JSONCodec.decode(MetaV1.LabelSelector.self, from: value),
            let query = try? selector.query()
        else { return .invalid }
        return .query(query)
    }

    /// A label selector field as most printers show it: canonical text, `<none>` when it is
    /// absent or selects everything, `<error>` when it is invalid.
    static func labelSelector(_ field: TableField) -> String {
        switch selector(field) {
        case .nothing: return "<none>"
        case .invalid: return "<error>"
        case .query(let query):
            let text = query.description
            return text.isEmpty ? "<none>" : text
        }
    }

    // MARK: Containers

    /// The names and images of a container list, each comma-joined.
    static func containers(_ list: TableField) -> (names: String, images: String) {
        let items = list.array
        return (items.map { $0["name"].text }.joined(separator: ","), items.map { $0["image"].text }.joined(separator: ","))
    }

    // MARK: Quantities

    /// A `resource.Quantity` as upstream prints it after a decode: canonical form, or the input
    /// reused when upstream deems it canonical. An absent quantity is zero (`0`); input that does
    /// not parse is shown as given.
    static func quantity(_ field: TableField) -> String {
        switch field.value {
        case .string(let text)?:
            return (try? Quantity(text))?.canonical ?? text
        case .int(let number)?:
            return (try? Quantity(String(number)))?.canonical ?? String(number)
        case .double(let number)?:
            return (try? Quantity(String(number)))?.canonical ?? String(number)
        default:
            return "0"
        }
    }

    /// A `*resource.Quantity` field: `<nil>` when absent, as Go prints a nil pointer.
    static func optionalQuantity(_ field: TableField) -> String {
        field.isPresent ? quantity(field) : "<nil>"
    }

    // MARK: Addresses

    /// Distinct load-balancer ingress points (IP, else hostname) in byte order, comma-joined.
    /// Never truncated: the apiserver prints in wide mode.
    static func loadBalancerIngress(_ ingress: TableField) -> String {
        var seen = Set<String>()
        for point in ingress.array {
            if let ip = point["ip"].string, !ip.isEmpty {
                seen.insert(ip)
            } else if let host = point["hostname"].string, !host.isEmpty {
                seen.insert(host)
            }
        }
        return seen.sorted(by: bytewise).joined(separator: ",")
    }

    /// `host:port`, bracketing a host that contains a colon (IPv6), as Go's `net.JoinHostPort`.
    static func joinHostPort(_ host: String, _ port: Int64) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Persistent-volume access modes as `RWO,ROX,RWX,RWOP` (fixed order, each at most once).
    static func accessModes(_ modes: TableField) -> String {
        let present = Set(modes.array.compactMap(\.string))
        let order: [(String, String)] = [
            ("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"),
        ]
        return order.filter { present.contains($0.0) }.map { $0.1 }.joined(separator: ",")
    }

    // MARK: Text

    /// A list of at most `max` items, then ` + N more...` counting all `total` items; `<unset>`
    /// when there is nothing to show.
    static func listWithMore(_ shown: [String], total: Int, max: Int) -> String {
        let text = shown.joined(separator: ",")
        if total > max { return "\(text) + \(total - max) more..." }
        return text.isEmpty ? "<unset>" : text
    }

    /// `True` or `False`, as upstream prints a boolean inside a string cell.
    static func bool(_ value: Bool) -> String { value ? "True" : "False" }

    /// Removes leading and trailing Unicode white space (Go's `strings.TrimSpace`).
    static func trimSpace(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    /// Byte-order comparison of UTF-8, as Go compares strings.
    static func bytewise(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
