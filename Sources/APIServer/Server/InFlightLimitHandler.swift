import APIMachinery
import Synchronization

/// kube-apiserver's `--max-requests-inflight` / `--max-mutating-requests-inflight` (its
/// `WithMaxInFlightLimit`, used when API Priority and Fairness is off, as here): at most
/// `readOnly` reads and `mutating` writes are handled at once; one more is answered at once
/// with 429 TooManyRequests and `Retry-After: 1`, as upstream's. Long-running requests (watches,
/// and the exec/attach/port-forward/proxy/log subresources) are not counted; 0 turns a limit off.
/// Priority and Fairness (per-user queues and shares) is not built.
public final class InFlightLimitHandler: RequestHandler {
    let inner: any RequestHandler
    let readOnly: Int
    let mutating: Int
    let counts = Mutex((reads: 0, writes: 0))
    let rejected = Atomic<Int>(0)

    public init(_ inner: any RequestHandler, readOnly: Int, mutating: Int) {
        self.inner = inner
        self.readOnly = readOnly
        self.mutating = mutating
    }

    /// Requests answered 429 so far.
    public var rejectedCount: Int { rejected.load(ordering: .relaxed) }

    public func handle(_ request: APIRequest) async -> APIResponse {
        if Self.isLongRunning(request) { return await inner.handle(request) }
        let write = Self.isMutating(request.method)
        let limit = write ? mutating : readOnly
        guard limit > 0 else { return await inner.handle(request) }
        let admitted = counts.withLock { counts -> Bool in
            if write {
                guard counts.writes < limit else { return false }
                counts.writes += 1
            } else {
                guard counts.reads < limit else { return false }
                counts.reads += 1
            }
            return true
        }
        guard admitted else {
            rejected.add(1, ordering: .relaxed)
            let status = MetaV1.Status.failure(
                .tooManyRequests, message: "Too many requests, please try again later.",
                details: MetaV1.StatusDetails(retryAfterSeconds: 1))
            guard case .full(let code, let headers, let body) = status.response else { return status.response }
            return .full(status: code, headers: headers + [("Retry-After", "1")], body: body)
        }
        defer {
            counts.withLock { counts in
                if write { counts.writes -= 1 } else { counts.reads -= 1 }
            }
        }
        return await inner.handle(request)
    }

    static let streamingSubresources: Set<Substring> = ["exec", "attach", "portforward", "proxy", "log"]
    static let streamingOwners: Set<Substring> = ["pods", "nodes", "services"]

    static func isMutating(_ method: String) -> Bool {
        switch method {
        case "POST", "PUT", "PATCH", "DELETE": true
        default: false
        }
    }

    /// Watches and streaming subresources, which hold a request open for as long as the
    /// client wants and so are not counted (upstream's `LongRunningRequestCheck`).
    static func isLongRunning(_ request: APIRequest) -> Bool {
        if let watch = request.query["watch"]?.last, watch == "true" || watch == "1" { return true }
        let segments = Array(request.path.split(separator: "/"))
        if segments.contains("watch") { return true }
        // `…/{pods|nodes|services}/<name>/<subresource>[/…]`
        return segments.indices.contains { index in
            index >= 2 && streamingOwners.contains(segments[index - 2]) && streamingSubresources.contains(segments[index])
        }
    }
}
