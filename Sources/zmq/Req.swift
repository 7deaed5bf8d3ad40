import ArgumentParser
import ZMQOutput
import ZeroMQ

/// `zmq req`: send requests and print the replies.
struct Req: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send requests to a replier and print each reply.",
        discussion: """
            Connects a REQ socket to ENDPOINT (or binds it, with --bind), sends each MESSAGE \
            as a request and prints its reply before sending the next; with no MESSAGE, each \
            line of standard input is a request. Every reply must come within --timeout (5s \
            by default), else the command fails with exit code 1, saying whether nothing \
            answered the connection at all or the peer took too long to reply.

            Examples:
              zmq req tcp://127.0.0.1:5556 ping
              zmq req ipc:///tmp/service '{"op":"status"}' --format json
              seq 1 5 | zmq req tcp://127.0.0.1:5556 --timeout 500ms
            """)

    @Argument(help: "Where the replier is: tcp://HOST:PORT, ipc://PATH or inproc://NAME.")
    var endpoint: String

    @Argument(help: "Requests to send, in order; none: read standard input, one request a line.")
    var messages: [String] = []

    @Flag(help: "Bind ENDPOINT and let the replier connect, instead of connecting to it.")
    var bind = false

    @Option(
        name: [.short, .long],
        help: ArgumentHelp("How long to wait for each reply, as in 500ms or 2s.", valueName: "duration"),
        transform: DurationArgument.parse)
    var timeout: Duration = .seconds(5)

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Send the MESSAGE arguments this many times; with standard input, stop after this many lines.",
            valueName: "n"))
    var count: Int?

    @Option(help: ArgumentHelp("Split each request into frames at this separator.", valueName: "sep"))
    var multipartSeparator: String?

    @OptionGroup var output: FormatOptions
    @OptionGroup var curve: CurveOptions

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1, not \(count)") }
        if multipartSeparator == "" { throw ValidationError("--multipart-separator must not be empty") }
    }

    func run() throws {
        let endpoint = try EndpointArgument(endpoint, binds: bind)
        let security = try curve.resolve()
        // A request that got no reply is not worth waiting for at exit.
        let session = try Session(linger: .zero)
        let socket = try session.socket(.req, curve: security)
        do { try socket.set(.receiveTimeout, timeout) } catch {
            throw ToolError.zmq(error, while: "set the receive timeout")
        }
        let watch = try PeerWatch(socket, endpoint: endpoint)
        try endpoint.attach(socket)
        let renderer = MessageRenderer(format: output.format, hasTopicFrame: false)
        let separator = multipartSeparator.map { Array($0.utf8) }
        var source = MessageSource(arguments: messages, count: count, endingOn: session.signals)
        while let request = try source.next() {
            let frames = separator.map { SendLoop.split(request, at: $0) } ?? [request]
            let reply: [Message]?
            do {
                try socket.sendMultipart(frames)
                reply = try socket.receiveMultipart()
            } catch {
                if error.endsRun { return }
                throw ToolError.zmq(error, while: "exchange a request with \(endpoint)")
            }
            guard let reply else {
                try watch.update()
                throw ToolError.failure(
                    watch.everConnected
                        ? "no reply from \(endpoint) within \(DurationArgument.format(timeout))"
                        : watch.noPeerMessage(within: timeout))
            }
            do { try StandardStreams.write(renderer.render(reply, at: .now())) } catch { return }
        }
    }
}
