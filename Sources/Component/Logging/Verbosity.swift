import Logging
import Synchronization

/// klog's `-v`/`--v` as swift-log levels: 0–1 info, 2–3 debug (klog's V(2) detail, such as
/// each failed scheduling cycle), 4 and above trace (request-level lines).
public enum Verbosity {
    public static func level(_ verbosity: Int) -> Logger.Level {
        switch verbosity {
        case ..<2: .info
        case 2..<4: .debug
        default: .trace
        }
    }
}

/// Process-wide logging set-up: `LoggingSystem` may be bootstrapped once per process, so a
/// second call (tests running several components) only hands out loggers.
public enum ComponentLogging {
    private static let bootstrapped = Mutex(false)

    /// Routes every `Logger` of the process to `ComponentLogHandler` at `--v`'s level and
    /// returns the component's root logger.
    public static func bootstrap(component: String, verbosity: Int) -> Logger {
        let level = Verbosity.level(verbosity)
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        if first {
            LoggingSystem.bootstrap { _ in ComponentLogHandler(component: component, level: level) }
        }
        var logger = Logger(label: component) { _ in ComponentLogHandler(component: component, level: level) }
        logger.logLevel = level
        return logger
    }
}
