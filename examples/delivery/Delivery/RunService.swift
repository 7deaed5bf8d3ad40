import DeliveryKit
import Dispatch
import Foundation
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
    let task = Task { try await body(context) }
    var sources: [any DispatchSourceSignal] = []
    for number in [SIGINT, SIGTERM] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { task.cancel() }
        source.resume()
        sources.append(source)
    }
    defer { for source in sources { source.cancel() } }
    do {
        try await task.value
    } catch is CancellationError {
        report("\(name): stopped")
    } catch {
        context.shutdown()
        fail("\(name): \(error)")
    }
    context.shutdown()
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
