import APIMachinery
import Component
import Foundation
import HTTPServing
import NIOHTTP1

/// The kubelet's API on `--port` (10250), which the apiserver calls for `pods/log`,
/// `pods/exec`, `pods/attach` and `pods/portforward`:
///
/// - `GET /healthz`, `GET /pods` (the pods bound here, with the status this kubelet wrote);
/// - `GET /containerLogs/{namespace}/{pod}/{container}` with `PodLogOptions` in the query;
/// - `/exec|/attach/{namespace}/{pod}[/{uid}]/{container}` and `/portForward/{namespace}/{pod}[/{uid}]`:
///   upgrade requests, handed to the runtime's streaming server at the URL CRI gives for the
///   session (the kubelet proxies; it never redirects the client);
/// - `POST /run/{namespace}/{pod}[/{uid}]/{container}?cmd=…`: a command's output, at once;
/// - `GET /stats/summary` and `GET /metrics/resource`: node and container CPU and memory
///   (the source of `metrics.k8s.io` and so of `kubectl top`).
///
/// Errors are plain text with upstream's messages and codes (400 for a bad request or a
/// container that cannot serve logs, 404 for an unknown pod). Authentication and authorization
/// of these paths come with the security issue.
public struct KubeletServer: RequestHandler {
    let kubelet: Kubelet
    let node: NodeUsageSampler
    let startTime: Int64

    public init(kubelet: Kubelet, node: NodeUsageSampler? = nil) {
        self.kubelet = kubelet
        let clock = kubelet.clock
        self.node = node ?? NodeUsageSampler { NodeUsage.read(time: clock.wallNow.nanosecondsSinceEpoch) }
        startTime = clock.wallNow.nanosecondsSinceEpoch
    }

    public func handle(_ request: APIRequest) async -> APIResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let first = segments.first else { return Self.text(404, "404 page not found\n") }
        switch (request.method, first) {
        case ("GET", "healthz"), ("HEAD", "healthz"):
            return Self.text(200, "ok")
        case ("GET", "pods") where segments.count == 1:
            let list = CoreV1.PodList(kind: "PodList", apiVersion: "v1", metadata: MetaV1.ListMeta(), items: kubelet.servedPods())
            return .full(status: 200, headers: [("Content-Type", "application/json")], body: JSONCodec.encode(list))
        case ("GET", "stats") where segments == ["stats", "summary"]:
            let (usage, nanoCores) = node.sample()
            do {
                let containers = try await kubelet.runtime.listContainerStats().compactMap(ContainerUsage.init)
                let summary = StatsSummary.summary(nodeName: kubelet.options.nodeName, startTime: startTime, node: usage,
                                                   nodeNanoCores: nanoCores, containers: containers)
                return .full(status: 200, headers: [("Content-Type", "application/json")], body: JSONCodec.encode(summary))
            } catch {
                return Self.text(500, "failed to get container stats: \(error)")
            }
        case ("GET", "metrics") where segments == ["metrics", "resource"]:
            let (usage, _) = node.sample()
            var containers: [ContainerUsage] = []
            var failed = false
            do { containers = try await kubelet.runtime.listContainerStats().compactMap(ContainerUsage.init) } catch { failed = true }
            let text = StatsSummary.resourceMetrics(node: usage, containers: containers, scrapeError: failed)
            return .full(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: Array(text.utf8))
        case ("GET", "containerLogs"):
            guard segments.count == 4 else { return Self.text(404, "404 page not found\n") }
            return await containerLogs(namespace: segments[1], pod: segments[2], container: segments[3], request)
        case ("GET", "exec"), ("POST", "exec"), ("GET", "attach"), ("POST", "attach"):
            guard segments.count == 4 || segments.count == 5 else { return Self.text(404, "404 page not found\n") }
            return await containerStream(
                first, namespace: segments[1], pod: segments[2], uid: segments.count == 5 ? segments[3] : nil,
                container: segments[segments.count - 1], request)
        case ("GET", "portForward"), ("POST", "portForward"):
            guard segments.count == 3 || segments.count == 4 else { return Self.text(404, "404 page not found\n") }
            return await portForward(namespace: segments[1], pod: segments[2], uid: segments.count == 4 ? segments[3] : nil, request)
        case ("POST", "run"):
            guard segments.count == 4 || segments.count == 5 else { return Self.text(404, "404 page not found\n") }
            return await run(namespace: segments[1], pod: segments[2], uid: segments.count == 5 ? segments[3] : nil,
                             container: segments[segments.count - 1], request)
        default:
            return Self.text(404, "404 page not found\n")
        }
    }

    static func text(_ status: Int, _ message: String) -> APIResponse {
        .full(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(message.utf8))
    }

    // MARK: logs

    private func containerLogs(namespace: String, pod name: String, container: String, _ request: APIRequest) async -> APIResponse {
        let options: LogOptions
        do {
            options = try LogOptions(query: request.query, now: kubelet.clock.wallNow.nanosecondsSinceEpoch)
        } catch {
            // Upstream's answers: 400 for a query it cannot read, 422 for values out of range.
            return error.undecodable
                ? Self.text(400, "{\"message\": \"Unable to decode query.\"}") : Self.text(422, "{\"message\": \"Invalid request.\"}")
        }
        guard let pod = kubelet.servedPod(namespace: namespace, name: name) else {
            return Self.text(404, "pod \"\(name)\" does not exist\n")
        }
        let spec = pod.spec
        let declared = (spec?.containers ?? []).map(\.name) + (spec?.initContainers ?? []).map(\.name)
            + (spec?.ephemeralContainers ?? []).map(\.name)
        guard declared.contains(container) else {
            return Self.text(404, "container \"\(container)\" not found in pod \"\(name)\"\n")
        }
        let containerID: String
        switch ContainerLogSource.containerID(pod: pod, container: container, previous: options.previous) {
        case .failure(let error): return Self.text(400, error.description)
        case .success(let id): containerID = id
        }
        let path: String
        let handle: FileHandle
        let reader: ContainerLogReader
        do {
            path = try await kubelet.runtime.containerStatus(containerID).logPath
        } catch {
            return Self.text(400, "failed to get container status \"\(containerID)\": \(error)")
        }
        reader = ContainerLogReader(path: path, options: options)
        do { handle = try reader.open() } catch { return Self.text(400, "\(error)") }
        let runtime = kubelet.runtime
        let stream = BufferedPushStream { stream in
            await reader.run(handle, write: { await stream.write(Array($0)) }, stillRunning: {
                do { return try await runtime.containerStatus(containerID).state == .containerRunning } catch { return false }
            })
        }
        return .push(status: 200, headers: [("Content-Type", "text/plain")], stream: stream)
    }

    // MARK: streaming sessions

    private func containerStream(
        _ kind: String, namespace: String, pod name: String, uid: String?, container: String, _ request: APIRequest
    ) async -> APIResponse {
        let streams: StreamSelection
        switch StreamOptions.parse(request.query) {
        case .failure(let error): return Self.text(400, error.description)
        case .success(let selection): streams = selection
        }
        let command = request.query["command"] ?? []
        if kind == "exec" && command.isEmpty { return Self.text(400, "you must specify a command") }
        guard UpgradeTarget.isUpgrade(request.headers) else { return Self.text(400, "Upgrade request required") }
        guard let pod = kubelet.servedPod(namespace: namespace, name: name), uid == nil || pod.metadata?.uid == uid else {
            return Self.text(404, "pod does not exist")
        }
        let containerID: String
        do {
            guard let running = try await kubelet.runningContainer(of: pod, named: container) else {
                return Self.text(500, "container not found (\"\(container)\")")
            }
            containerID = running
        } catch {
            return Self.text(500, "\(error)")
        }
        let session: StreamingRequest = kind == "exec"
            ? .exec(containerID: containerID, command: command, streams: streams)
            : .attach(containerID: containerID, streams: streams)
        return await handOff(session, request)
    }

    private func portForward(namespace: String, pod name: String, uid: String?, _ request: APIRequest) async -> APIResponse {
        guard UpgradeTarget.isUpgrade(request.headers) else { return Self.text(400, "Upgrade request required") }
        guard let pod = kubelet.servedPod(namespace: namespace, name: name), uid == nil || pod.metadata?.uid == uid else {
            return Self.text(404, "pod does not exist")
        }
        var ports: [Int32] = []
        for text in (request.query["ports"] ?? []).flatMap({ $0.split(separator: ",") }) {
            guard let port = Int32(text.trimmingCharacters(in: .whitespaces)), (1...65535).contains(port) else {
                return Self.text(400, "invalid port \"\(text)\"")
            }
            ports.append(port)
        }
        do {
            guard let sandbox = try await kubelet.readySandbox(of: pod) else {
                return Self.text(500, "pod not found (\"\(namespace)/\(name)\")")
            }
            return await handOff(.portForward(sandboxID: sandbox, ports: ports), request)
        } catch {
            return Self.text(500, "\(error)")
        }
    }

    /// Asks the runtime for the session's URL and hands the connection to it.
    private func handOff(_ session: StreamingRequest, _ request: APIRequest) async -> APIResponse {
        let url: String
        do { url = try await kubelet.runtime.streamingURL(for: session) } catch { return Self.text(500, "\(error)") }
        guard let parsed = URLComponents(string: url), parsed.scheme == "http", let host = parsed.host else {
            return Self.text(500, "unsupported streaming URL from the runtime: \(url)")
        }
        let uri = parsed.percentEncodedPath + (parsed.percentEncodedQuery.map { "?" + $0 } ?? "")
        return .upgrade(UpgradeTarget(
            host: host, port: parsed.port ?? 80, method: HTTPMethod(rawValue: request.method), uri: uri,
            headers: UpgradeTarget.upgradeHeaders(of: request.headers)))
    }

    // MARK: run

    private func run(namespace: String, pod name: String, uid: String?, container: String, _ request: APIRequest) async -> APIResponse {
        let command = (request.parameter("cmd") ?? "").split(separator: " ").map(String.init)
        guard !command.isEmpty else { return Self.text(400, "you must specify a command") }
        guard let pod = kubelet.servedPod(namespace: namespace, name: name), uid == nil || pod.metadata?.uid == uid else {
            return Self.text(404, "pod does not exist")
        }
        do {
            guard let id = try await kubelet.runningContainer(of: pod, named: container) else {
                return Self.text(500, "container not found (\"\(container)\")")
            }
            let result = try await kubelet.runtime.execSync(id, command: command, timeout: 0)
            return .full(status: 200, headers: [("Content-Type", "text/plain")], body: Array(result.stdout) + Array(result.stderr))
        } catch {
            return Self.text(500, "\(error)")
        }
    }
}

/// The standard streams an exec or attach request asks for, from the kubelet's query
/// (`input`, `output`, `error`, `tty`, as the apiserver sends them).
enum StreamOptions {
    struct Invalid: Error, CustomStringConvertible { var description: String }

    static func parse(_ query: [String: [String]]) -> Result<StreamSelection, Invalid> {
        func flag(_ name: String) -> Bool {
            guard let text = query[name]?.first else { return false }
            return text == "1" || text == "true" || text == "True" || text == "TRUE" || text == "t" || text == "T"
        }
        var streams = StreamSelection(stdin: flag("input"), stdout: flag("output"), stderr: flag("error"), tty: flag("tty"))
        // A terminal merges stderr into stdout.
        if streams.tty { streams.stderr = false }
        if !streams.stdin && !streams.stdout && !streams.stderr {
            return .failure(Invalid(description: "you must specify at least 1 of stdin, stdout, stderr"))
        }
        return .success(streams)
    }
}
