import ArgumentParser
import ZeroMQ

/// The `zmq` command: a shell tool for ZeroMQ, in the spirit of kcat and the
/// `nats` CLI. Each subcommand is one file beside this one.
@main
struct ZMQ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zmq",
        abstract: "Send, receive, forward, watch and measure ZeroMQ messages from the shell.",
        discussion: """
            Endpoints are ZeroMQ's: tcp://HOST:PORT (tcp://*:PORT binds every interface, \
            and port * any free port), ipc://PATH, inproc://NAME. Durations are a number \
            and a unit: 500ms, 2s, 1.5s, 1m.

            Data goes to standard output, diagnostics to standard error. Exit codes: 0 \
            success (also after Ctrl-C), 1 runtime failure, 2 bad arguments, 3 a --timeout \
            passed before anything arrived.

            Examples:
              zmq sub tcp://127.0.0.1:5555 orders. --format json | jq .
              echo hello | zmq pub 'tcp://*:5555' --wait-subscribers 1 --timeout 10s
              zmq proxy 'tcp://*:5559' 'tcp://*:5560'
              zmq bench --latency
            """,
        version: "zmq (swift-zeromq) with libzmq \(LibZMQ.versionString)",
        subcommands: [
            Sub.self, Pub.self, Push.self, Pull.self, Req.self, Rep.self, ProxyCommand.self, MonitorCommand.self,
            Keygen.self, Bench.self,
        ]
    )

    /// Parses the arguments and runs the command, turning every failure into
    /// one `zmq: …` line on standard error and the matching exit code, and
    /// help into full text on standard output with exit code 0.
    static func main() async {
        do {
            let command = try parseAsRoot()
            LoggingOptions.bootstrap((command as? ProxyCommand)?.logging.logLevel ?? .warning)
            try await CommandService.run(command)
            StandardStreams.exitProcess(0)
        } catch {
            report(error)
        }
    }

    /// Reports `error` and ends the process with its exit code.
    private static func report(_ error: Error) -> Never {
        if let error = error as? ToolError {
            // A signal before the command had its sockets: their context is shut down, and that is a clean stop.
            if error.isShutdown && Termination.arrived { StandardStreams.exitProcess(0) }
            StandardStreams.diagnose(error.description)
            StandardStreams.exitProcess(error.kind.rawValue)
        }
        let code = exitCode(for: error)
        if code == .success {
            exit(withError: error)  // --help, help SUBCOMMAND and --version: full text on standard output
        }
        StandardStreams.diagnose(firstLine(of: message(for: error)))
        // ArgumentParser says EX_USAGE (64) for bad arguments; this tool says 2.
        StandardStreams.exitProcess(code == .validationFailure ? ToolError.Kind.usage.rawValue : code.rawValue)
    }

    /// ArgumentParser's message, without its `Error: ` prefix and usage
    /// lines; a list of the values allowed, which it puts on lines of their
    /// own (`  - trace`), joins the first line.
    private static func firstLine(of message: String) -> String {
        let lines = message.split(whereSeparator: \.isNewline).map(String.init)
        var line = lines.first ?? message
        if line.hasPrefix("Error: ") { line.removeFirst("Error: ".count) }
        if line.hasSuffix(":") {
            let values = lines.dropFirst().prefix { $0.hasPrefix("  - ") }.map { $0.dropFirst(4) }
            if !values.isEmpty { line += " " + values.joined(separator: ", ") }
        }
        return line
    }
}
