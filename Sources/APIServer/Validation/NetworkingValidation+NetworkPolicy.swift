import APIMachinery

/// NetworkPolicies (`ValidateNetworkPolicySpec`): valid selectors; ports with a known
/// protocol, a port number or IANA name, and an `endPort` only after a numeric `port` and not
/// below it; peers with exactly one kind, where `ipBlock` may not be combined with a
/// selector and its `except` blocks must lie strictly inside `cidr`; at most two
/// `policyTypes`, each `Ingress` or `Egress`. Updates are checked like creates.
///
/// Not covered: upstream's leniency on updates for label values that were already invalid.
extension NetworkingValidation {
    static let policyProtocols = ["TCP", "UDP", "SCTP"]
    static let policyTypes = ["Ingress", "Egress"]

    static func validateNetworkPolicy(_ policy: NetworkingV1.NetworkPolicy) -> [FieldError] {
        let spec = policy.spec ?? NetworkingV1.NetworkPolicySpec()
        let specPath: Path = "spec"
        var errors = LabelSelectorValidation.validate(spec.podSelector, path: specPath.child("podSelector"))
        for (index, rule) in (spec.ingress ?? []).enumerated() {
            let rulePath = specPath.child("ingress").index(index)
            for (portIndex, port) in (rule.ports ?? []).enumerated() {
                errors += policyPort(port, path: rulePath.child("ports").index(portIndex))
            }
            for (peerIndex, peer) in (rule.from ?? []).enumerated() {
                errors += policyPeer(peer, path: rulePath.child("from").index(peerIndex))
            }
        }
        for (index, rule) in (spec.egress ?? []).enumerated() {
            let rulePath = specPath.child("egress").index(index)
            for (portIndex, port) in (rule.ports ?? []).enumerated() {
                errors += policyPort(port, path: rulePath.child("ports").index(portIndex))
            }
            for (peerIndex, peer) in (rule.to ?? []).enumerated() {
                errors += policyPeer(peer, path: rulePath.child("to").index(peerIndex))
            }
        }
        let types = spec.policyTypes ?? []
        let typesPath = specPath.child("policyTypes")
        if types.count > policyTypes.count {
            let rendered = FieldError.Value.goStringSlice(types, type: "[]networking.PolicyType")
            errors.append(.invalid(typesPath, .raw(rendered), "may not specify more than two policyTypes"))
            return errors
        }
        for (index, type) in types.enumerated() where !policyTypes.contains(type) {
            errors.append(.notSupported(typesPath.index(index), .string(type), policyTypes))
        }
        return errors
    }

    static func policyPort(_ port: NetworkingV1.NetworkPolicyPort, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        if let proto = port.protocol, !policyProtocols.contains(proto) {
            errors.append(.notSupported(path.child("protocol"), .string(proto), policyProtocols))
        }
        let endPortPath = path.child("endPort")
        switch port.port {
        case .int(let number)?:
            errors += ValidationFormats.portNumber(number).map { FieldError.invalid(path.child("port"), .int(number), $0) }
            if let endPort = port.endPort {
                if endPort < number {
                    errors.append(.invalid(endPortPath, .int(endPort), "must be greater than or equal to `port`"))
                }
                errors += ValidationFormats.portNumber(endPort).map { FieldError.invalid(endPortPath, .int(endPort), $0) }
            }
        case .string(let name)?:
            if let endPort = port.endPort {
                errors.append(.invalid(endPortPath, .int(endPort), "may not be specified when `port` is non-numeric"))
            }
            errors += ValidationFormats.portName(name).map { FieldError.invalid(path.child("port"), .string(name), $0) }
        case nil:
            if let endPort = port.endPort {
                errors.append(.invalid(endPortPath, .int(endPort), "may not be specified when `port` is not specified"))
            }
        }
        return errors
    }

    static func policyPeer(_ peer: NetworkingV1.NetworkPolicyPeer, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        var kinds = 0
        if let selector = peer.podSelector {
            kinds += 1
            errors += LabelSelectorValidation.validate(selector, path: path.child("podSelector"))
        }
        if let selector = peer.namespaceSelector {
            kinds += 1
            errors += LabelSelectorValidation.validate(selector, path: path.child("namespaceSelector"))
        }
        if let block = peer.ipBlock {
            kinds += 1
            errors += ipBlock(block, path: path.child("ipBlock"))
        }
        if kinds == 0 {
            errors.append(.required(path, "must specify a peer"))
        } else if kinds > 1 && peer.ipBlock != nil {
            errors.append(.forbidden(path, "may not specify both ipBlock and another peer"))
        }
        return errors
    }

    /// A valid CIDR, and `except` blocks that are valid CIDRs strictly inside it.
    static func ipBlock(_ block: NetworkingV1.IPBlock, path: Path) -> [FieldError] {
        let cidrPath = path.child("cidr")
        if block.cidr.isEmpty { return [.required(cidrPath)] }
        guard let network = IPAddress.Network(block.cidr) else {
            return [.invalid(cidrPath, .string(block.cidr), ValidationFormats.cidrMessage)]
        }
        var errors: [FieldError] = []
        for (index, text) in (block.except ?? []).enumerated() {
            let exceptPath = path.child("except").index(index)
            guard let except = IPAddress.Network(text) else {
                errors.append(.invalid(exceptPath, .string(text), ValidationFormats.cidrMessage))
                continue
            }
            if !network.contains(except.address) || network.prefixLength >= except.prefixLength {
                errors.append(.invalid(exceptPath, .string(text), "must be a strict subset of `cidr`"))
            }
        }
        return errors
    }
}
