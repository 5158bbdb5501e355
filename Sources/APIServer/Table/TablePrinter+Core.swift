import APIMachinery

// Cells for the core/v1 kinds other than Pod and Event. Each function returns one cell per
// column of the matching `TableKind` case, in order.

extension TablePrinter {
    // MARK: Node

    /// NAME, STATUS, ROLES, AGE, VERSION, INTERNAL-IP, EXTERNAL-IP, OS-IMAGE, KERNEL-VERSION,
    /// CONTAINER-RUNTIME. STATUS is `Ready` / `NotReady` from the (last) Ready condition,
    /// `Unknown` without one, then `,SchedulingDisabled` when cordoned. ROLES come from
    /// `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` label value.
    static func nodeCells(_ node: TableField, now: Time) -> [JSONValue] {
        var ready: String?
        for condition in node["status"]["conditions"].array where condition["type"].string == "Ready" {
            ready = condition["status"].string == "True" ? "Ready" : "NotReady"
        }
        var status = [ready ?? "Unknown"]
        if node["spec"]["unschedulable"].bool == true { status.append("SchedulingDisabled") }

        var roles = Set<String>()
        for label in node["metadata"]["labels"].members {
            let prefix = "node-role.kubernetes.io/"
            if label.key.hasPrefix(prefix) {
                let role = String(label.key.dropFirst(prefix.count))
                if !role.isEmpty { roles.insert(role) }
            } else if label.key == "kubernetes.io/role", let role = label.value.string, !role.isEmpty {
                roles.insert(role)
            }
        }
        let roleText = roles.sorted(by: TableFormat.bytewise).joined(separator: ",")

        func address(_ type: String) -> String {
            let match = node["status"]["addresses"].array.first { $0["type"].string == type }
            return match?["address"].text ?? "<none>"
        }
        func orUnknown(_ text: String) -> String { text.isEmpty ? "<unknown>" : text }
        let info = node["status"]["nodeInfo"]
        return [
            .string(TableFormat.name(node)),
            .string(status.joined(separator: ",")),
            .string(roleText.isEmpty ? "<none>" : roleText),
            .string(TableFormat.age(node, now: now)),
            .string(info["kubeletVersion"].text),
            .string(address("InternalIP")),
            .string(address("ExternalIP")),
            .string(orUnknown(info["osImage"].text)),
            .string(orUnknown(info["kernelVersion"].text)),
            .string(orUnknown(info["containerRuntimeVersion"].text)),
        ]
    }

    // MARK: Namespace, ConfigMap, Secret, ServiceAccount

    /// NAME, STATUS (the phase), AGE.
    static func namespaceCells(_ namespace: TableField, now: Time) -> [JSONValue] {
        [
            .string(TableFormat.name(namespace)), .string(namespace["status"]["phase"].text),
            .string(TableFormat.age(namespace, now: now)),
        ]
    }

    /// NAME, DATA (entries of `data` plus `binaryData`), AGE.
    static func configMapCells(_ configMap: TableField, now: Time) -> [JSONValue] {
        [
            .string(TableFormat.name(configMap)),
            .int(Int64(configMap["data"].count + configMap["binaryData"].count)),
            .string(TableFormat.age(configMap, now: now)),
        ]
    }

    /// NAME, TYPE, DATA (entries of `data`), AGE.
    static func secretCells(_ secret: TableField, now: Time) -> [JSONValue] {
        [
            .string(TableFormat.name(secret)), .string(secret["type"].text), .int(Int64(secret["data"].count)),
            .string(TableFormat.age(secret, now: now)),
        ]
    }

    /// NAME, SECRETS (entries of `secrets`), AGE.
    static func serviceAccountCells(_ account: TableField, now: Time) -> [JSONValue] {
        [
            .string(TableFormat.name(account)), .int(Int64(account["secrets"].count)),
            .string(TableFormat.age(account, now: now)),
        ]
    }

    // MARK: Service and Endpoints

    /// NAME, TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S), AGE, SELECTOR.
    ///
    /// CLUSTER-IP is the first cluster IP or `<none>`. EXTERNAL-IP: `spec.externalIPs`, or
    /// `<none>`, for ClusterIP and NodePort; load-balancer ingress points then external IPs, or
    /// `<pending>`, for LoadBalancer; the external name for ExternalName. PORT(S) reads
    /// `80/TCP,443:30443/TCP` (node port when allocated), `<none>` without ports.
    static func serviceCells(_ service: TableField, now: Time) -> [JSONValue] {
        let spec = service["spec"]
        var clusterIP = spec["clusterIPs"].array.first?.text ?? ""
        if clusterIP.isEmpty { clusterIP = spec["clusterIP"].text }

        let externalIPs = spec["externalIPs"].array.map(\.text)
        let external: String
        switch spec["type"].text {
        case "ClusterIP", "NodePort":
            external = externalIPs.isEmpty ? "<none>" : externalIPs.joined(separator: ",")
        case "LoadBalancer":
            let ingress = TableFormat.loadBalancerIngress(service["status"]["loadBalancer"]["ingress"])
            if !externalIPs.isEmpty {
                external = ((ingress.isEmpty ? [] : [ingress]) + externalIPs).joined(separator: ",")
            } else {
                external = ingress.isEmpty ? "<pending>" : ingress
            }
        case "ExternalName":
            external = spec["externalName"].text
        default:
            external = "<unknown>"
        }

        let ports = spec["ports"].array.map { port -> String in
            let nodePort = port["nodePort"].number
            let proto = port["protocol"].text
            return nodePort > 0 ? "\(port["port"].number):\(nodePort)/\(proto)" : "\(port["port"].number)/\(proto)"
        }.joined(separator: ",")

        return [
            .string(TableFormat.name(service)),
            .string(spec["type"].text),
            .string(clusterIP.isEmpty ? "<none>" : clusterIP),
            .string(external),
            .string(ports.isEmpty ? "<none>" : ports),
            .string(TableFormat.age(service, now: now)),
            .string(TableFormat.labels(spec["selector"])),
        ]
    }

    /// NAME, ENDPOINTS, AGE. ENDPOINTS lists the first three ready `ip:port` pairs (every
    /// address with every port; bare IPs for subsets without ports), then ` + N more...`;
    /// `<none>` without subsets.
    static func endpointsCells(_ endpoints: TableField, now: Time) -> [JSONValue] {
        [
            .string(TableFormat.name(endpoints)), .string(endpointsSummary(endpoints["subsets"])),
            .string(TableFormat.age(endpoints, now: now)),
        ]
    }

    static func endpointsSummary(_ subsets: TableField) -> String {
        let subsetList = subsets.array
        if subsetList.isEmpty { return "<none>" }
        let max = 3
        var shown: [String] = []
        var more = false
        var count = 0
        for subset in subsetList {
            let addresses = subset["addresses"].array
            let ports = subset["ports"].array
            if ports.isEmpty {
                count += addresses.count
                for address in addresses {
                    if shown.count == max {
                        more = true
                        break
                    }
                    shown.append(address["ip"].text)
                }
                continue
            }
            for port in ports {
                count += addresses.count
                for address in addresses {
                    if shown.count == max {
                        more = true
                        break
                    }
                    shown.append(TableFormat.joinHostPort(address["ip"].text, port["port"].number))
                }
            }
        }
        let text = shown.joined(separator: ",")
        return more ? "\(text) + \(count - max) more..." : text
    }

    // MARK: ReplicationController

    /// NAME, DESIRED, CURRENT, READY, AGE, CONTAINERS, IMAGES, SELECTOR (a label map).
    static func replicationControllerCells(_ controller: TableField, now: Time) -> [JSONValue] {
        let spec = controller["spec"]
        let status = controller["status"]
        let (names, images) = TableFormat.containers(spec["template"]["spec"]["containers"])
        return [
            .string(TableFormat.name(controller)),
            .int(spec["replicas"].number), .int(status["replicas"].number), .int(status["readyReplicas"].number),
            .string(TableFormat.age(controller, now: now)),
            .string(names), .string(images), .string(TableFormat.labels(spec["selector"])),
        ]
    }

    // MARK: PersistentVolume and PersistentVolumeClaim

    /// NAME, CAPACITY, ACCESS MODES, RECLAIM POLICY, STATUS, CLAIM, STORAGECLASS,
    /// VOLUMEATTRIBUTESCLASS, REASON, AGE, VOLUMEMODE. STATUS is `Terminating` while deleting.
    static func persistentVolumeCells(_ volume: TableField, now: Time) -> [JSONValue] {
        let spec = volume["spec"]
        var claim = ""
        if spec["claimRef"].isPresent {
            claim = spec["claimRef"]["namespace"].text + "/" + spec["claimRef"]["name"].text
        }
        var phase = volume["status"]["phase"].text
        if volume["metadata"]["deletionTimestamp"].isPresent { phase = "Terminating" }
        return [
            .string(TableFormat.name(volume)),
            .string(TableFormat.quantity(spec["capacity"]["storage"])),
            .string(TableFormat.accessModes(spec["accessModes"])),
            .string(spec["persistentVolumeReclaimPolicy"].text),
            .string(phase),
            .string(claim),
            .string(storageClass(volume)),
            .string(spec["volumeAttributesClassName"].string ?? "<unset>"),
            .string(volume["status"]["reason"].text),
            .string(TableFormat.age(volume, now: now)),
            .string(spec["volumeMode"].string ?? "<unset>"),
        ]
    }

    /// NAME, STATUS, VOLUME, CAPACITY, ACCESS MODES, STORAGECLASS, VOLUMEATTRIBUTESCLASS, AGE,
    /// VOLUMEMODE. CAPACITY and ACCESS MODES come from status, and only once a volume is bound.
    static func persistentVolumeClaimCells(_ claim: TableField, now: Time) -> [JSONValue] {
        let spec = claim["spec"]
        var phase = claim["status"]["phase"].text
        if claim["metadata"]["deletionTimestamp"].isPresent { phase = "Terminating" }
        let volumeName = spec["volumeName"].text
        var capacity = ""
        var accessModes = ""
        if !volumeName.isEmpty {
            accessModes = TableFormat.accessModes(claim["status"]["accessModes"])
            capacity = TableFormat.quantity(claim["status"]["capacity"]["storage"])
        }
        return [
            .string(TableFormat.name(claim)),
            .string(phase),
            .string(volumeName),
            .string(capacity),
            .string(accessModes),
            .string(storageClass(claim)),
            .string(spec["volumeAttributesClassName"].string ?? "<unset>"),
            .string(TableFormat.age(claim, now: now)),
            .string(spec["volumeMode"].string ?? "<unset>"),
        ]
    }

    /// The storage class of a volume or claim: the beta annotation wins over
    /// `spec.storageClassName`.
    private static func storageClass(_ object: TableField) -> String {
        if let annotated = object["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"].string {
            return annotated
        }
        return object["spec"]["storageClassName"].text
    }

    // MARK: ResourceQuota and ComponentStatus

    /// NAME, AGE, REQUEST, LIMIT (1.32 order). Each `status.hard` resource, in byte order, as
    /// `name: used/hard`; `limits.*` resources go to LIMIT, the rest to REQUEST.
    static func resourceQuotaCells(_ quota: TableField, now: Time) -> [JSONValue] {
        let hard = quota["status"]["hard"].members.sorted { TableFormat.bytewise($0.key, $1.key) }
        var requests: [String] = []
        var limits: [String] = []
        for (resource, amount) in hard {
            let used = TableFormat.quantity(quota["status"]["used"][resource])
            let entry = "\(resource): \(used)/\(TableFormat.quantity(amount))"
            let pieces = resource.split(separator: ".", omittingEmptySubsequences: false)
            if pieces.count > 1 && pieces[0] == "limits" {
                limits.append(entry)
            } else {
                requests.append(entry)
            }
        }
        return [
            .string(TableFormat.name(quota)), .string(TableFormat.age(quota, now: now)),
            .string(requests.joined(separator: ", ")), .string(limits.joined(separator: ", ")),
        ]
    }

    /// NAME, STATUS (`Healthy`, `Unhealthy`, `Unknown`), MESSAGE, ERROR of the Healthy condition.
    static func componentStatusCells(_ component: TableField) -> [JSONValue] {
        var status = "Unknown"
        var message = ""
        var error = ""
        if let condition = component["conditions"].array.first(where: { $0["type"].string == "Healthy" }) {
            status = condition["status"].string == "True" ? "Healthy" : "Unhealthy"
            message = condition["message"].text
            error = condition["error"].text
        }
        return [.string(TableFormat.name(component)), .string(status), .string(message), .string(error)]
    }
}
