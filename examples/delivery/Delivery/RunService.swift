import DeliveryKit
import Foundation
import Synchronization
import ZeroMQ

/// Runs one role until it ends or SIGINT/SIGTERM arrives; a signal cancels it,
/// which ends every wait on its sockets, and the role's context is shut down.
/// Errors end up as one line on stderr and exit code 1.
func runService(_ name: String, _ body: @escaping @Sendable (Context) async throws -> Void) async throws {
    startLogging(level: .info)
    let context: Context
    do { context = try Context(defaultLinger: .milliseconds(500)) } catch {
        fail("cannot create a ZeroMQ context: \(error)")
    }
    defer { context.shutdown() }
    do {
        try await cancellingOnSignals { try await body(context) }
    } catch is CancellationError {
        report("\(name): stopped")
    } catch {
        context.shutdown()
        fail("\(name): \(error)")
    }
}

/// Runs `operation` in a task that SIGINT or SIGTERM cancels, and waits for it.
/// A signal makes it throw `CancellationError`, whatever it was waiting on threw.
///
/// The handlers are in place before the operation starts: a role prints its
/// first line from the operation, and a signal sent right after that line
/// must not meet the "ignore" a shell gives background jobs.
func cancellingOnSignals<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result) async throws
    -> Result
{
    let cancellation = SignalCancellation()
    onTerminationSignals { cancellation.signalled() }
    let task = Task { try await operation() }
    cancellation.attach { task.cancel() }
    let result: Result
    do {
        result = try await task.value
    } catch  where task.isCancelled {
        throw CancellationError()
    }
    // Some waits end quietly when cancelled (an AsyncStream's loop, for one).
    if task.isCancelled { throw CancellationError() }
    return result
}

/// Cancels the running operation once a signal arrived, also when the signal
/// came before the operation started.
private final class SignalCancellation: Sendable {
    private let state = Mutex<(cancel: (@Sendable () -> Void)?, arrived: Bool)>((nil, false))

    func signalled() {
        let cancel = state.withLock { state in
            state.arrived = true
            return state.cancel
        }
        cancel?()
    }

    func attach(_ cancel: @escaping @Sendable () -> Void) {
        let arrived = state.withLock { state in
            state.cancel = cancel
            return state.arrived
        }
        if arrived { cancel() }
    }
}

/// The end of the pipe the signal handler writes to.
private nonisolated(unsafe) var signalWriteEnd: Int32 = -1

/// Calls `handler` on a thread of its own for each SIGINT or SIGTERM. The C
/// handler only writes a byte to a pipe (about all a signal handler may do).
/// Installing a handler also undoes an inherited "ignore", which a shell
/// gives SIGINT in background jobs.
private func onTerminationSignals(_ handler: @escaping @Sendable () -> Void) {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { return }
    signalWriteEnd = ends[1]
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in
        var byte: UInt8 = 1
        _ = write(signalWriteEnd, &byte, 1)
    }
    sigemptyset(&action.sa_mask)
    action.sa_flags = SA_RESTART
    sigaction(SIGINT, &action, nil)
    sigaction(SIGTERM, &action, nil)
    // A parent may have started us with them blocked (Foundation's Process does).
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    let readEnd = ends[0]
    Thread.detachNewThread {
        var byte: UInt8 = 0
        while read(readEnd, &byte, 1) == 1 { handler() }
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
