import APIMachinery

/// Services (core's `ValidateService` / `ValidateServiceUpdate`). Cluster IPs are checked as
/// given (allocation happens elsewhere); `clusterIPs` is derived from `clusterIP` the way the
/// service strategy normalizes them. Node port ranges and health-check port allocation are
/// the allocator's concern and are not checked here.
enum ServiceValidation {
    typealias Path = FieldError.Path

    static let types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
    static let affinities = ["ClientIP", "None"]
    static let trafficPolicyValues = ["Cluster", "Local"]
    static let ipFamilies = ["IPv4", "IPv6"]
    static let ipFamilyPolicies = ["PreferDualStack", "RequireDualStack", "SingleStack"]
    static let maxAffinitySeconds: Int32 = 86400

    // MARK: Create

    static func validate(_ service: CoreV1.Service, old: CoreV1.Service? = nil) -> [FieldError] {
        let spec = service.spec ?? CoreV1.ServiceSpec()
        let specPath: Path = "spec"
        let type = spec.type ?? ""
        let (clusterIP, clusterIPs) = effectiveClusterIPs(spec, old: old?.spec)
        let headless = clusterIPs == ["None"]
        let ports = spec.ports ?? []
        var errors: [FieldError] = []

        if ports.isEmpty && !headless && type != "ExternalName" {
            errors.append(.required(specPath.child("ports")))
        }
        switch type {
        case "LoadBalancer", "NodePort":
            if headless {
                errors.append(
                    .invalid(specPath.child("clusterIPs").index(0), .string("None"), "may not be set to 'None' for \(type) services"))
            }
        case "ExternalName":
            if !clusterIPs.isEmpty {
                errors.append(.forbidden(specPath.child("clusterIPs"), "may not be set for ExternalName services"))
            }
            if !(spec.ipFamilies ?? []).isEmpty {
                errors.append(.forbidden(specPath.child("ipFamilies"), "may not be set for ExternalName services"))
            }
            if spec.ipFamilyPolicy != nil {
                errors.append(.forbidden(specPath.child("ipFamilyPolicy"), "may not be set for ExternalName services"))
            }
            var name = spec.externalName ?? ""
            if name.hasSuffix(".") { name.removeLast() }
            if name.isEmpty {
                errors.append(.required(specPath.child("externalName")))
            } else {
                for message in ValidationFormats.dns1123Subdomain(name) {
                    errors.append(.invalid(specPath.child("externalName"), .string(name), message))
                }
            }
        default:
            break
        }

        var names: Set<String> = []
        for (index, port) in ports.enumerated() {
            errors += servicePort(port, requireName: ports.count > 1, names: &names, path: specPath.child("ports").index(index))
        }
        errors += ObjectMetaValidation.labels(spec.selector, path: specPath.child("selector"))

        let affinity = spec.sessionAffinity ?? ""
        if affinity.isEmpty {
            errors.append(.required(specPath.child("sessionAffinity")))
        } else if !affinities.contains(affinity) {
            errors.append(.notSupported(specPath.child("sessionAffinity"), .string(affinity), affinities))
        }
        let configPath = specPath.child("sessionAffinityConfig")
        if affinity == "ClientIP" {
            let detail = "when session affinity type is ClientIP"
            if let config = spec.sessionAffinityConfig {
                if let clientIP = config.clientIP {
                    if let timeout = clientIP.timeoutSeconds {
                        if timeout <= 0 || timeout > maxAffinitySeconds {
                            errors.append(
                                .invalid(
                                    configPath.child("clientIP", "timeoutSeconds"), .int(timeout),
                                    "must be greater than 0 and less than \(maxAffinitySeconds)"))
                        }
                    } else {
                        errors.append(.required(configPath.child("clientIP", "timeoutSeconds"), detail))
                    }
                } else {
                    errors.append(.required(configPath.child("clientIP"), detail))
                }
            } else {
                errors.append(.required(configPath, detail))
            }
        } else if affinity == "None" && spec.sessionAffinityConfig != nil {
            errors.append(.forbidden(configPath, "must not be set when session affinity is None"))
        }

        if type != "ExternalName" {
            errors += clusterIPFields(spec, clusterIP: clusterIP, clusterIPs: clusterIPs, headless: headless, path: specPath)
        }
        for (index, ip) in (spec.externalIPs ?? []).enumerated() {
            let ipPath = specPath.child("externalIPs").index(index)
            if ValidationFormats.isIP(ip) {
                errors += nonSpecialIP(ip, path: ipPath)
            } else {
                errors.append(.invalid(ipPath, .string(ip), ValidationFormats.ipMessage))
            }
        }
        if type.isEmpty {
            errors.append(.required(specPath.child("type")))
        } else if !types.contains(type) {
            errors.append(.notSupported(specPath.child("type"), .string(type), types))
        }
        if type == "ClusterIP" {
            for (index, port) in ports.enumerated() where (port.nodePort ?? 0) != 0 {
                errors.append(
                    .forbidden(specPath.child("ports").index(index).child("nodePort"), "may not be used when `type` is 'ClusterIP'"))
            }
        }
        var nodePorts: Set<String> = []
        for (index, port) in ports.enumerated() {
            guard let nodePort = port.nodePort, nodePort != 0 else { continue }
            let key = "\(port.protocol ?? "")/\(nodePort)"
            if nodePorts.contains(key) {
                errors.append(.duplicate(specPath.child("ports").index(index).child("nodePort"), .int(nodePort)))
            }
            nodePorts.insert(key)
        }
        var seenPorts: Set<String> = []
        for (index, port) in ports.enumerated() {
            let proto = port.protocol ?? ""
            let key = "\(proto)/\(port.port)"
            if seenPorts.contains(key) {
                errors.append(
                    .duplicate(
                        specPath.child("ports").index(index),
                        .raw(
                            "core.ServicePort{Name:\"\", Protocol:\(FieldError.Value.goQuote(proto)), AppProtocol:(*string)(nil), Port:\(port.port), TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"
                        )))
            }
            seenPorts.insert(key)
        }
        let ranges = spec.loadBalancerSourceRanges ?? []
        if !ranges.isEmpty {
            let rangesPath = specPath.child("LoadBalancerSourceRanges")
            if type != "LoadBalancer" {
                errors.append(.forbidden(rangesPath, "may only be used when `type` is 'LoadBalancer'"))
            }
            for (index, range) in ranges.enumerated() {
                let value = PodValidation.trimmed(range)
                if !ValidationFormats.isCIDR(value) {
                    errors.append(.invalid(rangesPath.index(index), .string(value), ValidationFormats.cidrMessage))
                }
            }
        }
        if spec.allocateLoadBalancerNodePorts != nil && type != "LoadBalancer" {
            errors.append(
                .forbidden(specPath.child("allocateLoadBalancerNodePorts"), "may only be used when `type` is 'LoadBalancer'"))
        }
        if type == "LoadBalancer" && spec.allocateLoadBalancerNodePorts == nil {
            errors.append(.required("allocateLoadBalancerNodePorts"))
        }
        if let className = spec.loadBalancerClass {
            if type != "LoadBalancer" {
                errors.append(.forbidden(specPath.child("loadBalancerClass"), "may only be used when `type` is 'LoadBalancer'"))
            } else {
                for message in ValidationFormats.qualifiedName(className) {
                    errors.append(.invalid(specPath.child("loadBalancerClass"), .string(className), message))
                }
            }
        }
        errors += trafficPolicies(spec, path: specPath)
        return errors
    }

    static func servicePort(_ port: CoreV1.ServicePort, requireName: Bool, names: inout Set<String>, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let name = port.name ?? ""
        if requireName && name.isEmpty {
            errors.append(.required(path.child("name")))
        } else if !name.isEmpty {
            for message in ValidationFormats.dns1123Label(name) {
                errors.append(.invalid(path.child("name"), .string(name), message))
            }
            if names.contains(name) {
                errors.append(.duplicate(path.child("name"), .string(name)))
            } else {
                names.insert(name)
            }
        }
        for message in ValidationFormats.portNumber(port.port) {
            errors.append(.invalid(path.child("port"), .int(port.port), message))
        }
        let proto = port.protocol ?? ""
        if proto.isEmpty {
            errors.append(.required(path.child("protocol")))
        } else if !PodValidation.portProtocols.contains(proto) {
            errors.append(.notSupported(path.child("protocol"), .string(proto), PodValidation.portProtocols))
        }
        errors += PodValidation.portNumberOrName(port.targetPort ?? .int(0), path: path.child("targetPort"))
        if let appProtocol = port.appProtocol {
            for message in ValidationFormats.qualifiedName(appProtocol) {
                errors.append(.invalid(path.child("appProtocol"), .string(appProtocol), message))
            }
        }
        return errors
    }

    static func trafficPolicies(_ spec: CoreV1.ServiceSpec, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let type = spec.type ?? ""
        let external = spec.externalTrafficPolicy ?? ""
        let accessible = type == "LoadBalancer" || type == "NodePort" || (type == "ClusterIP" && !(spec.externalIPs ?? []).isEmpty)
        if !accessible {
            if !external.isEmpty {
                errors.append(
                    .invalid(path.child("externalTrafficPolicy"), .string(external), "may only be set for externally-accessible services"))
            }
        } else if external.isEmpty {
            errors.append(.required(path.child("externalTrafficPolicy")))
        } else if !trafficPolicyValues.contains(external) {
            errors.append(.notSupported(path.child("externalTrafficPolicy"), .string(external), trafficPolicyValues))
        }
        let needsHealthCheck = type == "LoadBalancer" && external == "Local"
        if let healthPort = spec.healthCheckNodePort, healthPort != 0 {
            if !needsHealthCheck {
                errors.append(
                    .invalid(
                        path.child("healthCheckNodePort"), .int(healthPort),
                        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
            } else {
                for message in ValidationFormats.portNumber(healthPort) {
                    errors.append(.invalid(path.child("healthCheckNodePort"), .int(healthPort), message))
                }
            }
        }
        if let internalPolicy = spec.internalTrafficPolicy {
            if !trafficPolicyValues.contains(internalPolicy) {
                errors.append(.notSupported(path.child("internalTrafficPolicy"), .string(internalPolicy), trafficPolicyValues))
            }
        } else if ["NodePort", "LoadBalancer", "ClusterIP"].contains(type) {
            errors.append(.required(path.child("internalTrafficPolicy")))
        }
        if let distribution = spec.trafficDistribution, distribution != "PreferClose" {
            errors.append(.notSupported(path.child("trafficDistribution"), .string(distribution), ["PreferClose"]))
        }
        return errors
    }

    // MARK: Cluster IPs

    /// `clusterIP` and `clusterIPs` as the strategy leaves them: `clusterIPs` filled from
    /// `clusterIP` on create; on update, carried over from the old object when the client
    /// left the allocated addresses out or only knows the singular field.
    static func effectiveClusterIPs(_ spec: CoreV1.ServiceSpec, old: CoreV1.ServiceSpec?) -> (ip: String, ips: [String]) {
        var ips = spec.clusterIPs ?? []
        let ip = spec.clusterIP ?? ""
        guard let old else {
            if !ip.isEmpty && ips.isEmpty { ips = [ip] }
            return (ip, ips)
        }
        let oldIPs = old.clusterIPs ?? []
        let oldIP = old.clusterIP ?? ""
        if ip.isEmpty && ips.isEmpty && !oldIPs.isEmpty && (spec.type ?? "") != "ExternalName" {
            return (oldIP, oldIPs)  // the registry keeps allocated addresses
        }
        if !oldIPs.isEmpty && ips.isEmpty && oldIP == ip { ips = oldIPs }
        if oldIP != ip {
            if !oldIP.isEmpty && ip.isEmpty {
                if ips == oldIPs { ips = [] }
            } else if ips == oldIPs {
                ips = [ip]
            }
        }
        return (ip, ips)
    }

    static func clusterIPFields(_ spec: CoreV1.ServiceSpec, clusterIP ip: String, clusterIPs: [String], headless: Bool, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let ipsPath = path.child("clusterIPs")
        let rendered = FieldError.Value.stringSlice(clusterIPs)
        if !ip.isEmpty {
            if clusterIPs.isEmpty {
                errors.append(.required(ipsPath))
            } else if clusterIPs[0] != ip {
                errors.append(.invalid(ipsPath, rendered, "first value must match `clusterIP`"))
            }
        } else if !clusterIPs.isEmpty {
            errors.append(.invalid(ipsPath, rendered, "must be empty when `clusterIP` is not specified"))
        }
        let families = spec.ipFamilies ?? []
        var seen: Set<String> = []
        for (index, family) in families.enumerated() {
            if !ipFamilies.contains(family) {
                errors.append(.notSupported(path.child("ipFamilies").index(index), .string(family), ipFamilies))
            }
            if seen.contains(family) { errors.append(.duplicate(path.child("ipFamilies").index(index), .string(family))) }
            seen.insert(family)
        }
        if let policy = spec.ipFamilyPolicy, !ipFamilyPolicies.contains(policy) {
            errors.append(.notSupported(path.child("ipFamilyPolicy"), .string(policy), ipFamilyPolicies))
        }
        var invalidIPs = false
        for (index, address) in clusterIPs.enumerated() {
            if index == 0 && address == "None" {
                if clusterIPs.count > 1 {
                    invalidIPs = true
                    errors.append(.invalid(ipsPath, rendered, "'None' must be the first and only value"))
                }
                continue
            }
            if !ValidationFormats.isIP(address) {
                invalidIPs = true
                errors.append(.invalid(ipsPath.index(index), .string(address), ValidationFormats.ipMessage))
            }
        }
        if clusterIPs.count > 2 {
            errors.append(.invalid(ipsPath, rendered, "may only hold up to 2 values"))
        }
        if invalidIPs { return errors }
        if clusterIPs.count > 1 {
            let v6 = clusterIPs.filter(ValidationFormats.isIPv6).count
            if v6 != 1 || clusterIPs.count != 2 {
                errors.append(.invalid(ipsPath, rendered, "may specify no more than one IP for each IP family"))
            }
        }
        if !headless {
            for (index, address) in clusterIPs.enumerated() where index < families.count {
                let isV6 = ValidationFormats.isIPv6(address)
                if families[index] == "IPv4" && isV6 {
                    errors.append(
                        .invalid(ipsPath.index(index), .string(address), "expected an IPv4 value as indicated by `ipFamilies[\(index)]`"))
                }
                if families[index] == "IPv6" && !isV6 {
                    errors.append(
                        .invalid(ipsPath.index(index), .string(address), "expected an IPv6 value as indicated by `ipFamilies[\(index)]`"))
                }
            }
        }
        return errors
    }

    /// Addresses that make no sense as external IPs: unspecified, loopback, link-local.
    static func nonSpecialIP(_ ip: String, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let lower = ip.lowercased()
        let octets = ValidationFormats.isIPv4(ip) ? ip.split(separator: ".").compactMap { Int($0) } : []
        let unspecified = octets == [0, 0, 0, 0] || ["::", "0:0:0:0:0:0:0:0"].contains(lower)
        let loopback = octets.first == 127 || ["::1", "0:0:0:0:0:0:0:1"].contains(lower)
        let linkLocal = (octets.count == 4 && octets[0] == 169 && octets[1] == 254) || lower.hasPrefix("fe8")
            || lower.hasPrefix("fe9") || lower.hasPrefix("fea") || lower.hasPrefix("feb")
        let linkLocalMulticast = (octets.count == 4 && octets[0] == 224 && octets[1] == 0 && octets[2] == 0)
            || lower.hasPrefix("ff02:")
        if unspecified { errors.append(.invalid(path, .string(ip), "may not be unspecified (\(ip))")) }
        if loopback { errors.append(.invalid(path, .string(ip), "may not be in the loopback range (127.0.0.0/8, ::1/128)")) }
        if linkLocal {
            errors.append(.invalid(path, .string(ip), "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
        }
        if linkLocalMulticast {
            errors.append(
                .invalid(path, .string(ip), "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
        }
        return errors
    }

    // MARK: Update

    /// Cluster IPs and IP families may gain a secondary value or lose it, but the primary ones
    /// never change; the load balancer class is fixed once set; then the new object is validated.
    static func validateUpdate(_ new: CoreV1.Service, old: CoreV1.Service) -> [FieldError] {
        let spec = new.spec ?? CoreV1.ServiceSpec()
        let oldSpec = old.spec ?? CoreV1.ServiceSpec()
        let type = spec.type ?? ""
        let oldType = oldSpec.type ?? ""
        var errors: [FieldError] = []
        let ipsPath: Path = "spec.clusterIPs"
        if type != "ExternalName" && oldType != "ExternalName" {
            let newIPs = effectiveClusterIPs(spec, old: oldSpec).ips
            let oldIPs = effectiveClusterIPs(oldSpec, old: nil).ips
            let newHeadless = newIPs == ["None"]
            let oldHeadless = oldIPs == ["None"]
            let rendered = FieldError.Value.stringSlice(newIPs)
            if !(newHeadless && oldHeadless) {
                if newIPs.count == oldIPs.count {
                    for (index, address) in oldIPs.enumerated() where address != newIPs[index] {
                        errors.append(.invalid(ipsPath.index(index), rendered, "may not change once set"))
                    }
                } else if newIPs.count < oldIPs.count {
                    if newIPs.isEmpty { errors.append(.invalid(ipsPath.index(0), rendered, "primary clusterIP can not be unset")) }
                    if !newIPs.isEmpty && newIPs[0] != oldIPs[0] {
                        errors.append(.invalid(ipsPath.index(0), rendered, "may not change once set"))
                    }
                    if newIPs.count == 1 && spec.ipFamilyPolicy != "SingleStack" {
                        errors.append(
                            .invalid(
                                "spec.ipFamilyPolicy", .optionalString(spec.ipFamilyPolicy),
                                "must be set to 'SingleStack' when releasing the secondary clusterIP"))
                    }
                } else if !oldIPs.isEmpty && newIPs[0] != oldIPs[0] {
                    errors.append(.invalid(ipsPath.index(0), rendered, "may not change once set"))
                }
            }
            let newFamilies = spec.ipFamilies ?? []
            let oldFamilies = oldSpec.ipFamilies ?? []
            let familiesPath: Path = "spec.ipFamilies"
            if newHeadless == oldHeadless && !newHeadless {
                if newFamilies.count == oldFamilies.count {
                    for (index, family) in oldFamilies.enumerated() where family != newFamilies[index] {
                        errors.append(.invalid(familiesPath.index(0), .stringSlice(newFamilies), "may not change once set"))
                    }
                } else if newFamilies.count < oldFamilies.count {
                    if !newFamilies.isEmpty && newFamilies[0] != oldFamilies[0] {
                        errors.append(.invalid(familiesPath.index(0), .stringSlice(newIPs), "may not change once set"))
                    }
                    if newFamilies.count == 1 && spec.ipFamilyPolicy != "SingleStack" {
                        errors.append(
                            .invalid(
                                "spec.ipFamilyPolicy", .optionalString(spec.ipFamilyPolicy),
                                "must be set to 'SingleStack' when releasing the secondary ipFamily"))
                    }
                } else if !oldFamilies.isEmpty && newFamilies[0] != oldFamilies[0] {
                    errors.append(.invalid(familiesPath.index(0), .stringSlice(newIPs), "may not change once set"))
                }
            }
        }
        if type == "LoadBalancer" && oldType == "LoadBalancer" && oldSpec.loadBalancerClass != spec.loadBalancerClass {
            errors.append(.invalid("spec.loadBalancerClass", .optionalString(spec.loadBalancerClass), "may not change once set"))
        }
        let oldNeeds = oldType == "LoadBalancer" && oldSpec.externalTrafficPolicy == "Local"
        let newNeeds = type == "LoadBalancer" && spec.externalTrafficPolicy == "Local"
        if oldNeeds && newNeeds && (spec.healthCheckNodePort ?? 0) != (oldSpec.healthCheckNodePort ?? 0)
            && (spec.healthCheckNodePort ?? 0) != 0
        {
            errors.append(.forbidden("spec.healthCheckNodePort", FieldError.immutableMessage))
        }
        return errors + validate(new, old: old)
    }
}
