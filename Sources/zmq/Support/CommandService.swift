import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs a parsed command as the one service of a `ServiceGroup` that SIGINT
/// and SIGTERM shut down gracefully, as a Swift server runs. The command's
/// loops block, so it runs on a thread of its own, never on Swift's
/// cooperative pool; the graceful shutdown calls what its ``Session``
/// registered with ``Termination`` (shut the context down, or end the
/// input of a command that sends). The group's signal handlers are in place
/// before the command starts, so a signal right after its first output is
/// never lost, nor met by the "ignore" a shell gives background jobs
/// (Dispatch's signal source installs a handler of its own).
struct CommandService: Service {
    /// The command, handed to its thread and used there alone.
    private struct Handed: @unchecked Sendable {
        let command: any ParsableCommand
    }

    private let handed: Handed

    init(_ command: any ParsableCommand) { handed = Handed(command: command) }

    /// Runs `command` until it ends; throws what it threw.
    static func run(_ command: any ParsableCommand) async throws {
        // The group's own lines (started, signal caught) are not the tool's output, even at --log-level debug.
        var logger = Logger(label: "zmq.lifecycle")
        logger.logLevel = .warning
        let configuration = ServiceGroupConfiguration(
            services: [.init(service: CommandService(command), successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await ServiceGroup(configuration: configuration).run()
    }

    func run() async throws {
        let handed = self.handed
        try await withGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
                Thread.detachNewThread {
                    // A new thread inherits its creator's signal mask, and a Dispatch worker blocks nearly
                    // every signal: the command, and the processes `rep --exec` starts, get none blocked,
                    // as when the command ran on the main thread.
                    var none = sigset_t()
                    sigemptyset(&none)
                    pthread_sigmask(SIG_SETMASK, &none, nil)
                    var command = handed.command
                    done.resume(with: Result { try command.run() })
                }
            }
        } onGracefulShutdown: {
            Termination.signalled()
        }
    }
}

/// What SIGINT or SIGTERM does to the running command: the handler its
/// ``Session`` registers. A signal that comes before the command registered
/// one is kept and acted on at registration. A second signal takes the
/// default action: an impatient user's way out of a long linger.
enum Termination {
    private static let state = Mutex<(handler: (@Sendable () -> Void)?, arrived: Bool)>((nil, false))

    /// Whether SIGINT or SIGTERM arrived.
    static var arrived: Bool { state.withLock { $0.arrived } }

    /// Makes `handler` what a signal does (at once, if one came already).
    static func onSignal(_ handler: @escaping @Sendable () -> Void) {
        let arrived = state.withLock { state in
            state.handler = handler
            return state.arrived
        }
        if arrived { handler() }
    }

    /// A signal arrived: the group is shutting down gracefully.
    fileprivate static func signalled() {
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        let handler = state.withLock { state in
            state.arrived = true
            return state.handler
        }
        handler?()
    }
}
