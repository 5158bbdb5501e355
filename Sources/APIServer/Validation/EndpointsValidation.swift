import APIMachinery

/// Core Endpoints (`ValidateEndpoints`): every subset has an address, addresses are valid IPs
/// outside the unspecified, loopback and link-local ranges, hostnames are DNS labels, node
/// names DNS subdomains, and ports are named (when more than one), numbered, with a known
/// protocol and a qualified-name `appProtocol`. Updates are checked like creates: nothing in
/// an Endpoints object is immutable. Target references are not checked, as upstream.
enum EndpointsValidation {
    typealias Path = FieldError.Path

    static let protocols = ["SCTP", "TCP", "UDP"]

    static func validateEndpoints(_ endpoints: CoreV1.Endpoints) -> [FieldError] {
        var errors: [FieldError] = []
        let subsetsPath: Path = "subsets"
        for (index, subset) in (endpoints.subsets ?? []).enumerated() {
            let subsetPath = subsetsPath.index(index)
            let addresses = subset.addresses ?? []
            let notReady = subset.notReadyAddresses ?? []
            if addresses.isEmpty && notReady.isEmpty {
                errors.append(.required(subsetPath, "must specify `addresses` or `notReadyAddresses`"))
            }
            for (addressIndex, address) in addresses.enumerated() {
                errors += self.address(address, path: subsetPath.child("addresses").index(addressIndex))
            }
            for (addressIndex, address) in notReady.enumerated() {
                errors += self.address(address, path: subsetPath.child("notReadyAddresses").index(addressIndex))
            }
            let ports = subset.ports ?? []
            for (portIndex, port) in ports.enumerated() {
                errors += self.port(port, requireName: ports.count > 1, path: subsetPath.child("ports").index(portIndex))
            }
        }
        return errors
    }

    static func address(_ address: CoreV1.EndpointAddress, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let ipPath = path.child("ip")
        if IPAddress(address.ip) == nil {
            errors.append(.invalid(ipPath, .string(address.ip), ValidationFormats.ipMessage))
        }
        if let hostname = address.hostname, !hostname.isEmpty {
            errors += ValidationFormats.dns1123Label(hostname).map { FieldError.invalid(path.child("hostname"), .string(hostname), $0) }
        }
        if let nodeName = address.nodeName {
            errors += ValidationFormats.dns1123Subdomain(nodeName).map {
                FieldError.invalid(path.child("nodeName"), .string(nodeName), $0)
            }
        }
        errors += endpointIP(address.ip, path: ipPath)
        return errors
    }

    /// `ValidateNonSpecialIP`: a parseable address outside the unspecified, loopback,
    /// link-local and link-local multicast ranges (IPv4-mapped addresses count as IPv4).
    static func endpointIP(_ text: String, path: Path) -> [FieldError] {
        guard let ip = IPAddress(text) else { return [.invalid(path, .string(text), "must be a valid IP address")] }
        var errors: [FieldError] = []
        if ip.isUnspecified { errors.append(.invalid(path, .string(text), "may not be unspecified (\(text))")) }
        if ip.isLoopback {
            errors.append(.invalid(path, .string(text), "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
        }
        if ip.isLinkLocalUnicast {
            errors.append(.invalid(path, .string(text), "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
        }
        if ip.isLinkLocalMulticast {
            errors.append(.invalid(path, .string(text), "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
        }
        return errors
    }

    static func port(_ port: CoreV1.EndpointPort, requireName: Bool, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let name = port.name ?? ""
        if requireName && name.isEmpty {
            errors.append(.required(path.child("name")))
        } else if !name.isEmpty {
            errors += ValidationFormats.dns1123Label(name).map { FieldError.invalid(path.child("name"), .string(name), $0) }
        }
        errors += ValidationFormats.portNumber(port.port).map { FieldError.invalid(path.child("port"), .int(port.port), $0) }
        let proto = port.protocol ?? ""
        if proto.isEmpty {
            errors.append(.required(path.child("protocol")))
        } else if !protocols.contains(proto) {
            errors.append(.notSupported(path.child("protocol"), .string(proto), protocols))
        }
        if let appProtocol = port.appProtocol {
            errors += ValidationFormats.qualifiedName(appProtocol).map {
                FieldError.invalid(path.child("appProtocol"), .string(appProtocol), $0)
            }
        }
        return errors
    }
}
