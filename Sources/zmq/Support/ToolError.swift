import ZeroMQ

/// A failure the tool reports as one line on standard error, with the exit
/// code that tells scripts what kind of failure it was.
///
/// Exit codes: 0 success (and a clean stop on SIGINT or SIGTERM), 1 a runtime
/// failure, 2 a usage error (bad option, endpoint, duration or key), 3 a
/// receiver's `--timeout` passed before anything arrived.
struct ToolError: Error, CustomStringConvertible {
    /// The exit code this failure ends the process with.
    enum Kind: Int32 {
        case failure = 1
        case usage = 2
        case timedOut = 3
    }

    let kind: Kind
    /// What went wrong, naming the value at fault; printed after `zmq: `.
    let description: String
    /// Whether the failure was the context being shut down (`ETERM`), which
    /// follows a signal or another thread's failure rather than being a cause.
    var isShutdown = false

    /// A bad argument: exit code 2.
    static func usage(_ message: String) -> ToolError { ToolError(kind: .usage, description: message) }
    /// Something failed at run time: exit code 1.
    static func failure(_ message: String) -> ToolError { ToolError(kind: .failure, description: message) }
    /// A receiver's `--timeout` passed before anything arrived: exit code 3.
    static func timedOut(_ message: String) -> ToolError { ToolError(kind: .timedOut, description: message) }

    /// Describes a libzmq failure while doing `action` (such as
    /// "bind tcp://127.0.0.1:5555") in words for people; invalid endpoints and
    /// unknown transports are usage errors, everything else a runtime failure.
    static func zmq(_ error: ZMQError, while action: String) -> ToolError {
        switch error.code {
        case ZMQError.Code.invalidArgument:
            .usage("cannot \(action): invalid endpoint or argument (\(error.codeName))")
        case ZMQError.Code.protocolNotSupported:
            .usage("cannot \(action): unknown or unsupported transport (\(error.codeName))")
        case ZMQError.Code.noSuchDevice:
            .usage("cannot \(action): no such network interface (\(error.codeName))")
        default:
            ToolError(
                kind: .failure, description: "cannot \(action): \(error.message) (\(error.codeName))",
                isShutdown: error.isTerminated)
        }
    }
}

extension ZMQError {
    /// Whether this error means the context was shut down, which the tool's
    /// signal handling does on SIGINT and SIGTERM.
    var endsRun: Bool { isTerminated || code == .notSocket }
}
