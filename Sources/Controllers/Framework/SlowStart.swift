import Foundation

/// Upstream's `slowStartBatch`: runs `count` calls of `work` in batches of `initialBatch`,
/// then twice as many, and so on (each batch concurrent), stopping after the first batch with
/// a failure, so a quota or admission refusal costs one call rather than `count`. The
/// ReplicaSet and Job controllers create pods this way.
enum SlowStart {
    /// Returns how many calls succeeded and the first error.
    static func run(count: Int, initialBatch: Int, _ work: @escaping @Sendable () async throws -> Void) async -> (Int, (any Error)?) {
        var remaining = count
        var successes = 0
        var batch = min(remaining, initialBatch)
        while batch > 0 {
            let size = batch
            let (ok, error) = await withTaskGroup(of: (any Error)?.self) { group -> (Int, (any Error)?) in
                for _ in 0..<size {
                    group.addTask {
                        do { try await work(); return nil } catch { return error }
                    }
                }
                var ok = 0
                var first: (any Error)?
                for await result in group {
                    if let result { first = first ?? result } else { ok += 1 }
                }
                return (ok, first)
            }
            successes += ok
            if let error { return (successes, error) }
            remaining -= size
            batch = min(2 * size, remaining)
        }
        return (successes, nil)
    }
}

/// Hands out 0, 1, 2, … to concurrent callers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}
