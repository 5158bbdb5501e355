import APIMachinery

// Cells for networking.k8s.io/v1 and discovery.k8s.io/v1 kinds.

extension TablePrinter {
    /// NAME, CLASS (`<none>` when unset), HOSTS, ADDRESS, PORTS, AGE.
    ///
    /// HOSTS lists the hosts of the first three rules that have one, then ` + N more...` (N
    /// counts every rule beyond the third); `*` when no rule names a host. PORTS is `80`, or
    /// `80, 443` with any TLS section.
    static func ingressCells(_ ingress: TableField, now: Time) -> [JSONValue] {
        let spec = ingress["spec"]
        let rules = spec["rules"].array
        let max = 3
        var hosts: [String] = []
        var more = false
        for rule in rules {
            if hosts.count == max { more = true }
            if !more, let host = rule["host"].string, !host.isEmpty { hosts.append(host) }
        }
        var hostText = hosts.isEmpty ? "*" : hosts.joined(separator: ",")
        if !hosts.isEmpty && more { hostText += " + \(rules.count - max) more..." }
        return [
            .string(TableFormat.name(ingress)),
            .string(spec["ingressClassName"].string ?? "<none>"),
            .string(hostText),
            .string(TableFormat.loadBalancerIngress(ingress["status"]["loadBalancer"]["ingress"])),
            .string(spec["tls"].count > 0 ? "80, 443" : "80"),
            .string(TableFormat.age(ingress, now: now)),
        ]
    }

    /// NAME, CONTROLLER, PARAMETERS (`Kind.group/name`, `<none>` when unset), AGE.
    static func ingressClassCells(_ ingressClass: TableField, now: Time) -> [JSONValue] {
        let spec = ingressClass["spec"]
        var parameters = "<none>"
        if spec["parameters"].isPresent {
            let reference = spec["parameters"]
            parameters = reference["kind"].text
            if let group = reference["apiGroup"].string { parameters += "." + group }
            parameters += "/" + reference["name"].text
        }
        return [
            .string(TableFormat.name(ingressClass)), .string(spec["controller"].text), .string(parameters),
            .string(TableFormat.age(ingressClass, now: now)),
        ]
    }

    /// NAME, POD-SELECTOR (`<none>` for all pods), AGE.
    static func networkPolicyCells(_ policy: TableField, now: Time) -> [JSONValue] {
        [
            .string(TableFormat.name(policy)), .string(TableFormat.labelSelector(policy["spec"]["podSelector"])),
            .string(TableFormat.age(policy, now: now)),
        ]
    }

    /// NAME, ADDRESSTYPE, PORTS, ENDPOINTS, AGE. PORTS and ENDPOINTS list at most three items
    /// (a port without number shows its name, or `*`), then ` + N more...`; `<unset>` when empty.
    static func endpointSliceCells(_ slice: TableField, now: Time) -> [JSONValue] {
        let ports = slice["ports"].array
        let portTexts = ports.prefix(3).map { port -> String in
            if let number = port["port"].int { return String(number) }
            return port["name"].string ?? "*"
        }
        let addresses = slice["endpoints"].array.flatMap { $0["addresses"].array.map(\.text) }
        return [
            .string(TableFormat.name(slice)),
            .string(slice["addressType"].text),
            .string(TableFormat.listWithMore(Array(portTexts), total: ports.count, max: 3)),
            .string(TableFormat.listWithMore(Array(addresses.prefix(3)), total: addresses.count, max: 3)),
            .string(TableFormat.age(slice, now: now)),
        ]
    }
}
