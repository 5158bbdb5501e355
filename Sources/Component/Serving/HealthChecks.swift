import Synchronization

/// Named health checks answered as kube-apiserver answers `/healthz`, `/livez` and `/readyz`:
/// `ok` when every check passes; otherwise 500 with one `[+]name ok` / `[-]name failed: reason
/// withheld` line per check and `<endpoint> check failed`. `?verbose` lists the checks on
/// success too, `?exclude=name` skips one, and `/<endpoint>/<name>` runs one check alone.
///
/// Every component has `ping` (always ok) and, in `/readyz`, `shutdown`, which fails from the
/// moment a graceful shutdown starts so that load balancers stop sending work.
public final class HealthChecks: Sendable {
    /// Where a check is reported.
    public struct Endpoints: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let livez = Endpoints(rawValue: 1)
        public static let readyz = Endpoints(rawValue: 2)
        /// `/healthz` is the union of both, as upstream's.
        public static let all: Endpoints = [.livez, .readyz]
    }

    /// Returns nil when healthy, or why not (logged, not shown to the client).
    public typealias Check = @Sendable () async -> String?

    private struct Entry {
        var name: String
        var endpoints: Endpoints
        var check: Check
    }

    private let entries = Mutex<[Entry]>([])
    private let shuttingDown = Atomic<Bool>(false)

    public init() {
        add("ping", .all) { nil }
        add("shutdown", .readyz) { [weak self] in
            (self?.isShuttingDown ?? true) ? "the process is shutting down" : nil
        }
    }

    public func add(_ name: String, _ endpoints: Endpoints, _ check: @escaping Check) {
        entries.withLock { $0.append(Entry(name: name, endpoints: endpoints, check: check)) }
    }

    /// From now on `/readyz` fails.
    public func markShuttingDown() { shuttingDown.store(true, ordering: .relaxed) }
    public var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    /// The answer for `path` (`/healthz`, `/livez`, `/readyz`, optionally `/<name>` after it),
    /// or nil when the path is not a health endpoint or names no check.
    public func answer(path: String, query: [String: [String]]) async -> StatusServer.Response? {
        let parts = path.split(separator: "/").map(String.init)
        guard let endpointName = parts.first, parts.count <= 2 else { return nil }
        let endpoints: Endpoints
        switch endpointName {
        case "healthz": endpoints = .all
        case "livez": endpoints = .livez
        case "readyz": endpoints = .readyz
        default: return nil
        }
        var selected = entries.withLock { list in list.filter { !$0.endpoints.isDisjoint(with: endpoints) } }
        if parts.count == 2 {
            selected = selected.filter { $0.name == parts[1] }
            guard let only = selected.first else { return nil }
            let reason = await only.check()
            return reason == nil ? .init(body: "ok") : .init(status: 500, body: "internal server error: \(only.name) check failed\n")
        }
        let excluded = Set(query["exclude"] ?? [])
        var lines: [String] = []
        var failed = false
        for entry in selected where !excluded.contains(entry.name) {
            if await entry.check() == nil {
                lines.append("[+]\(entry.name) ok")
            } else {
                failed = true
                lines.append("[-]\(entry.name) failed: reason withheld")
            }
        }
        for name in excluded.sorted() { lines.append("[-]\(name) excluded: ok") }
        if failed {
            return .init(status: 500, body: lines.joined(separator: "\n") + "\n\(endpointName) check failed\n")
        }
        if query["verbose"] != nil {
            return .init(body: lines.joined(separator: "\n") + "\n\(endpointName) check passed\n")
        }
        return .init(body: "ok")
    }
}
