import APIMachinery

/// Defaults of pods and of the pod specs embedded in templates (core/v1's
/// `SetDefaults_PodSpec`, `SetDefaults_Container`, probes, volumes, and the pod-only
/// `SetDefaults_Pod`), applied to JSON trees in place.
enum PodDefaults {
    /// A Pod: spec defaults plus the pod-only ones (service links, requests from limits,
    /// host ports under host networking) and the priority the Priority admission plugin sets
    /// for pods without a priority class.
    static func pod(_ pod: inout JSONValue) {
        pod.editObjectMember("spec") { spec in
            Self.spec(&spec)
            for key in ["containers", "initContainers"] {
                spec.editEachElement(key) { container in
                    container.editMember("resources") { resources in
                        guard case .object(let limits)? = resources["limits"], limits.count > 0 else { return }
                        resources.editObjectMember("requests") { requests in
                            for member in limits.members { requests.defaultMember(member.key, member.value) }
                        }
                    }
                }
            }
            spec.defaultMember("enableServiceLinks", true)
            if spec["hostNetwork"] == .bool(true) {
                for key in ["containers", "initContainers"] {
                    spec.editEachElement(key) { container in
                        container.editEachElement("ports") { port in
                            if let containerPort = port["containerPort"] { port.defaultZeroMember("hostPort", containerPort) }
                        }
                    }
                }
            }
            if (spec["priorityClassName"]?.stringValue ?? "").isEmpty {
                spec.defaultMember("priority", 0)
                spec.defaultMember("preemptionPolicy", "PreemptLowerPriority")
            }
        }
    }

    /// A pod template (`spec.template` of workloads): only the spec defaults.
    static func template(_ template: inout JSONValue) {
        template.editObjectMember("spec") { spec in Self.spec(&spec) }
    }

    /// `SetDefaults_PodSpec` and everything nested in a pod spec.
    static func spec(_ spec: inout JSONValue) {
        spec.defaultZeroMember("dnsPolicy", "ClusterFirst")
        spec.defaultZeroMember("restartPolicy", "Always")
        spec.defaultMember("securityContext", .object(JSONObject()))
        spec.defaultMember("terminationGracePeriodSeconds", 30)
        spec.defaultZeroMember("schedulerName", "default-scheduler")
        for key in ["containers", "initContainers", "ephemeralContainers"] {
            spec.editEachElement(key) { container(&$0) }
        }
        spec.editEachElement("volumes") { volume(&$0) }
    }

    static func container(_ container: inout JSONValue) {
        let image = container["image"]?.stringValue ?? ""
        container.defaultZeroMember("imagePullPolicy", .string(pullPolicy(forImage: image)))
        container.defaultZeroMember("terminationMessagePath", "/dev/termination-log")
        container.defaultZeroMember("terminationMessagePolicy", "File")
        container.editEachElement("ports") { $0.defaultZeroMember("protocol", "TCP") }
        container.editEachElement("env") { variable in
            variable.editMember("valueFrom") { source in
                source.editMember("fieldRef") { $0.defaultZeroMember("apiVersion", "v1") }
            }
        }
        for key in ["livenessProbe", "readinessProbe", "startupProbe"] {
            container.editMember(key) { probe(&$0) }
        }
        container.editMember("lifecycle") { lifecycle in
            for hook in ["postStart", "preStop"] {
                lifecycle.editMember(hook) { handler in handler.editMember("httpGet") { httpGet(&$0) } }
            }
        }
    }

    static func probe(_ probe: inout JSONValue) {
        probe.defaultZeroMember("timeoutSeconds", 1)
        probe.defaultZeroMember("periodSeconds", 10)
        probe.defaultZeroMember("successThreshold", 1)
        probe.defaultZeroMember("failureThreshold", 3)
        probe.editMember("httpGet") { httpGet(&$0) }
    }

    static func httpGet(_ action: inout JSONValue) {
        action.defaultZeroMember("path", "/")
        action.defaultZeroMember("scheme", "HTTP")
    }

    /// Volume sources; a volume without one gets `emptyDir: {}`.
    static func volume(_ volume: inout JSONValue) {
        guard case .object(let object) = volume else { return }
        let hasSource = object.members.contains { $0.key != "name" && $0.value != .null }
        if !hasSource { volume.setMember("emptyDir", .object(JSONObject())) }
        for key in ["secret", "configMap", "downwardAPI", "projected"] {
            volume.editMember(key) { $0.defaultMember("defaultMode", 420) }
        }
        volume.editMember("hostPath") { $0.defaultMember("type", "") }
        volume.editMember("downwardAPI") { source in
            source.editEachElement("items") { item in
                item.editMember("fieldRef") { $0.defaultZeroMember("apiVersion", "v1") }
            }
        }
        volume.editMember("projected") { projected in
            projected.editEachElement("sources") { source in
                source.editMember("serviceAccountToken") { $0.defaultMember("expirationSeconds", 3600) }
                source.editMember("downwardAPI") { api in
                    api.editEachElement("items") { item in
                        item.editMember("fieldRef") { $0.defaultZeroMember("apiVersion", "v1") }
                    }
                }
            }
        }
        volume.editMember("ephemeral") { ephemeral in
            ephemeral.editMember("volumeClaimTemplate") { template in
                template.editMember("spec") { $0.defaultMember("volumeMode", "Filesystem") }
            }
        }
    }

    /// `Always` for `:latest` or untagged images, `IfNotPresent` otherwise (digests, other
    /// tags, references that do not parse).
    static func pullPolicy(forImage image: String) -> String {
        guard !image.isEmpty, !image.contains(where: \.isWhitespace) else { return "IfNotPresent" }
        var reference = Substring(image)
        var hasDigest = false
        if let at = reference.firstIndex(of: "@") {
            reference = reference[..<at]
            hasDigest = true
        }
        let components = reference.split(separator: "/", omittingEmptySubsequences: false)
        guard let last = components.last, !last.isEmpty else { return "IfNotPresent" }
        // Path components (all but a leading registry host) must be lower case.
        let firstIsHost = components.count > 1
            && (components[0].contains(".") || components[0].contains(":") || components[0] == "localhost")
        for (index, component) in components.enumerated() where !(index == 0 && firstIsHost) {
            let name = index == components.count - 1 ? component.split(separator: ":").first ?? component : component
            if name.contains(where: { $0.isUppercase }) { return "IfNotPresent" }
        }
        var tag: Substring?
        if let colon = last.lastIndex(of: ":") { tag = last[last.index(after: colon)...] }
        if tag == nil && !hasDigest { tag = "latest" }
        return tag == "latest" ? "Always" : "IfNotPresent"
    }
}
