import APIMachinery
import AsyncHTTPClient
import NIOCore

/// `metrics.k8s.io/v1beta1` (NodeMetrics, PodMetrics), what `kubectl top` and the
/// HorizontalPodAutoscaler read. Upstream, metrics-server scrapes every kubelet's
/// `/metrics/resource` and serves the figures through the aggregator; here the apiserver asks
/// the kubelets' `/stats/summary` on each request (in parallel, 10 s each) and answers from
/// what they report. A node whose kubelet does not answer is left out, as metrics-server does.
extension ResourceContext {
    func metrics() async throws -> APIResponse {
        let selector: LabelSelectorQuery
        do { selector = try LabelSelectorQuery(parsing: request.parameter("labelSelector") ?? "") } catch {
            throw StatusError.badRequest("unable to parse requirement: \(error.message)")
        }
        let items: [JSONValue]
        if resource.gvk.kind == "NodeMetrics" {
            items = try await nodeMetrics(selector: selector)
        } else {
            items = try await podMetrics(selector: selector)
        }
        if let name = info.name {
            guard let item = items.first else { throw StatusError.notFound(resource, name) }
            return Responses.json(200, item)
        }
        return Responses.json(200, [
            "kind": .string(resource.gvk.kind + "List"), "apiVersion": "metrics.k8s.io/v1beta1", "metadata": [:], "items": .array(items),
        ])
    }

    private func objects(_ resourceName: String, namespace: String?) async throws -> [JSONValue] {
        guard let info = handler.registry.info(for: GroupVersionResource(group: "", version: "v1", resource: resourceName)) else { return [] }
        let store = handler.stores.store(for: info)
        let prefix = store.prefix + (namespace.map { $0 + "/" } ?? "")
        let (values, _, _) = try await store.kv.list(prefix: prefix, from: nil, revision: 0, limit: 0)
        return try values.map { value in
            do { return try JSONCodec.parse(value.value) } catch {
                throw StatusError.internalError("unable to decode the object at \(value.key): \(error)")
            }
        }
    }

    private static func labels(_ object: JSONValue) -> [String: String] {
        var labels: [String: String] = [:]
        if case .object(let map)? = object["metadata"]?["labels"] {
            for member in map.members { labels[member.key] = member.value.stringValue ?? "" }
        }
        return labels
    }

    /// `/stats/summary` of each named node's kubelet, nil where it did not answer.
    private func summaries(of nodes: [JSONValue]) async -> [String: JSONValue] {
        await withTaskGroup(of: (String, JSONValue?).self) { group in
            for node in nodes {
                guard let name = node["metadata"]?["name"]?.stringValue, let address = Self.kubeletAddress(node: node) else { continue }
                group.addTask {
                    var request = HTTPClientRequest(url: Self.kubeletURL(address, path: "/stats/summary"))
                    request.method = .GET
                    do {
                        let response = try await KubeletClient.http.execute(request, timeout: .seconds(10))
                        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
                        guard response.status.code == 200 else { return (name, nil) }
                        return (name, try JSONCodec.parse(Array(buffer: body)))
                    } catch {
                        return (name, nil)
                    }
                }
            }
            var result: [String: JSONValue] = [:]
            for await (name, summary) in group { if let summary { result[name] = summary } }
            return result
        }
    }

    private static func usage(cpu: JSONValue?, memory: JSONValue?) -> JSONValue? {
        guard case .int(let nanoCores)? = cpu?["usageNanoCores"], case .int(let bytes)? = memory?["workingSetBytes"] else { return nil }
        return ["cpu": .string("\(nanoCores)n"), "memory": .string(bytes % 1024 == 0 ? "\(bytes / 1024)Ki" : "\(bytes)")]
    }

    /// The metrics object's metadata: the node's or pod's name, namespace and labels.
    private static func metadata(of object: JSONValue, timestamp: JSONValue) -> JSONValue {
        var metadata: JSONObject = ["name": object["metadata"]?["name"] ?? "", "creationTimestamp": timestamp]
        if let namespace = object["metadata"]?["namespace"] { metadata["namespace"] = namespace }
        if let labels = object["metadata"]?["labels"] { metadata["labels"] = labels }
        return .object(metadata)
    }

    private func now() -> JSONValue { .string(Time(secondsSinceEpoch: Int64(handler.now().timeIntervalSince1970)).description) }

    private func nodeMetrics(selector: LabelSelectorQuery) async throws -> [JSONValue] {
        let nodes = try await objects("nodes", namespace: nil).filter { node in
            (info.name == nil || node["metadata"]?["name"]?.stringValue == info.name) && selector.matches(Self.labels(node))
        }
        let summaries = await summaries(of: nodes)
        return nodes.compactMap { node -> JSONValue? in
            guard let name = node["metadata"]?["name"]?.stringValue, let summary = summaries[name],
                  let usage = Self.usage(cpu: summary["node"]?["cpu"], memory: summary["node"]?["memory"]) else { return nil }
            let time = summary["node"]?["cpu"]?["time"] ?? now()
            return [
                "metadata": Self.metadata(of: node, timestamp: now()),
                "timestamp": time, "window": "10s", "usage": usage,
            ]
        }
    }

    private func podMetrics(selector: LabelSelectorQuery) async throws -> [JSONValue] {
        let pods = try await objects("pods", namespace: namespace).filter { pod in
            (info.name == nil || pod["metadata"]?["name"]?.stringValue == info.name) && selector.matches(Self.labels(pod))
                && pod["status"]?["phase"]?.stringValue == "Running"
        }
        let nodeNames = Set(pods.compactMap { $0["spec"]?["nodeName"]?.stringValue })
        let nodes = try await objects("nodes", namespace: nil).filter { nodeNames.contains($0["metadata"]?["name"]?.stringValue ?? "") }
        var reported: [String: JSONValue] = [:]
        for summary in await summaries(of: nodes).values {
            for pod in summary["pods"]?.arrayValue ?? [] {
                if let uid = pod["podRef"]?["uid"]?.stringValue { reported[uid] = pod }
            }
        }
        return pods.compactMap { pod -> JSONValue? in
            guard let uid = pod["metadata"]?["uid"]?.stringValue, let stats = reported[uid] else { return nil }
            var containers: [JSONValue] = []
            for container in stats["containers"]?.arrayValue ?? [] {
                guard let usage = Self.usage(cpu: container["cpu"], memory: container["memory"]) else { continue }
                containers.append(["name": container["name"] ?? "", "usage": usage])
            }
            guard !containers.isEmpty else { return nil }
            return [
                "metadata": Self.metadata(of: pod, timestamp: now()),
                "timestamp": stats["cpu"]?["time"] ?? now(), "window": "10s", "containers": .array(containers),
            ]
        }
    }
}
