import ArgumentParser
import ZMQOutput
import ZeroMQ

/// The options of the commands that receive and print messages.
struct ReceiveOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("Exit after this many messages.", valueName: "n"))
    var count: Int?

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Exit once nothing has arrived for this long, as in 500ms, 2s or 1m (exit code 3 if nothing arrived at all).",
            valueName: "duration"),
        transform: DurationArgument.parse)
    var timeout: Duration?

    @Option(
        help: ArgumentHelp(
            "Fail (exit code 1) unless a peer has connected within this long; without it, wait for peers for ever.",
            valueName: "duration"),
        transform: DurationArgument.parse)
    var connectTimeout: Duration?

    @OptionGroup var output: FormatOptions

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1, not \(count)") }
    }
}

/// The receive loop of `sub` and `pull`: prints each message as it arrives,
/// until `--count` messages, `--timeout` of silence, or a signal.
struct ReceiveLoop {
    let socket: Socket
    let endpoint: EndpointArgument
    let options: ReceiveOptions
    let renderer: MessageRenderer
    /// Watches for a peer when `--connect-timeout` is given; made before the socket attached.
    let watch: PeerWatch?

    /// Runs the loop; throws a `timedOut` ``ToolError`` when `--timeout`
    /// passed before anything arrived.
    func run() throws(ToolError) {
        if let watch, let connectTimeout = options.connectTimeout {
            guard try watch.waitForPeer(timeout: connectTimeout) else { return }
        }
        do {
            try socket.set(.receiveTimeout, options.timeout)
        } catch {
            throw .zmq(error, while: "set the receive timeout")
        }
        var received = 0
        while options.count.map({ received < $0 }) ?? true {
            let frames: [Message]?
            do { frames = try socket.receiveMultipart() } catch {
                if error.endsRun { return }
                throw .zmq(error, while: "receive from \(endpoint)")
            }
            guard let frames else {
                if received > 0 { return }
                throw .timedOut("nothing arrived from \(endpoint) within \(DurationArgument.format(options.timeout!))")
            }
            received += 1
            do { try StandardStreams.write(renderer.render(frames, at: .now())) } catch { return }
        }
    }
}

extension ReceiveLoop {
    /// Attaches `socket` to `endpoint` and prints what arrives, as `sub` and
    /// `pull` do. The peer watch for `--connect-timeout` is made first, since
    /// it must see the socket's first connection.
    static func attachAndRun(
        _ socket: Socket, to endpoint: EndpointArgument, options: ReceiveOptions, hasTopicFrame: Bool
    ) throws(ToolError) {
        let watch = try options.connectTimeout.map { _ throws(ToolError) in try PeerWatch(socket, endpoint: endpoint) }
        try endpoint.attach(socket)
        try ReceiveLoop(
            socket: socket, endpoint: endpoint, options: options,
            renderer: MessageRenderer(format: options.output.format, hasTopicFrame: hasTopicFrame), watch: watch
        ).run()
    }
}
