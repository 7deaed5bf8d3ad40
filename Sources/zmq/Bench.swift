import ArgumentParser
import Foundation
import ZeroMQ

/// `zmq bench`: measure throughput or latency, in one process or against a peer.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure message throughput or request latency.",
        discussion: """
            Without --role, both ends run in this process, each on a thread of its own, \
            over --transport: --count messages of --size bytes through PUSH/PULL or PUB/SUB \
            (--pattern), or with --latency, REQ/REP round trips, reported as median, p90, \
            p99 and max. A progress line goes to standard error while it runs; the summary \
            goes to standard output, as JSON with --json.

            With --role, this process is one end and another program the other, so a C or \
            Python peer can be measured against it: plain single-frame messages of --size \
            bytes. The sender sends --count messages (PUSH, or PUB after a subscriber \
            joined); the receiver receives them and reports the throughput. With --latency \
            the sender makes REQ round trips and the receiver echoes them with a REP socket \
            (`zmq rep --echo` works as well).

            Examples:
              zmq bench
              zmq bench --pattern pubsub --size 1024 --count 200000 --transport ipc
              zmq bench --latency --count 20000 --json
              zmq bench --role receiver --bind 'tcp://*:5555' --count 1000000 &
              zmq bench --role sender --connect tcp://127.0.0.1:5555 --count 1000000
            """)

    enum Transport: String, CaseIterable, ExpressibleByArgument {
        case tcp, ipc, inproc
    }

    enum Role: String, CaseIterable, ExpressibleByArgument {
        case sender, receiver
    }

    @Option(help: ArgumentHelp("pushpull or pubsub (throughput only).", valueName: "pattern"))
    var pattern: BenchPattern = .pushpull

    @Option(help: ArgumentHelp("Bytes in each message.", valueName: "bytes"))
    var size: Int = 64

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Messages to send, or round trips to make (default: 100000, or 10000 with --latency).", valueName: "n"))
    var count: Int?

    @Option(help: ArgumentHelp("tcp, ipc or inproc, when both ends run here.", valueName: "transport"))
    var transport: Transport = .tcp

    @Flag(help: "Measure REQ/REP round trips instead of throughput.")
    var latency = false

    @Option(help: ArgumentHelp("Be one end only, against a peer elsewhere: sender or receiver.", valueName: "role"))
    var role: Role?

    @Option(help: ArgumentHelp("With --role: bind here and let the peer connect.", valueName: "endpoint"))
    var bind: String?

    @Option(help: ArgumentHelp("With --role: connect to the peer here.", valueName: "endpoint"))
    var connect: String?

    @Option(
        name: [.short, .long],
        help: ArgumentHelp("Give up when nothing moves for this long (default: 10s).", valueName: "duration"),
        transform: DurationArgument.parse)
    var timeout: Duration = .seconds(10)

    @Flag(help: "With both ends here: secure the connection with CURVE (fresh keys), to measure its cost.")
    var curve = false

    @OptionGroup var security: CurveOptions

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    @Flag(name: [.short, .long], help: "No progress line on standard error.")
    var quiet = false

    func validate() throws {
        if size < 0 { throw ValidationError("--size must not be negative, not \(size)") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1, not \(count)") }
        if role == nil, bind != nil || connect != nil {
            throw ValidationError("--bind and --connect need --role sender or --role receiver")
        }
        if role != nil && curve {
            throw ValidationError("--curve is for both ends here; with --role, give the --curve-… keys instead")
        }
        if role != nil, (bind == nil) == (connect == nil) {
            throw ValidationError("--role needs exactly one of --bind ENDPOINT or --connect ENDPOINT")
        }
    }

    func run() throws {
        let remote =
            try bind.map { (text) throws(ToolError) in try EndpointArgument(text, binds: true) }
            ?? connect.map { (text) throws(ToolError) in try EndpointArgument(text, binds: false) }
        if let remote, remote.transport == "inproc" {
            throw ToolError.usage("--role needs an endpoint another process can reach, not inproc: '\(remote)'")
        }
        let session = try Session(linger: timeout)
        var sides = BenchSides(
            context: session.context, size: size, count: count ?? (latency ? 10_000 : 100_000), timeout: timeout)
        if role != nil {
            sides.serving = try security.resolve()
            sides.connecting = sides.serving
        } else if curve {
            do {
                let server = try CurveKeyPair.generate()
                sides.serving = .server(server)
                sides.connecting = .client(server: server.publicKey, own: try CurveKeyPair.generate())
            } catch {
                throw ToolError.failure("cannot make CURVE keys: \(error)")
            }
        }
        let output: String
        if let role, let remote {
            output = try BenchRun(sides: sides, quiet: quiet, json: json).remote(
                role, at: remote, pattern: pattern, latency: latency)
        } else {
            output = try BenchRun(sides: sides, quiet: quiet, json: json).local(
                pattern: pattern, transport: transport, latency: latency)
        }
        try? StandardStreams.write(output)
    }
}

extension BenchPattern: ExpressibleByArgument {}
