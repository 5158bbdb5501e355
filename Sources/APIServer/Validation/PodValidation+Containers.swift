import APIMachinery

/// Containers: names, images, ports, environment, mounts, probes, lifecycle hooks,
/// resources and security contexts (core's `validateContainers` family).
extension PodValidation {
    static let pullPolicies = ["Always", "IfNotPresent", "Never"]
    static let portProtocols = ["SCTP", "TCP", "UDP"]
    static let terminationMessagePolicies = ["File", "FallbackToLogsOnError"]
    static let envFieldPaths = [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ]
    static let convertibleFieldPaths: Set<String> = [
        "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid",
        "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName", "spec.schedulerName", "status.phase",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs", "spec.host",
    ]
    static let envResourceFields = [
        "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage",
        "requests.memory",
    ]

    // MARK: Lists

    static func validateContainers(
        _ containers: [CoreV1.Container], volumes: [String: String], claimNames: Set<String>, gracePeriod: Int64?,
        path: Path
    ) -> [FieldError] {
        if containers.isEmpty { return [.required(path)] }
        var errors: [FieldError] = []
        var names: Set<String> = []
        for (index, container) in containers.enumerated() {
            let itemPath = path.index(index)
            errors += containerCommon(container, volumes: volumes, claimNames: claimNames, path: itemPath)
            if names.contains(container.name) {
                errors.append(.duplicate(itemPath.child("name"), .string(container.name)))
            } else {
                names.insert(container.name)
            }
            if let lifecycle = container.lifecycle {
                errors += self.lifecycle(lifecycle, gracePeriod: gracePeriod, path: itemPath.child("lifecycle"))
            }
            errors += probes(container, gracePeriod: gracePeriod, path: itemPath)
            if container.restartPolicy != nil {
                errors.append(.forbidden(itemPath.child("restartPolicy"), "may not be set for non-init containers"))
            }
        }
        errors += hostPortConflicts(containers, path: path)
        return errors
    }

    static func validateInitContainers(
        _ containers: [CoreV1.Container], regular: [CoreV1.Container], volumes: [String: String], claimNames: Set<String>,
        gracePeriod: Int64?, path: Path
    ) -> [FieldError] {
        var errors: [FieldError] = []
        var names = Set(regular.map(\.name))
        for (index, container) in containers.enumerated() {
            let itemPath = path.index(index)
            errors += containerCommon(container, volumes: volumes, claimNames: claimNames, path: itemPath)
            var restartable = false
            if let policy = container.restartPolicy {
                if policy != "Always" {
                    errors.append(.notSupported(itemPath.child("restartPolicy"), .string(policy), ["Always"]))
                }
                restartable = policy == "Always"
            }
            if names.contains(container.name) {
                errors.append(.duplicate(itemPath.child("name"), .string(container.name)))
            } else if !container.name.isEmpty {
                names.insert(container.name)
            }
            // Init containers run one at a time, so host ports only clash within one container.
            errors += hostPortConflicts([container], path: path)
            if restartable {
                if let lifecycle = container.lifecycle {
                    errors += self.lifecycle(lifecycle, gracePeriod: gracePeriod, path: itemPath.child("lifecycle"))
                }
                errors += probes(container, gracePeriod: gracePeriod, path: itemPath)
            } else {
                let forbidden = "may not be set for init containers without restartPolicy=Always"
                if container.lifecycle != nil { errors.append(.forbidden(itemPath.child("lifecycle"), forbidden)) }
                if container.livenessProbe != nil { errors.append(.forbidden(itemPath.child("livenessProbe"), forbidden)) }
                if container.readinessProbe != nil { errors.append(.forbidden(itemPath.child("readinessProbe"), forbidden)) }
                if container.startupProbe != nil { errors.append(.forbidden(itemPath.child("startupProbe"), forbidden)) }
            }
        }
        return errors
    }

    static func validateEphemeralContainers(
        _ containers: [CoreV1.EphemeralContainer], spec: CoreV1.PodSpec, volumes: [String: String],
        claimNames: Set<String>, path: Path
    ) -> [FieldError] {
        var errors: [FieldError] = []
        let others = Set(spec.containers.map(\.name) + (spec.initContainers ?? []).map(\.name))
        var names = others
        for (index, ephemeral) in containers.enumerated() {
            let itemPath = path.index(index)
            errors += containerCommon(container(from: ephemeral), volumes: volumes, claimNames: claimNames, path: itemPath)
            if names.contains(ephemeral.name) {
                errors.append(.duplicate(itemPath.child("name"), .string(ephemeral.name)))
            } else {
                names.insert(ephemeral.name)
            }
            if let target = ephemeral.targetContainerName, !target.isEmpty, !others.contains(target) {
                errors.append(.notFound(itemPath.child("targetContainerName"), .string(target)))
            }
            let disallowed: [(String, Bool)] = [
                ("ports", ephemeral.ports != nil), ("resources", ephemeral.resources != nil),
                ("lifecycle", ephemeral.lifecycle != nil), ("livenessProbe", ephemeral.livenessProbe != nil),
                ("readinessProbe", ephemeral.readinessProbe != nil), ("startupProbe", ephemeral.startupProbe != nil),
            ]
            for (field, isSet) in disallowed where isSet {
                errors.append(.forbidden(itemPath.child(field), "cannot be set for an Ephemeral Container"))
            }
        }
        return errors
    }

    static func container(from ephemeral: CoreV1.EphemeralContainer) -> CoreV1.Container {
        CoreV1.Container(
            args: ephemeral.args, command: ephemeral.command, env: ephemeral.env, envFrom: ephemeral.envFrom,
            image: ephemeral.image, imagePullPolicy: ephemeral.imagePullPolicy, name: ephemeral.name,
            resources: ephemeral.resources, securityContext: ephemeral.securityContext,
            terminationMessagePath: ephemeral.terminationMessagePath,
            terminationMessagePolicy: ephemeral.terminationMessagePolicy, volumeDevices: ephemeral.volumeDevices,
            volumeMounts: ephemeral.volumeMounts, workingDir: ephemeral.workingDir)
    }

    // MARK: One container

    static func containerCommon(
        _ container: CoreV1.Container, volumes: [String: String], claimNames: Set<String>, path: Path
    ) -> [FieldError] {
        var errors: [FieldError] = []
        if container.name.isEmpty {
            errors.append(.required(path.child("name")))
        } else {
            for message in ValidationFormats.dns1123Label(container.name) {
                errors.append(.invalid(path.child("name"), .string(container.name), message))
            }
        }
        if (container.image ?? "").isEmpty {
            errors.append(.required(path.child("image")))
        }
        let messagePolicy = container.terminationMessagePolicy ?? ""
        if messagePolicy.isEmpty {
            errors.append(.required(path.child("terminationMessagePolicy")))
        } else if !terminationMessagePolicies.contains(messagePolicy) {
            errors.append(.notSupported(path.child("terminationMessagePolicy"), .string(messagePolicy), terminationMessagePolicies))
        }
        errors += ports(container.ports ?? [], path: path.child("ports"))
        errors += env(container.env ?? [], path: path.child("env"))
        errors += envFrom(container.envFrom ?? [], path: path.child("envFrom"))
        errors += volumeMounts(container, volumes: volumes, path: path.child("volumeMounts"))
        errors += volumeDevices(container, volumes: volumes, path: path.child("volumeDevices"))
        let pullPolicy = container.imagePullPolicy ?? ""
        if pullPolicy.isEmpty {
            errors.append(.required(path.child("imagePullPolicy")))
        } else if !pullPolicies.contains(pullPolicy) {
            errors.append(.notSupported(path.child("imagePullPolicy"), .string(pullPolicy), pullPolicies))
        }
        errors += ResourceValidation.containerRequirements(container.resources, podClaimNames: claimNames, path: path.child("resources"))
        errors += securityContext(container.securityContext, path: path.child("securityContext"))
        return errors
    }

    static func ports(_ ports: [CoreV1.ContainerPort], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        var names: Set<String> = []
        for (index, port) in ports.enumerated() {
            let itemPath = path.index(index)
            if let name = port.name, !name.isEmpty {
                let messages = ValidationFormats.portName(name)
                if !messages.isEmpty {
                    errors += messages.map { FieldError.invalid(itemPath.child("name"), .string(name), $0) }
                } else if names.contains(name) {
                    errors.append(.duplicate(itemPath.child("name"), .string(name)))
                } else {
                    names.insert(name)
                }
            }
            if port.containerPort == 0 {
                errors.append(.required(itemPath.child("containerPort")))
            } else {
                for message in ValidationFormats.portNumber(port.containerPort) {
                    errors.append(.invalid(itemPath.child("containerPort"), .int(port.containerPort), message))
                }
            }
            if let hostPort = port.hostPort, hostPort != 0 {
                for message in ValidationFormats.portNumber(hostPort) {
                    errors.append(.invalid(itemPath.child("hostPort"), .int(hostPort), message))
                }
            }
            let proto = port.protocol ?? ""
            if proto.isEmpty {
                errors.append(.required(itemPath.child("protocol")))
            } else if !portProtocols.contains(proto) {
                errors.append(.notSupported(itemPath.child("protocol"), .string(proto), portProtocols))
            }
        }
        return errors
    }

    /// Two ports of the listed containers may not claim the same protocol/hostIP/hostPort.
    static func hostPortConflicts(_ containers: [CoreV1.Container], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        var seen: Set<String> = []
        for (containerIndex, container) in containers.enumerated() {
            for (portIndex, port) in (container.ports ?? []).enumerated() {
                guard let hostPort = port.hostPort, hostPort != 0 else { continue }
                let key = "\(port.protocol ?? "")/\(port.hostIP ?? "")/\(hostPort)"
                if seen.contains(key) {
                    let portPath = path.index(containerIndex).child("ports").index(portIndex)
                    errors.append(.duplicate(portPath.child("hostPort"), .string(key)))
                } else {
                    seen.insert(key)
                }
            }
        }
        return errors
    }

    // MARK: Environment

    static func env(_ variables: [CoreV1.EnvVar], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, variable) in variables.enumerated() {
            let itemPath = path.index(index)
            if variable.name.isEmpty {
                errors.append(.required(itemPath.child("name")))
            } else {
                for message in ValidationFormats.relaxedEnvVarName(variable.name) {
                    errors.append(.invalid(itemPath.child("name"), .string(variable.name), message))
                }
            }
            if let source = variable.valueFrom {
                errors += envSource(source, value: variable.value ?? "", path: itemPath.child("valueFrom"))
            }
        }
        return errors
    }

    static func envSource(_ source: CoreV1.EnvVarSource, value: String, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        var count = 0
        if let fieldRef = source.fieldRef {
            count += 1
            errors += objectFieldSelector(fieldRef, expressions: envFieldPaths, path: path.child("fieldRef"))
        }
        if let resourceRef = source.resourceFieldRef {
            count += 1
            let resourcePath = path.child("resourceFieldRef")
            if resourceRef.resource.isEmpty {
                errors.append(.required(resourcePath.child("resource")))
            } else if !envResourceFields.contains(resourceRef.resource)
                && !resourceRef.resource.hasPrefix("requests.hugepages-") && !resourceRef.resource.hasPrefix("limits.hugepages-")
            {
                errors.append(.notSupported(resourcePath.child("resource"), .string(resourceRef.resource), envResourceFields))
            }
        }
        if let keyRef = source.configMapKeyRef {
            count += 1
            errors += keySelector(name: keyRef.name ?? "", key: keyRef.key, path: path.child("configMapKeyRef"))
        }
        if let keyRef = source.secretKeyRef {
            count += 1
            errors += keySelector(name: keyRef.name ?? "", key: keyRef.key, path: path.child("secretKeyRef"))
        }
        if count == 0 {
            errors.append(
                .invalid(path, .string(""), "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
        } else if !value.isEmpty {
            errors.append(.invalid(path, .string(""), "may not be specified when `value` is not empty"))
        } else if count > 1 {
            errors.append(.invalid(path, .string(""), "may not have more than one field specified at a time"))
        }
        return errors
    }

    /// A downward-API field reference: convertible for `v1`, and one of `expressions`
    /// (or a subscripted `metadata.labels['…']` / `metadata.annotations['…']`).
    static func objectFieldSelector(_ selector: CoreV1.ObjectFieldSelector, expressions: [String], path: Path) -> [FieldError] {
        let apiVersion = selector.apiVersion ?? ""
        if apiVersion.isEmpty { return [.required(path.child("apiVersion"))] }
        let fieldPath = selector.fieldPath
        if fieldPath.isEmpty { return [.required(path.child("fieldPath"))] }
        if apiVersion != "v1" {
            return [
                .invalid(path.child("fieldPath"), .string(fieldPath), "error converting fieldPath: unsupported pod version: \(apiVersion)")
            ]
        }
        if let split = splitSubscript(fieldPath) {
            let (base, key) = split
            switch base {
            case "metadata.annotations":
                return ValidationFormats.qualifiedName(key.lowercased()).map { FieldError.invalid(path, .string(key.lowercased()), $0) }
            case "metadata.labels":
                return ValidationFormats.qualifiedName(key).map { FieldError.invalid(path, .string(key), $0) }
            default:
                return [
                    .invalid(
                        path.child("fieldPath"), .string(fieldPath),
                        "error converting fieldPath: field label does not support subscript: \(fieldPath)")
                ]
            }
        }
        guard convertibleFieldPaths.contains(fieldPath) else {
            return [
                .invalid(path.child("fieldPath"), .string(fieldPath), "error converting fieldPath: field label not supported: \(fieldPath)")
            ]
        }
        let internalPath = fieldPath == "spec.host" ? "spec.nodeName" : fieldPath
        if !expressions.contains(internalPath) {
            return [.notSupported(path.child("fieldPath"), .string(internalPath), expressions.sorted())]
        }
        return []
    }

    /// `path['key']` → (`path`, `key`).
    static func splitSubscript(_ fieldPath: String) -> (String, String)? {
        guard fieldPath.hasSuffix("']") else { return nil }
        let body = fieldPath.dropLast(2)
        guard let open = body.firstRange(of: "['") else { return nil }
        let base = String(body[..<open.lowerBound])
        guard !base.isEmpty else { return nil }
        return (base, String(body[open.upperBound...]))
    }

    static func keySelector(name: String, key: String, path: Path) -> [FieldError] {
        var errors = ValidationFormats.dns1123Subdomain(name).map { FieldError.invalid(path.child("name"), .string(name), $0) }
        if key.isEmpty {
            errors.append(.required(path.child("key")))
        } else {
            for message in ValidationFormats.configMapKey(key) {
                errors.append(.invalid(path.child("key"), .string(key), message))
            }
        }
        return errors
    }

    static func envFrom(_ sources: [CoreV1.EnvFromSource], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, source) in sources.enumerated() {
            let itemPath = path.index(index)
            if let prefix = source.prefix, !prefix.isEmpty {
                for message in ValidationFormats.relaxedEnvVarName(prefix) {
                    errors.append(.invalid(itemPath.child("prefix"), .string(prefix), message))
                }
            }
            var count = 0
            for (field, name) in [("configMapRef", source.configMapRef.map { $0.name ?? "" }), ("secretRef", source.secretRef.map { $0.name ?? "" })] {
                guard let name else { continue }
                count += 1
                let namePath = itemPath.child(field, "name")
                if name.isEmpty {
                    errors.append(.required(namePath))
                } else {
                    for message in ValidationFormats.dns1123Subdomain(ValidationFormats.maskTrailingDash(name)) {
                        errors.append(.invalid(namePath, .string(name), message))
                    }
                }
            }
            if count == 0 {
                errors.append(.invalid(path, .string(""), "must specify one of: `configMapRef` or `secretRef`"))
            } else if count > 1 {
                errors.append(.invalid(path, .string(""), "may not have more than one field specified at a time"))
            }
        }
        return errors
    }

    // MARK: Mounts

    static func volumeMounts(_ container: CoreV1.Container, volumes: [String: String], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let devices = container.volumeDevices ?? []
        var mountPaths: Set<String> = []
        for (index, mount) in (container.volumeMounts ?? []).enumerated() {
            let itemPath = path.index(index)
            if mount.name.isEmpty { errors.append(.required(itemPath.child("name"))) }
            if volumes[mount.name] == nil { errors.append(.notFound(itemPath.child("name"), .string(mount.name))) }
            if mount.mountPath.isEmpty { errors.append(.required(itemPath.child("mountPath"))) }
            if mountPaths.contains(mount.mountPath) {
                errors.append(.invalid(itemPath.child("mountPath"), .string(mount.mountPath), "must be unique"))
            }
            mountPaths.insert(mount.mountPath)
            if devices.contains(where: { $0.name == mount.name }) {
                errors.append(.invalid(itemPath.child("name"), .string(mount.name), "must not already exist in volumeDevices"))
            }
            if devices.contains(where: { $0.devicePath == mount.mountPath }) {
                errors.append(
                    .invalid(itemPath.child("mountPath"), .string(mount.mountPath), "must not already exist as a path in volumeDevices"))
            }
            let subPath = mount.subPath ?? ""
            let subPathExpr = mount.subPathExpr ?? ""
            if volumes[mount.name] == "image" {
                if !subPath.isEmpty {
                    errors.append(.invalid(itemPath.child("subPath"), .string(subPath), "not allowed in image volume sources"))
                }
                if !subPathExpr.isEmpty {
                    errors.append(.invalid(itemPath.child("subPathExpr"), .string(subPathExpr), "not allowed in image volume sources"))
                }
            }
            // Upstream reports sub-path problems without the list index.
            if !subPath.isEmpty { errors += localDescendingPath(subPath, path: path.child("subPath")) }
            if !subPathExpr.isEmpty {
                if !subPath.isEmpty {
                    errors.append(
                        .invalid(itemPath.child("subPathExpr"), .string(subPathExpr), "subPathExpr and subPath are mutually exclusive"))
                }
                errors += localDescendingPath(subPathExpr, path: path.child("subPathExpr"))
            }
            if let propagation = mount.mountPropagation {
                let supported = ["Bidirectional", "HostToContainer", "None"]
                if !supported.contains(propagation) {
                    errors.append(.notSupported(path.child("mountPropagation"), .string(propagation), supported))
                } else if propagation == "Bidirectional" && container.securityContext?.privileged != true {
                    errors.append(
                        .forbidden(path.child("mountPropagation"), "Bidirectional mount propagation is available only to privileged containers"))
                }
            }
        }
        return errors
    }

    static func volumeDevices(_ container: CoreV1.Container, volumes: [String: String], path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        let mounts = container.volumeMounts ?? []
        var names: Set<String> = []
        var paths: Set<String> = []
        for (index, device) in (container.volumeDevices ?? []).enumerated() {
            let itemPath = path.index(index)
            let kind = volumes[device.name]
            if device.name.isEmpty { errors.append(.required(itemPath.child("name"))) }
            if names.contains(device.name) {
                errors.append(.invalid(itemPath.child("name"), .string(device.name), "must be unique"))
            }
            if let kind, kind != "persistentVolumeClaim" && kind != "ephemeral" {
                errors.append(
                    .invalid(
                        itemPath.child("name"), .string(device.name),
                        "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode"))
            }
            if kind == nil { errors.append(.notFound(itemPath.child("name"), .string(device.name))) }
            if device.devicePath.isEmpty { errors.append(.required(itemPath.child("devicePath"))) }
            if paths.contains(device.devicePath) {
                errors.append(.invalid(itemPath.child("devicePath"), .string(device.devicePath), "must be unique"))
            }
            if !device.devicePath.isEmpty && device.devicePath.split(separator: "/").contains("..") {
                errors.append(.invalid(itemPath.child("devicePath"), .string(device.devicePath), "can not contain backsteps ('..')"))
            } else {
                paths.insert(device.devicePath)
            }
            if mounts.contains(where: { $0.name == device.name }) {
                errors.append(.invalid(itemPath.child("name"), .string(device.name), "must not already exist in volumeMounts"))
            }
            if mounts.contains(where: { $0.mountPath == device.devicePath }) {
                errors.append(
                    .invalid(itemPath.child("devicePath"), .string(device.devicePath), "must not already exist as a path in volumeMounts"))
            }
            if !device.name.isEmpty { names.insert(device.name) }
        }
        return errors
    }

    /// A relative path without `..` elements.
    static func localDescendingPath(_ target: String, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        if target.hasPrefix("/") { errors.append(.invalid(path, .string(target), "must be a relative path")) }
        errors += noBacksteps(target, path: path)
        return errors
    }

    static func noBacksteps(_ target: String, path: Path) -> [FieldError] {
        target.split(separator: "/", omittingEmptySubsequences: false).contains("..")
            ? [.invalid(path, .string(target), "must not contain '..'")] : []
    }

    // MARK: Probes and hooks

    static func probes(_ container: CoreV1.Container, gracePeriod: Int64?, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        if let probe = container.livenessProbe {
            let probePath = path.child("livenessProbe")
            errors += self.probe(probe, gracePeriod: gracePeriod, path: probePath)
            if (probe.successThreshold ?? 0) != 1 {
                errors.append(.invalid(probePath.child("successThreshold"), .int(probe.successThreshold ?? 0), "must be 1"))
            }
        }
        if let probe = container.readinessProbe {
            let probePath = path.child("readinessProbe")
            errors += self.probe(probe, gracePeriod: gracePeriod, path: probePath)
            if let seconds = probe.terminationGracePeriodSeconds {
                errors.append(
                    .invalid(probePath.child("terminationGracePeriodSeconds"), .int(seconds), "must not be set for readinessProbes"))
            }
        }
        if let probe = container.startupProbe {
            let probePath = path.child("startupProbe")
            errors += self.probe(probe, gracePeriod: gracePeriod, path: probePath)
            if (probe.successThreshold ?? 0) != 1 {
                errors.append(.invalid(probePath.child("successThreshold"), .int(probe.successThreshold ?? 0), "must be 1"))
            }
        }
        return errors
    }

    static func probe(_ probe: CoreV1.Probe, gracePeriod: Int64?, path: Path) -> [FieldError] {
        var errors = handler(
            exec: probe.exec, httpGet: probe.httpGet, tcpSocket: probe.tcpSocket, grpc: probe.grpc, sleep: nil,
            gracePeriod: gracePeriod, path: path)
        errors += FieldError.nonNegative(probe.initialDelaySeconds, path.child("initialDelaySeconds"))
        errors += FieldError.nonNegative(probe.timeoutSeconds, path.child("timeoutSeconds"))
        errors += FieldError.nonNegative(probe.periodSeconds, path.child("periodSeconds"))
        errors += FieldError.nonNegative(probe.successThreshold, path.child("successThreshold"))
        errors += FieldError.nonNegative(probe.failureThreshold, path.child("failureThreshold"))
        if let seconds = probe.terminationGracePeriodSeconds, seconds <= 0 {
            errors.append(.invalid(path.child("terminationGracePeriodSeconds"), .int(seconds), "must be greater than 0"))
        }
        return errors
    }

    static func lifecycle(_ lifecycle: CoreV1.Lifecycle, gracePeriod: Int64?, path: Path) -> [FieldError] {
        var errors: [FieldError] = []
        for (field, hook) in [("postStart", lifecycle.postStart), ("preStop", lifecycle.preStop)] {
            guard let hook else { continue }
            errors += handler(
                exec: hook.exec, httpGet: hook.httpGet, tcpSocket: hook.tcpSocket, grpc: nil, sleep: hook.sleep,
                gracePeriod: gracePeriod, path: path.child(field))
        }
        return errors
    }

    /// Exactly one handler; each checked in upstream's order.
    static func handler(
        exec: CoreV1.ExecAction?, httpGet: CoreV1.HTTPGetAction?, tcpSocket: CoreV1.TCPSocketAction?,
        grpc: CoreV1.GRPCAction?, sleep: CoreV1.SleepAction?, gracePeriod: Int64?, path: Path
    ) -> [FieldError] {
        var errors: [FieldError] = []
        var count = 0
        func claim(_ field: String) -> Bool {
            if count > 0 {
                errors.append(.forbidden(path.child(field), "may not specify more than 1 handler type"))
                return false
            }
            count += 1
            return true
        }
        if let exec, claim("exec"), (exec.command ?? []).isEmpty {
            errors.append(.required(path.child("exec", "command")))
        }
        if let httpGet, claim("httpGet") {
            let getPath = path.child("httpGet")
            if (httpGet.path ?? "").isEmpty { errors.append(.required(getPath.child("path"))) }
            errors += portNumberOrName(httpGet.port, path: getPath.child("port"))
            let scheme = httpGet.scheme ?? ""
            if scheme != "HTTP" && scheme != "HTTPS" {
                errors.append(.notSupported(getPath.child("scheme"), .string(scheme), ["HTTP", "HTTPS"]))
            }
            for header in httpGet.httpHeaders ?? [] {
                for message in ValidationFormats.httpHeaderName(header.name) {
                    errors.append(.invalid(getPath.child("httpHeaders"), .string(header.name), message))
                }
            }
        }
        if let tcpSocket, claim("tcpSocket") {
            errors += portNumberOrName(tcpSocket.port, path: path.child("tcpSocket", "port"))
        }
        if let grpc, claim("grpc") {
            errors += portNumberOrName(.int(grpc.port), path: path.child("grpc", "port"))
        }
        if let sleep, claim("sleep"), let gracePeriod, sleep.seconds <= 0 || sleep.seconds > gracePeriod {
            errors.append(
                .invalid(
                    path.child("sleep"), .int(sleep.seconds),
                    "must be greater than 0 and less than terminationGracePeriodSeconds (\(gracePeriod)). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep."
                ))
        }
        if count == 0 { errors.append(.required(path, "must specify a handler type")) }
        return errors
    }

    static func portNumberOrName(_ port: IntOrString, path: Path) -> [FieldError] {
        switch port {
        case .int(let number):
            return ValidationFormats.portNumber(number).map { FieldError.invalid(path, .int(number), $0) }
        case .string(let name):
            return ValidationFormats.portName(name).map { FieldError.invalid(path, .string(name), $0) }
        }
    }

    // MARK: Security

    static func securityContext(_ context: CoreV1.SecurityContext?, path: Path) -> [FieldError] {
        guard let context else { return [] }
        var errors: [FieldError] = []
        if let user = context.runAsUser {
            for message in ValidationFormats.unixID(user) { errors.append(.invalid(path.child("runAsUser"), .int(user), message)) }
        }
        if let group = context.runAsGroup {
            for message in ValidationFormats.unixID(group) { errors.append(.invalid(path.child("runAsGroup"), .int(group), message)) }
        }
        if let procMount = context.procMount, procMount != "Default" && procMount != "Unmasked" {
            errors.append(.notSupported(path.child("procMount"), .string(procMount), ["Default", "Unmasked"]))
        }
        if context.allowPrivilegeEscalation == false {
            if context.privileged == true {
                errors.append(
                    .invalid(path, .raw("core.SecurityContext{…}"), "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
            }
            if (context.capabilities?.add ?? []).contains("CAP_SYS_ADMIN") {
                errors.append(
                    .invalid(
                        path, .raw("core.SecurityContext{…}"),
                        "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"))
            }
        }
        return errors
    }
}
