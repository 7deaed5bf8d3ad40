import ArgumentParser
import ZMQOutput
import ZeroMQ

/// `zmq monitor`: watch a connection come and go.
struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Connect to an endpoint and print the connection's events.",
        discussion: """
            Connects a socket of --type (DEALER by default) to ENDPOINT, or binds it with \
            --bind, and prints each of its events as libzmq reports them: connect delayed \
            and retried, connected, handshake succeeded or failed (a CURVE key mismatch, or \
            a socket type the peer does not accept), disconnected, and so on. Useful to \
            see whether a service is reachable and what goes wrong when it is not.

            Runs until --count events, --timeout of silence (exit code 3 if no event came \
            at all), or Ctrl-C (SIGINT) or SIGTERM (exit code 0).

            Examples:
              zmq monitor tcp://127.0.0.1:5555
              zmq monitor tcp://127.0.0.1:5555 --type sub --count 3 --format json
              zmq monitor 'tcp://*:5555' --bind --timeout 10s
              zmq monitor tcp://server:5555 --curve-server-key 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7'
            """)

    @Argument(help: "The endpoint to watch: tcp://HOST:PORT, ipc://PATH or inproc://NAME.")
    var endpoint: String

    @Option(
        help: ArgumentHelp(
            "The socket type to connect with: \(Self.typeNames.keys.sorted().joined(separator: ", ")).",
            valueName: "type"))
    var type: String = "dealer"

    @Flag(help: "Bind ENDPOINT and watch peers connect to it, instead of connecting.")
    var bind = false

    @Option(name: [.short, .long], help: ArgumentHelp("Exit after this many events.", valueName: "n"))
    var count: Int?

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Exit once no event has come for this long (exit code 3 if none came at all).", valueName: "duration"),
        transform: DurationArgument.parse)
    var timeout: Duration?

    @OptionGroup var output: FormatOptions
    @OptionGroup var curve: CurveOptions

    private static let typeNames: [String: SocketType] = [
        "pair": .pair, "pub": .pub, "sub": .sub, "req": .req, "rep": .rep, "dealer": .dealer, "router": .router,
        "pull": .pull, "push": .push, "xpub": .xpub, "xsub": .xsub,
    ]

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1, not \(count)") }
        guard Self.typeNames[type.lowercased()] != nil else {
            throw ValidationError(
                "unknown socket type '\(type)' for --type: use \(Self.typeNames.keys.sorted().joined(separator: ", "))")
        }
    }

    func run() throws {
        let endpoint = try EndpointArgument(endpoint, binds: bind)
        let security = try curve.resolve()
        let session = try Session()
        let socket = try session.socket(Self.typeNames[type.lowercased()]!, curve: security)
        let monitor: Monitor
        do { monitor = try socket.monitor() } catch { throw ToolError.zmq(error, while: "monitor the socket") }
        defer { stopMonitoring(socket, monitor) }
        try endpoint.attach(socket)
        let renderer = EventRenderer(format: output.format)
        var seen = 0
        while count.map({ seen < $0 }) ?? true {
            let event: SocketEvent?
            do { event = try monitor.next(timeout: timeout) } catch {
                throw ToolError.failure("cannot read the events of \(endpoint): \(error)")
            }
            guard let event else {
                if monitor.isFinished || seen > 0 { return }
                throw ToolError.timedOut("no event on \(endpoint) within \(DurationArgument.format(timeout!))")
            }
            if case .monitorStopped = event { return }
            seen += 1
            do { try StandardStreams.write(renderer.render(event, at: .now())) } catch { return }
        }
    }
}
