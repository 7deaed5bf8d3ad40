import ArgumentParser
import ZMQOutput
import ZeroMQ

/// `zmq rep`: answer requests, by echoing them or running a command.
struct Rep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer requests: echo them, or reply with a shell command's output.",
        discussion: """
            Binds a REP socket to ENDPOINT (or connects it, with --connect), prints each \
            request as it arrives, and replies: with the request itself (--echo), or with \
            the standard output of a shell command run once per request with the request \
            on its standard input (--exec). One trailing newline of the command's output is \
            dropped; with --multipart-separator, a multipart request reaches the command \
            joined by the separator and the output is split into frames at it. A command \
            that fails is reported on standard error, and its output is still the reply.

            Runs until --count replies, --timeout of silence (exit code 3 if no request came \
            at all), or Ctrl-C (SIGINT) or SIGTERM (exit code 0).

            Examples:
              zmq rep 'tcp://*:5556' --echo
              zmq rep ipc:///tmp/upper --exec 'tr a-z A-Z'
              zmq rep 'tcp://*:5556' --exec 'jq -c .items' --count 1 --format json
            """)

    @Argument(help: "Where to answer: tcp://INTERFACE:PORT, ipc://PATH or inproc://NAME.")
    var endpoint: String

    @Flag(help: "Connect to ENDPOINT (a requester or broker that binds) instead of binding it.")
    var connect = false

    @Flag(help: "Reply with the request itself.")
    var echo = false

    @Option(
        help: ArgumentHelp(
            "Reply with the output of this shell command (sh -c), given the request on its standard input.",
            valueName: "command"))
    var exec: String?

    @Option(name: [.short, .long], help: ArgumentHelp("Exit after this many replies.", valueName: "n"))
    var count: Int?

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Exit once no request has come for this long (exit code 3 if none came at all).", valueName: "duration"),
        transform: DurationArgument.parse)
    var timeout: Duration?

    @Option(
        help: ArgumentHelp("Join request frames for --exec, and split its output, at this separator.", valueName: "sep")
    )
    var multipartSeparator: String?

    @OptionGroup var output: FormatOptions
    @OptionGroup var curve: CurveOptions

    func validate() throws {
        if echo == (exec != nil) {
            throw ValidationError("rep needs exactly one of --echo or --exec COMMAND")
        }
        if let count, count < 1 { throw ValidationError("--count must be at least 1, not \(count)") }
        if multipartSeparator == "" { throw ValidationError("--multipart-separator must not be empty") }
    }

    func run() throws {
        let endpoint = try EndpointArgument(endpoint, binds: !connect)
        let security = try curve.resolve()
        let session = try Session()
        let socket = try session.socket(.rep, curve: security)
        do { try socket.set(.receiveTimeout, timeout) } catch {
            throw ToolError.zmq(error, while: "set the receive timeout")
        }
        try endpoint.attach(socket)
        let renderer = MessageRenderer(format: output.format, hasTopicFrame: false)
        let separator = multipartSeparator.map { Array($0.utf8) }
        var answered = 0
        while count.map({ answered < $0 }) ?? true {
            let request: [Message]?
            do { request = try socket.receiveMultipart() } catch {
                if error.endsRun { return }
                throw ToolError.zmq(error, while: "receive a request on \(endpoint)")
            }
            guard let request else {
                if answered > 0 { return }
                throw ToolError.timedOut("no request came to \(endpoint) within \(DurationArgument.format(timeout!))")
            }
            do { try StandardStreams.write(renderer.render(request, at: .now())) } catch { return }
            let reply: [[UInt8]]
            if let exec {
                reply = try ShellReply(command: exec, separator: separator).reply(to: request)
            } else {
                reply = request.map(\.bytes)
            }
            do { try socket.sendMultipart(reply) } catch {
                if error.endsRun { return }
                throw ToolError.zmq(error, while: "reply on \(endpoint)")
            }
            answered += 1
        }
    }
}
