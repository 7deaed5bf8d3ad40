import ArgumentParser
import ZeroMQ

/// `zmq proxy`: a forwarder between publishers and subscribers, or a queue
/// between pushers and pullers.
struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Forward messages between two endpoints until stopped.",
        discussion: """
            With --pattern pubsub (the default), publishers connect to FRONTEND (an XSUB \
            socket) and subscribers to BACKEND (an XPUB): messages flow down, subscriptions \
            up. With --pattern pipeline, pushers connect to FRONTEND (PULL) and pullers to \
            BACKEND (PUSH). --capture ENDPOINT binds a PUB socket that gets a copy of every \
            frame passed on.

            Both endpoints are bound; prefix one with '>' to connect it instead (and '@' \
            to bind, explicitly). Runs until Ctrl-C (SIGINT) or SIGTERM, then stops cleanly \
            with exit code 0. CURVE flags apply to both the frontend and the backend.

            Examples:
              zmq proxy 'tcp://*:5559' 'tcp://*:5560'
              zmq proxy ipc:///tmp/in ipc:///tmp/out --pattern pipeline
              zmq proxy 'tcp://*:5559' 'tcp://*:5560' --capture ipc:///tmp/tap &
              zmq sub ipc:///tmp/tap           (watch everything that passes)
            """)

    /// The socket types the proxy joins.
    enum Pattern: String, CaseIterable, ExpressibleByArgument {
        case pubsub, pipeline
    }

    @Argument(help: "Where publishers (or pushers) connect: the XSUB (or PULL) side.")
    var frontend: String

    @Argument(help: "Where subscribers (or pullers) connect: the XPUB (or PUSH) side.")
    var backend: String

    @Option(help: ArgumentHelp("pubsub (XSUB/XPUB) or pipeline (PULL/PUSH).", valueName: "pattern"))
    var pattern: Pattern = .pubsub

    @Option(help: ArgumentHelp("Bind a PUB socket here that receives a copy of all traffic.", valueName: "endpoint"))
    var capture: String?

    @OptionGroup var curve: CurveOptions
    @OptionGroup var logging: LoggingOptions

    func run() throws {
        let frontend = try Self.endpoint(frontend)
        let backend = try Self.endpoint(backend)
        let capture = try capture.map { (text) throws(ToolError) in try EndpointArgument(text, binds: true) }
        let security = try curve.resolve()
        let session = try Session()
        let options = Proxy.Options(configure: { role, socket throws(ZMQError) in
            if role != .capture { try security?.apply(to: socket) }
        })
        let proxy = Proxy(
            context: session.context, kind: pattern == .pubsub ? .forwarder : .streamer,
            frontend: frontend.endpoint, backend: backend.endpoint,
            capture: capture.map { .publish($0.endpoint) }, options: options)
        let endpoints: Proxy.Endpoints
        do { endpoints = try proxy.start() } catch {
            throw ToolError.zmq(error, while: "start the proxy: \(error.operation)")
        }
        for (requested, actual) in [(frontend, endpoints.frontend), (backend, endpoints.backend)]
        where requested.binds && requested.isWildcard {
            StandardStreams.diagnose("listening on \(actual)")
        }
        if let capture, capture.isWildcard, let actual = endpoints.capture {
            StandardStreams.diagnose("capture on \(actual)")
        }
        while !session.waitForSignal(timeout: .milliseconds(200)) {
            guard proxy.isRunning || session.wasInterrupted else {
                throw ToolError.failure("the proxy stopped: \(proxy.failure.map { "\($0)" } ?? "for no known reason")")
            }
        }
        do { try proxy.stop() } catch {
            // The signal shut the context down, which ends the proxy by itself.
            if !error.isTerminated { throw ToolError.failure("cannot stop the proxy cleanly: \(error)") }
        }
    }

    /// An endpoint with an optional `@` (bind, the default) or `>` (connect) prefix.
    private static func endpoint(_ text: String) throws(ToolError) -> EndpointArgument {
        if text.hasPrefix(">") { return try EndpointArgument(String(text.dropFirst()), binds: false) }
        if text.hasPrefix("@") { return try EndpointArgument(String(text.dropFirst()), binds: true) }
        return try EndpointArgument(text, binds: true)
    }
}
