import Foundation

/// When a failed request is tried again, and after how long — client-go's rules:
/// - 429, and 5xx answers that carry `Retry-After`, are retried for every verb after the
///   `Retry-After` seconds (1 s when absent or unreadable, at most `maxWait`);
/// - a request that could not be delivered (connection refused, connection closed before an
///   answer) is retried only when it is idempotent (GET), after an exponential back-off;
/// - everything else is final.
struct RetryPolicy: Sendable {
    var maxRetries: Int
    var baseBackoff: Swift.Duration = .milliseconds(200)
    var maxWait: Swift.Duration = .seconds(10)

    enum Outcome: Sendable {
        case answered(status: Int, retryAfter: String?)
        case transportFailure
    }

    /// The wait before attempt `attempt + 1` (attempts count from 0), or nil to give up.
    func delay(after outcome: Outcome, attempt: Int, idempotent: Bool) -> Swift.Duration? {
        guard attempt < maxRetries else { return nil }
        switch outcome {
        case .answered(let status, let retryAfter):
            let retryable = status == 429 || (status >= 500 && retryAfter != nil)
            guard retryable else { return nil }
            let seconds = retryAfter.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 1
            return min(.seconds(max(0, seconds)), maxWait)
        case .transportFailure:
            guard idempotent else { return nil }
            let factor = 1 << min(attempt, 6)
            return min(baseBackoff * factor, maxWait)
        }
    }
}
