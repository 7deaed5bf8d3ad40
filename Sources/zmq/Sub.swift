import ArgumentParser
import Foundation
import ZeroMQ
import ZeroMQChannels

/// `zmq sub`: subscribe to a publisher and print what arrives.
struct Sub: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Subscribe to a publisher and print each message as it arrives.",
        discussion: """
            Connects a SUB socket to ENDPOINT (or binds it, with --bind) and prints every \
            message whose first frame starts with one of the TOPIC prefixes; with no TOPIC, \
            every message. Output is flushed after each message, so it can feed a pipe live.

            In the default text format a message is one line: its frames separated by tabs, \
            text as it is and other bytes escaped (\\x00, \\\\, \\t, \\n). See --format for the others.

            Exit codes: 0 after --count messages, after --timeout of silence if anything \
            arrived, or on Ctrl-C (SIGINT) or SIGTERM; 3 if --timeout passed with nothing \
            received; 1 on failure; 2 for bad arguments.

            The subscriber also subscribes to a private `_zmq.join.<id>.` topic, so a channel \
            Publisher's waitForSubscribers (and `zmq pub --wait-subscribers`) sees it join.

            Examples:
              zmq sub tcp://127.0.0.1:5555                  everything, one line a message
              zmq sub tcp://127.0.0.1:5555 orders. --count 10
              zmq sub ipc:///tmp/feed --format json | jq .topic
              zmq sub tcp://127.0.0.1:5555 --timeout 2s     stop after 2 s of silence
              zmq sub --bind 'tcp://*:5555' --format raw > payloads.bin
            """)

    @Argument(help: "Where the publisher is: tcp://HOST:PORT, ipc://PATH or inproc://NAME.")
    var endpoint: String

    @Argument(help: "Topic prefixes to receive (the start of the first frame); none means everything.")
    var topics: [String] = []

    @Flag(help: "Bind ENDPOINT and let publishers connect, instead of connecting to it.")
    var bind = false

    @OptionGroup var receive: ReceiveOptions
    @OptionGroup var curve: CurveOptions

    func run() throws {
        let endpoint = try EndpointArgument(endpoint, binds: bind)
        let security = try curve.resolve()
        let session = try Session()
        let socket = try session.socket(.sub, curve: security)
        do {
            for topic in topics.isEmpty ? [""] : topics { try socket.subscribe(topic) }
            try socket.subscribe(JoinTopic.subscription(for: UUID()))
        } catch {
            throw ToolError.zmq(error, while: "subscribe")
        }
        try ReceiveLoop.attachAndRun(socket, to: endpoint, options: receive, hasTopicFrame: true)
    }
}
