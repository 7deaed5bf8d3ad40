import ArgumentParser
import ZeroMQ

/// `zmq push`: deal messages from the arguments or standard input to pullers.
struct Push: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Push messages to pullers, from the arguments or standard input.",
        discussion: """
            Binds a PUSH socket to ENDPOINT (or connects it, with --connect) and sends each \
            MESSAGE; with no MESSAGE, each line of standard input is a message. Each message \
            goes to one puller, round-robin. Unlike a publisher, a pusher waits for a puller \
            rather than dropping: --timeout bounds that wait (exit code 1 when it passes).

            Ctrl-C (SIGINT) or SIGTERM stops reading input: the lines already read are \
            still queued (while a puller takes them), what is queued goes out within \
            --linger, and the exit code is 0. A second signal ends it at once.

            --topic, --multipart-separator, --count, --rate, --delay and --linger work as \
            for `zmq pub`.

            Examples:
              zmq push 'tcp://*:5557' job-1 job-2 job-3
              seq 1 1000 | zmq push ipc:///tmp/jobs --rate 100
              zmq push tcp://127.0.0.1:5557 --connect --timeout 5s 'resize image.png'
            """)

    @Argument(help: "Where to push: tcp://INTERFACE:PORT, ipc://PATH or inproc://NAME.")
    var endpoint: String

    @Argument(help: "Messages to send; none: read standard input, one message a line.")
    var messages: [String] = []

    @Flag(help: "Connect to ENDPOINT (a puller that binds) instead of binding it.")
    var connect = false

    @Option(
        name: [.customLong("timeout")],
        help: ArgumentHelp(
            "Give up (exit code 1) when no puller takes a message within this long, as in 5s.",
            valueName: "duration"),
        transform: DurationArgument.parse)
    var timeout: Duration?

    @OptionGroup var send: SendOptions
    @OptionGroup var curve: CurveOptions

    func run() throws {
        let endpoint = try EndpointArgument(endpoint, binds: !connect)
        let security = try curve.resolve()
        let session = try Session(linger: send.linger ?? .seconds(5))
        let socket = try session.socket(.push, curve: security)
        let watch = try send.connectTimeout.map { _ throws(ToolError) in try PeerWatch(socket, endpoint: endpoint) }
        try endpoint.attach(socket)
        if let watch, let connectTimeout = send.connectTimeout {
            guard try watch.waitForPeer(timeout: connectTimeout) else { return }
        }
        let waited = timeout.map { " within \(DurationArgument.format($0))" } ?? ""
        try SendLoop(
            socket: socket, session: session, endpoint: endpoint, options: send, sendTimeout: timeout,
            timeoutMessage: "no puller took a message on \(endpoint)\(waited)"
        ).run(messages: messages)
    }
}
