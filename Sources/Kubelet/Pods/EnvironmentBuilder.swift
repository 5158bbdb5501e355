import APIMachinery
import Foundation

/// A container's environment as upstream's kubelet makes it (`makeEnvironmentVariables`):
/// service links first (when `enableServiceLinks`), then `envFrom` sources in order (a
/// `prefix` prepended, keys that are not valid names skipped), then `env` in order, each
/// `value` with `$(VAR)` expanded against what came before; `valueFrom` reads ConfigMap and
/// Secret keys, pod fields and container resources. A later name overrides an earlier one.
///
/// A missing, non-optional ConfigMap, Secret or key throws `EnvironmentError` with upstream's
/// message; the kubelet shows it as CreateContainerConfigError.
public struct EnvironmentBuilder: Sendable {
    public var pod: CoreV1.Pod
    public var nodeName: String
    public var hostIPs: [String]
    public var podIPs: [String]
    public var configMaps: [String: CoreV1.ConfigMap]
    public var secrets: [String: CoreV1.Secret]
    /// Services of the pod's namespace, plus `kubernetes` of `default`, for service links.
    public var services: [CoreV1.Service]
    public var nodeAllocatable: [String: Quantity]

    public init(pod: CoreV1.Pod, nodeName: String, hostIPs: [String], podIPs: [String], configMaps: [String: CoreV1.ConfigMap],
                secrets: [String: CoreV1.Secret], services: [CoreV1.Service], nodeAllocatable: [String: Quantity]) {
        self.pod = pod
        self.nodeName = nodeName
        self.hostIPs = hostIPs
        self.podIPs = podIPs
        self.configMaps = configMaps
        self.secrets = secrets
        self.services = services
        self.nodeAllocatable = nodeAllocatable
    }

    public func build(for container: CoreV1.Container) throws(EnvironmentError) -> [(String, String)] {
        var order: [String] = []
        var values: [String: String] = [:]
        func set(_ name: String, _ value: String) {
            if values[name] == nil { order.append(name) }
            values[name] = value
        }
        let namespace = pod.metadata?.namespace ?? "default"
        if pod.spec?.enableServiceLinks ?? true {
            for (name, value) in Self.serviceLinks(services, namespace: namespace) { set(name, value) }
        } else {
            for (name, value) in Self.serviceLinks(services.filter { $0.metadata?.namespace == "default" && $0.metadata?.name == "kubernetes" }, namespace: namespace) {
                set(name, value)
            }
        }
        for source in container.envFrom ?? [] {
            let prefix = source.prefix ?? ""
            if let ref = source.configMapRef {
                let name = ref.name ?? ""
                guard let map = configMaps[name] else {
                    if ref.optional == true { continue }
                    throw EnvironmentError("configmap \"\(name)\" not found")
                }
                for (key, value) in (map.data ?? [:]).sorted(by: { $0.key < $1.key }) where Self.isValidName(prefix + key) {
                    set(prefix + key, value)
                }
            }
            if let ref = source.secretRef {
                let name = ref.name ?? ""
                guard let secret = secrets[name] else {
                    if ref.optional == true { continue }
                    throw EnvironmentError("secret \"\(name)\" not found")
                }
                for (key, value) in (secret.data ?? [:]).sorted(by: { $0.key < $1.key }) where Self.isValidName(prefix + key) {
                    set(prefix + key, String(decoding: value.bytes, as: UTF8.self))
                }
            }
        }
        for variable in container.env ?? [] {
            if let source = variable.valueFrom {
                guard let value = try resolve(source, container: container) else { continue }
                set(variable.name, value)
            } else {
                set(variable.name, Self.expand(variable.value ?? "", values))
            }
        }
        return order.map { ($0, values[$0]!) }
    }

    func resolve(_ source: CoreV1.EnvVarSource, container: CoreV1.Container) throws(EnvironmentError) -> String? {
        let namespace = pod.metadata?.namespace ?? "default"
        if let ref = source.configMapKeyRef {
            let name = ref.name ?? ""
            guard let map = configMaps[name] else {
                if ref.optional == true { return nil }
                throw EnvironmentError("configmap \"\(name)\" not found")
            }
            if let value = map.data?[ref.key] { return value }
            if ref.optional == true { return nil }
            throw EnvironmentError("couldn't find key \(ref.key) in ConfigMap \(namespace)/\(name)")
        }
        if let ref = source.secretKeyRef {
            let name = ref.name ?? ""
            guard let secret = secrets[name] else {
                if ref.optional == true { return nil }
                throw EnvironmentError("secret \"\(name)\" not found")
            }
            if let value = secret.data?[ref.key] { return String(decoding: value.bytes, as: UTF8.self) }
            if ref.optional == true { return nil }
            throw EnvironmentError("couldn't find key \(ref.key) in Secret \(namespace)/\(name)")
        }
        if let ref = source.fieldRef {
            return try fieldValue(ref.fieldPath)
        }
        if let ref = source.resourceFieldRef {
            return try resourceValue(ref, container: container)
        }
        return nil
    }

    /// A downward-API field of the pod (also used by downwardAPI volumes).
    public func fieldValue(_ path: String) throws(EnvironmentError) -> String {
        let meta = pod.metadata
        switch path {
        case "metadata.name": return meta?.name ?? ""
        case "metadata.namespace": return meta?.namespace ?? ""
        case "metadata.uid": return meta?.uid ?? ""
        case "metadata.labels": return Self.formatMap(meta?.labels ?? [:])
        case "metadata.annotations": return Self.formatMap(meta?.annotations ?? [:])
        case "spec.nodeName": return pod.spec?.nodeName ?? nodeName
        case "spec.serviceAccountName": return pod.spec?.serviceAccountName ?? ""
        case "status.hostIP": return hostIPs.first ?? ""
        case "status.hostIPs": return hostIPs.joined(separator: ",")
        case "status.podIP": return podIPs.first ?? ""
        case "status.podIPs": return podIPs.joined(separator: ",")
        default:
            for (prefix, map) in [("metadata.labels['", meta?.labels), ("metadata.annotations['", meta?.annotations)]
            where path.hasPrefix(prefix) && path.hasSuffix("']") {
                let key = String(path.dropFirst(prefix.count).dropLast(2))
                return map?[key] ?? ""
            }
            throw EnvironmentError("unsupported fieldPath: \(path)")
        }
    }

    /// A container resource (`limits.cpu`, `requests.memory`, …) divided by the divisor and
    /// rounded up, as upstream; an unset limit is the node's allocatable.
    public func resourceValue(_ ref: CoreV1.ResourceFieldSelector, container: CoreV1.Container) throws(EnvironmentError) -> String {
        var target = container
        if let name = ref.containerName, !name.isEmpty {
            guard let found = (pod.spec?.containers ?? []).first(where: { $0.name == name }) ?? (pod.spec?.initContainers ?? []).first(where: { $0.name == name }) else {
                throw EnvironmentError("container \(name) not found in pod")
            }
            target = found
        }
        let parts = ref.resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw EnvironmentError("unsupported container resource: \(ref.resource)") }
        let resources = target.resources
        var value: Quantity?
        if parts[0] == "limits" {
            value = resources?.limits?[parts[1]] ?? nodeAllocatable[parts[1]]
        } else if parts[0] == "requests" {
            value = resources?.requests?[parts[1]] ?? resources?.limits?[parts[1]]
            if value == nil && parts[1] == "cpu" { value = Quantity(integer: 0) }
        }
        let amount = value ?? Quantity(integer: 0)
        let divisor = ref.divisor.flatMap { $0.isZero ? nil : $0 } ?? Quantity(integer: 1)
        if parts[1] == "cpu" {
            let milli = amount.milliValue(), unit = max(divisor.milliValue(), 1)
            return String((milli + unit - 1) / unit)
        }
        let bytes = amount.value(), unit = max(divisor.value(), 1)
        return String((bytes + unit - 1) / unit)
    }

    static func formatMap(_ map: [String: String]) -> String {
        map.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: "\n")
    }

    /// Environment variable names as upstream accepts them for envFrom keys.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !name.isEmpty else { return false }
        if first.properties.numericType != nil { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value != 0x3d && $0.value < 0x7f }
    }

    /// `$(VAR)` expansion (upstream `expansion.Expand`): `$$` is a literal `$`; a reference to
    /// an unknown name is left as written.
    public static func expand(_ input: String, _ values: [String: String]) -> String {
        var output = ""
        var index = input.startIndex
        while index < input.endIndex {
            let character = input[index]
            let next = input.index(after: index)
            guard character == "$", next < input.endIndex else {
                output.append(character)
                index = next
                continue
            }
            if input[next] == "$" {
                output.append("$")
                index = input.index(after: next)
            } else if input[next] == "(", let close = input[next...].firstIndex(of: ")") {
                let name = String(input[input.index(after: next)..<close])
                if let value = values[name] { output += value } else { output += "$(\(name))" }
                index = input.index(after: close)
            } else {
                output.append(character)
                index = next
            }
        }
        return output
    }

    /// Docker-link variables for each Service with a cluster IP (upstream `envvars.FromServices`):
    /// `NAME_SERVICE_HOST`, `NAME_SERVICE_PORT`, `NAME_SERVICE_PORT_<PORT>`, `NAME_PORT`,
    /// `NAME_PORT_<port>_<PROTO>` and its `_PROTO`, `_PORT`, `_ADDR`.
    static func serviceLinks(_ services: [CoreV1.Service], namespace: String) -> [(String, String)] {
        var result: [(String, String)] = []
        let chosen = services.filter { service in
            let ns = service.metadata?.namespace ?? ""
            return ns == namespace || (ns == "default" && service.metadata?.name == "kubernetes")
        }.sorted { ($0.metadata?.name ?? "") < ($1.metadata?.name ?? "") }
        var seen = Set<String>()
        for service in chosen {
            guard let ip = service.spec?.clusterIP, !ip.isEmpty, ip != "None", let name = service.metadata?.name else { continue }
            if seen.contains(name) && service.metadata?.namespace != namespace { continue }
            seen.insert(name)
            let prefix = name.uppercased().replacingOccurrences(of: "-", with: "_")
            let ports = service.spec?.ports ?? []
            guard let first = ports.first else { continue }
            result.append(("\(prefix)_SERVICE_HOST", ip))
            result.append(("\(prefix)_SERVICE_PORT", String(first.port)))
            for port in ports {
                if let portName = port.name, !portName.isEmpty {
                    result.append(("\(prefix)_SERVICE_PORT_\(portName.uppercased().replacingOccurrences(of: "-", with: "_"))", String(port.port)))
                }
            }
            let proto = (first.protocol ?? "TCP").lowercased()
            let host = ip.contains(":") ? "[\(ip)]" : ip
            result.append(("\(prefix)_PORT", "\(proto)://\(host):\(first.port)"))
            for port in ports {
                let p = (port.protocol ?? "TCP")
                let base = "\(prefix)_PORT_\(port.port)_\(p.uppercased())"
                result.append((base, "\(p.lowercased())://\(host):\(port.port)"))
                result.append(("\(base)_PROTO", p.lowercased()))
                result.append(("\(base)_PORT", String(port.port)))
                result.append(("\(base)_ADDR", ip))
            }
        }
        return result
    }
}

public struct EnvironmentError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
