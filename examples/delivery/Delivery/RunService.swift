import DeliveryKit
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// Runs one role until it ends or SIGINT/SIGTERM arrives (``untilSignalled(_:_:)``);
/// then the role's context is shut down. Errors end up as one line on stderr
/// and exit code 1.
func runService(_ name: String, _ body: @escaping @Sendable (Context) async throws -> Void) async throws {
    startLogging(level: .info)
    let context: Context
    do { context = try Context(defaultLinger: .milliseconds(500)) } catch {
        fail("cannot create a ZeroMQ context: \(error)")
    }
    defer { context.shutdown() }
    do {
        if try await untilSignalled(name, { try await body(context) }) == nil { report("\(name): stopped") }
    } catch {
        context.shutdown()
        fail("\(name): \(error)")
    }
}

/// Runs `operation` as the one service of a `ServiceGroup` that SIGINT and
/// SIGTERM shut down gracefully, which cancels the operation (every wait on
/// its sockets ends). Returns what it returned, or `nil` when a signal
/// stopped it; throws what it threw.
///
/// The group has its signal handlers in place before the operation starts:
/// a role prints its first line from the operation, and a signal sent right
/// after that line must not be lost, nor meet the "ignore" a shell gives
/// background jobs (Dispatch's signal source installs a handler of its own).
func untilSignalled<Result: Sendable>(
    _ name: String, _ operation: @escaping @Sendable () async throws -> Result
) async throws -> Result? {
    let service = OperationService(operation)
    let configuration = ServiceGroupConfiguration(
        services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
        gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "delivery.\(name)"))
    try await ServiceGroup(configuration: configuration).run()
    return service.result
}

/// An operation as a `Service`: it runs until it ends, or is cancelled when
/// its group shuts down gracefully, which is then no failure.
private final class OperationService<Result: Sendable>: Service, Sendable {
    private let operation: @Sendable () async throws -> Result
    private let outcome = Mutex<Result?>(nil)

    init(_ operation: @escaping @Sendable () async throws -> Result) { self.operation = operation }

    /// What the operation returned; `nil` when a graceful shutdown stopped it.
    var result: Result? { outcome.withLock { $0 } }

    func run() async throws {
        do {
            let value = try await cancelWhenGracefulShutdown { try await self.operation() }
            // Some waits end quietly when cancelled (an AsyncStream's loop, for one).
            if Task.isShuttingDownGracefully { return }
            outcome.withLock { $0 = value }
        } catch where Task.isShuttingDownGracefully {
            // Cancelled by the shutdown: what a signal asks for.
        }
    }
}

/// One line on stdout, written at once (also into a pipe or a file).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// One line on stderr.
func report(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// One line on stderr, then exit code 1.
func fail(_ line: String) -> Never {
    report("delivery: \(line)")
    exit(1)
}
