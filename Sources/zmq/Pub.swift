import ArgumentParser
import ZeroMQ

/// `zmq pub`: publish messages from the arguments or standard input.
struct Pub: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish messages to subscribers, from the arguments or standard input.",
        discussion: """
            Binds a PUB socket to ENDPOINT (or connects it, with --connect, for example to \
            a `zmq proxy`) and sends each MESSAGE; with no MESSAGE, each line of standard \
            input is a message. With --topic T each message is two frames, [T][MESSAGE]; \
            --multipart-separator splits a message into frames.

            A publisher drops messages for subscribers that have not joined yet. Use \
            --wait-subscribers N to wait until N have (bounded by --timeout), or --delay \
            to give them time. After the last message the socket lingers (--linger, 5s by \
            default) so that queued messages still go out.

            Ctrl-C (SIGINT) or SIGTERM stops reading input: the lines already read are \
            still sent, what is queued goes out within --linger, and the exit code is 0. \
            A second signal ends it at once.

            Examples:
              zmq pub 'tcp://*:5555' --topic orders.placed '{"id":42}' --wait-subscribers 1
              tail -f app.log | zmq pub ipc:///tmp/logs --topic log
              zmq pub tcp://127.0.0.1:5555 --connect tick --count 100 --rate 10
              printf 'a|b|c\\n' | zmq pub 'tcp://*:5555' --multipart-separator '|'
            """)

    @Argument(help: "Where to publish: tcp://INTERFACE:PORT (tcp://*:5555 for all), ipc://PATH or inproc://NAME.")
    var endpoint: String

    @Argument(help: "Messages to send; none: read standard input, one message a line.")
    var messages: [String] = []

    @Flag(help: "Connect to ENDPOINT (a subscriber or proxy that binds) instead of binding it.")
    var connect = false

    @Option(help: ArgumentHelp("Wait until this many subscribers have joined before sending.", valueName: "n"))
    var waitSubscribers: Int?

    @Option(
        name: [.customLong("timeout")],
        help: ArgumentHelp(
            "Give up (exit code 1) if --wait-subscribers is not met within this long, as in 5s.",
            valueName: "duration"),
        transform: DurationArgument.parse)
    var timeout: Duration?

    @OptionGroup var send: SendOptions
    @OptionGroup var curve: CurveOptions

    func validate() throws {
        if let waitSubscribers, waitSubscribers < 1 {
            throw ValidationError("--wait-subscribers must be at least 1, not \(waitSubscribers)")
        }
    }

    func run() throws {
        let endpoint = try EndpointArgument(endpoint, binds: !connect)
        let security = try curve.resolve()
        let session = try Session(linger: send.linger ?? .seconds(5))
        let socket = try session.socket(waitSubscribers == nil ? .pub : .xpub, curve: security)
        if waitSubscribers != nil {
            do { try socket.set(.xpubVerbose, true) } catch {
                throw ToolError.zmq(error, while: "set ZMQ_XPUB_VERBOSE")
            }
        }
        let watch =
            try (waitSubscribers != nil || send.connectTimeout != nil)
            ? PeerWatch(socket, endpoint: endpoint) : nil
        try endpoint.attach(socket)
        if let watch, let connectTimeout = send.connectTimeout {
            guard try watch.waitForPeer(timeout: connectTimeout) else { return }
        }
        if let watch, let waitSubscribers {
            guard try SubscriberWait(socket: socket, watch: watch, wanted: waitSubscribers, timeout: timeout).run()
            else { return }
        }
        try SendLoop(
            socket: socket, session: session, endpoint: endpoint, options: send, sendTimeout: nil,
            timeoutMessage: "cannot send to \(endpoint)"
        ).run(messages: messages)
    }
}
