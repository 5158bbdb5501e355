import Foundation

/// SIGTERM and SIGINT start a clean shutdown once; a second signal, or a shutdown taking more
/// than ten seconds, exits at once.
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
                DispatchQueue.global().asyncAfter(deadline: .now() + 10) { _exit(1) }
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
