import APIMachinery

/// Service defaults (core/v1's `SetDefaults_Service`) plus the IP-family fields the service
/// registry fills before allocation: `clusterIPs` from `clusterIP`, a single-stack policy and
/// the family of the given address (IPv4 when none). Cluster IPs and node ports themselves are
/// allocated elsewhere.
enum ServiceDefaults {
    static let defaultAffinitySeconds: Int64 = 10800

    static func service(_ service: inout JSONValue) {
        service.editObjectMember("spec") { spec in
            spec.defaultZeroMember("sessionAffinity", "None")
            let affinity = spec["sessionAffinity"]?.stringValue
            if affinity == "None" {
                spec.setMember("sessionAffinityConfig", nil)
            } else if affinity == "ClientIP" && spec["sessionAffinityConfig"]?["clientIP"]?["timeoutSeconds"] == nil {
                spec.setMember(
                    "sessionAffinityConfig", ["clientIP": ["timeoutSeconds": .int(defaultAffinitySeconds)]])
            }
            spec.defaultZeroMember("type", "ClusterIP")
            let type = spec["type"]?.stringValue ?? ""
            spec.editEachElement("ports") { port in
                port.defaultZeroMember("protocol", "TCP")
                if let number = port["port"] {
                    switch port["targetPort"] {
                    case nil, .null?, .int(0)?, .string("")?: port.setMember("targetPort", number)
                    default: break
                    }
                }
            }
            let externalIPs = spec.arrayMember("externalIPs") ?? []
            let accessible = type == "LoadBalancer" || type == "NodePort" || (type == "ClusterIP" && !externalIPs.isEmpty)
            if accessible { spec.defaultZeroMember("externalTrafficPolicy", "Cluster") }
            if ["NodePort", "LoadBalancer", "ClusterIP"].contains(type) {
                spec.defaultMember("internalTrafficPolicy", "Cluster")
            }
            if type == "LoadBalancer" { spec.defaultMember("allocateLoadBalancerNodePorts", true) }
            if type != "ExternalName" {
                if let ip = spec["clusterIP"]?.stringValue, !ip.isEmpty, (spec.arrayMember("clusterIPs") ?? []).isEmpty {
                    spec.setMember("clusterIPs", [.string(ip)])
                }
                spec.defaultMember("ipFamilyPolicy", "SingleStack")
                let primary = spec.arrayMember("clusterIPs")?.first?.stringValue ?? ""
                let family = ValidationFormats.isIPv6(primary) ? "IPv6" : "IPv4"
                if (spec.arrayMember("ipFamilies") ?? []).isEmpty { spec.setMember("ipFamilies", [.string(family)]) }
            }
        }
    }
}
