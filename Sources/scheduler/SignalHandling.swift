import Foundation

/// SIGTERM and SIGINT start a clean shutdown once; a second signal exits at once (1), and a
/// shutdown still running after 30 s (longer than a lease release may take) exits 0.
enum SignalHandling {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func onTerminate(_ action: @escaping @Sendable () -> Void) {
        let fired = Flag()
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
