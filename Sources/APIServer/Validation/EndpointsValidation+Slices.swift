import APIMachinery

/// EndpointSlices (discovery validation): a known address type, fixed after creation; at most
/// 1000 endpoints of 1 to 100 addresses each, checked against the address type (IPv4, IPv6,
/// or a fully qualified domain name); DNS-label hostnames, DNS-subdomain node names, at most
/// 16 deprecated topology labels, at most 8 distinct zone hints; at most 20000 ports with
/// unique DNS-label names, a protocol and a qualified-name `appProtocol`.
///
/// Endpoint conditions have no rules upstream. Ports are expected defaulted (empty name,
/// TCP); a port without a protocol is `Required`.
extension EndpointsValidation {
    static let addressTypes = ["FQDN", "IPv4", "IPv6"]
    static let maxEndpoints = 1000
    static let maxAddresses = 100
    static let maxSlicePorts = 20000
    static let maxTopologyLabels = 16
    static let maxZoneHints = 8

    static func validateEndpointSlice(_ slice: DiscoveryV1.EndpointSlice) -> [FieldError] {
        var errors: [FieldError] = []
        if slice.addressType.isEmpty {
            errors.append(.required("addressType"))
        } else if !addressTypes.contains(slice.addressType) {
            errors.append(.notSupported("addressType", .string(slice.addressType), addressTypes))
        }
        errors += sliceEndpoints(slice.endpoints, addressType: slice.addressType, path: "endpoints")
        errors += slicePorts(slice.ports ?? [], path: "ports")
        return errors
    }

    /// The address type may not change.
    static func validateEndpointSliceUpdate(_ new: DiscoveryV1.EndpointSlice, old: DiscoveryV1.EndpointSlice) -> [FieldError] {
        let errors = validateEndpointSlice(new)
        guard new.addressType != old.addressType else { return errors }
        return errors + [.immutable("addressType", .string(new.addressType))]
    }

    static func sliceEndpoints(_ endpoints: [DiscoveryV1.Endpoint], addressType: String, path: Path) -> [FieldError] {
        if endpoints.count > maxEndpoints { return [.tooMany(path, actual: endpoints.count, max: maxEndpoints)] }
        var errors: [FieldError] = []
        for (index, endpoint) in endpoints.enumerated() {
            let itemPath = path.index(index)
            let addressesPath = itemPath.child("addresses")
            if endpoint.addresses.isEmpty {
                errors.append(.required(addressesPath, "must contain at least 1 address"))
            } else if endpoint.addresses.count > maxAddresses {
                errors.append(.tooMany(addressesPath, actual: endpoint.addresses.count, max: maxAddresses))
            }
            for (addressIndex, address) in endpoint.addresses.enumerated() {
                let addressPath = addressesPath.index(addressIndex)
                switch addressType {
                case "IPv4":
                    if IPAddress(address)?.isIPv4 != true {
                        errors.append(.invalid(addressPath, .string(address), "must be a valid IPv4 address"))
                    }
                    errors += endpointIP(address, path: addressPath)
                case "IPv6":
                    if IPAddress(address)?.isIPv4 != false {
                        errors.append(.invalid(addressPath, .string(address), "must be a valid IPv6 address"))
                    }
                    errors += endpointIP(address, path: addressPath)
                case "FQDN":
                    errors += fullyQualifiedDomainName(address, path: addressPath)
                default:
                    break
                }
            }
            if let nodeName = endpoint.nodeName {
                errors += ValidationFormats.dns1123Subdomain(nodeName).map {
                    FieldError.invalid(itemPath.child("nodeName"), .string(nodeName), $0)
                }
            }
            let topologyPath = itemPath.child("deprecatedTopology")
            let topology = endpoint.deprecatedTopology ?? [:]
            if topology.count > maxTopologyLabels {
                errors.append(.tooMany(topologyPath, actual: topology.count, max: maxTopologyLabels))
            }
            errors += ObjectMetaValidation.labels(endpoint.deprecatedTopology, path: topologyPath)
            if let hostname = endpoint.hostname {
                errors += ValidationFormats.dns1123Label(hostname).map {
                    FieldError.invalid(itemPath.child("hostname"), .string(hostname), $0)
                }
            }
            if let hints = endpoint.hints {
                errors += self.hints(hints, path: itemPath.child("hints"))
            }
        }
        return errors
    }

    static func hints(_ hints: DiscoveryV1.EndpointHints, path: Path) -> [FieldError] {
        let zones = hints.forZones ?? []
        let zonesPath = path.child("forZones")
        if zones.count > maxZoneHints { return [.tooMany(zonesPath, actual: zones.count, max: maxZoneHints)] }
        var errors: [FieldError] = []
        var seen: Set<String> = []
        for (index, zone) in zones.enumerated() {
            let namePath = zonesPath.index(index).child("name")
            if !seen.insert(zone.name).inserted { errors.append(.duplicate(namePath, .string(zone.name))) }
            errors += ValidationFormats.labelValue(zone.name).map { FieldError.invalid(namePath, .string(zone.name), $0) }
        }
        return errors
    }

    static func slicePorts(_ ports: [DiscoveryV1.EndpointPort], path: Path) -> [FieldError] {
        if ports.count > maxSlicePorts { return [.tooMany(path, actual: ports.count, max: maxSlicePorts)] }
        var errors: [FieldError] = []
        var names: Set<String> = []
        for (index, port) in ports.enumerated() {
            let itemPath = path.index(index)
            let name = port.name ?? ""
            if !name.isEmpty {
                errors += ValidationFormats.dns1123Label(name).map { FieldError.invalid(itemPath.child("name"), .string(name), $0) }
            }
            if !names.insert(name).inserted { errors.append(.duplicate(itemPath.child("name"), .string(name))) }
            if let proto = port.protocol {
                if !protocols.contains(proto) { errors.append(.notSupported(itemPath.child("protocol"), .string(proto), protocols)) }
            } else {
                errors.append(.required(itemPath.child("protocol")))
            }
            if let appProtocol = port.appProtocol {
                errors += ValidationFormats.qualifiedName(appProtocol).map {
                    FieldError.invalid(itemPath.child("appProtocol"), .string(appProtocol), $0)
                }
            }
        }
        return errors
    }

    /// `IsFullyQualifiedDomainName`: a subdomain (trailing dot allowed) of at least two labels;
    /// only the first failing check is reported, its messages joined by commas.
    static func fullyQualifiedDomainName(_ value: String, path: Path) -> [FieldError] {
        if value.isEmpty { return [.required(path)] }
        let name = value.hasSuffix(".") ? String(value.dropLast()) : value
        let subdomainErrors = ValidationFormats.dns1123Subdomain(name)
        if !subdomainErrors.isEmpty {
            return [.invalid(path, .string(name), subdomainErrors.joined(separator: ","))]
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if labels.count < 2 {
            return [.invalid(path, .string(name), "should be a domain with at least two segments separated by dots")]
        }
        for label in labels {
            let labelErrors = ValidationFormats.dns1123Label(label)
            if !labelErrors.isEmpty { return [.invalid(path, .string(label), labelErrors.joined(separator: ","))] }
        }
        return []
    }
}
