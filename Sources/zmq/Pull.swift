import ArgumentParser
import ZeroMQ

/// `zmq pull`: take messages from pushers and print them.
struct Pull: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pull messages from pushers and print each as it arrives.",
        discussion: """
            Connects a PULL socket to ENDPOINT (or binds it, with --bind) and prints every \
            message it is dealt. Several pullers on one pusher share the messages between \
            them: each goes to one puller.

            Output, --count, --timeout and exit codes are as for `zmq sub`: 3 means \
            --timeout passed with nothing received.

            Examples:
              zmq pull tcp://127.0.0.1:5557
              zmq pull --bind ipc:///tmp/jobs --count 100 --format json
              zmq pull tcp://127.0.0.1:5557 --timeout 5s --format raw > jobs.bin
            """)

    @Argument(help: "Where the pusher is: tcp://HOST:PORT, ipc://PATH or inproc://NAME.")
    var endpoint: String

    @Flag(help: "Bind ENDPOINT and let pushers connect, instead of connecting to it.")
    var bind = false

    @OptionGroup var receive: ReceiveOptions
    @OptionGroup var curve: CurveOptions

    func run() throws {
        let endpoint = try EndpointArgument(endpoint, binds: bind)
        let security = try curve.resolve()
        let session = try Session()
        let socket = try session.socket(.pull, curve: security)
        try ReceiveLoop.attachAndRun(socket, to: endpoint, options: receive, hasTopicFrame: false)
    }
}
