import Foundation

/// SIGTERM and SIGINT start a clean shutdown once; a second signal exits at once (1), and a
/// shutdown still running after 30 s (longer than a lease release may take) exits 0.
enum SignalHandling {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func onTerminate(_ action: @escaping @Sendable () -> Void) {
        let fired = ManagedAtomicFlag()
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                if fired.testAndSet() { _exit(1) }
                action()
                DispatchQueue.global().asyncAfter(deadline: .now() + 30) { _exit(0) }
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// A flag set once, safe across threads.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false

    /// Sets the flag; returns whether it was already set.
    func testAndSet() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let was = set
        set = true
        return was
    }
}
