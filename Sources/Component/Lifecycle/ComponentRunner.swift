import Foundation
import Logging
import Metrics
import ServiceLifecycle
import UnixSignals

/// What every Skiff process is made of: its logger (`--v`), metrics registry, health checks,
/// and a run loop of swift-service-lifecycle services with Kubernetes' shutdown contract.
///
/// `run(services:)` starts the services in order in one `ServiceGroup`. The first SIGTERM or
/// SIGINT marks `/readyz` failing, logs, and shuts the services down gracefully in reverse
/// order (each stops taking work and finishes or hands back what is in flight); the process
/// then exits 0. A service still running after `gracePeriod` is cancelled; a second signal
/// exits at once with status 1.
public struct Component: Sendable {
    public let name: String
    public let logger: Logger
    public let metrics: MetricsRegistry
    public let health: HealthChecks

    /// Bootstraps process-wide logging (`verbosity` as klog's `--v`) and metrics (swift-metrics
    /// users write into this component's registry). Call once, first thing in `main`.
    public static func bootstrap(name: String, verbosity: Int) -> Component {
        let logger = ComponentLogging.bootstrap(component: name, verbosity: verbosity)
        let metrics = MetricsRegistry()
        MetricsSystem.bootstrap(metrics.metricsFactory)
        return Component(name: name, logger: logger, metrics: metrics, health: HealthChecks())
    }

    /// A component for tests: nothing process-wide is touched.
    public init(name: String, logger: Logger, metrics: MetricsRegistry = MetricsRegistry(), health: HealthChecks = HealthChecks()) {
        self.name = name
        self.logger = logger
        self.metrics = metrics
        self.health = health
    }

    /// Runs `services` until they finish or a signal shuts them down; returns normally after a
    /// graceful shutdown, throws when a service failed.
    public func run(services: [any Service], gracePeriod: Duration = .seconds(30)) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            logger: logger)
        configuration.maximumGracefulShutdownDuration = gracePeriod
        let group = ServiceGroup(configuration: configuration)
        let logger = self.logger
        let health = self.health
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                var received = 0
                for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                    received += 1
                    if received > 1 {
                        logger.warning("second signal: exiting at once", metadata: ["signal": "\(signal)"])
                        _exit(1)
                    }
                    logger.notice("shutting down gracefully", metadata: ["signal": "\(signal)", "grace": "\(gracePeriod)"])
                    health.markShuttingDown()
                    await group.triggerGracefulShutdown()
                    // A service that ignores cancellation too must not keep the process alive.
                    Thread.detachNewThread {
                        Thread.sleep(forTimeInterval: Self.seconds(gracePeriod) + 10)
                        logger.error("graceful shutdown did not finish in time: exiting")
                        _exit(1)
                    }
                }
            }
            defer { tasks.cancelAll() }
            try await tasks.next()
        }
        logger.info("stopped")
    }

    static func seconds(_ duration: Duration) -> Double {
        let (whole, atto) = duration.components
        return Double(whole) + Double(atto) / 1e18
    }
}

/// swift-service-lifecycle's `Service`, so executables name it without importing the package.
public typealias Service = ServiceLifecycle.Service
