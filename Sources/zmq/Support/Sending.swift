import ArgumentParser
import Foundation
import ZeroMQ

/// The options of the commands that send messages (`pub`, `push`).
struct SendOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Send each message as two frames: this topic, then the message.", valueName: "topic"))
    var topic: String?

    @Option(
        help: ArgumentHelp(
            "Split each message (argument or input line) into frames at this separator.", valueName: "sep"))
    var multipartSeparator: String?

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Send the MESSAGE arguments this many times; with standard input, stop after this many lines.",
            valueName: "n"))
    var count: Int?

    @Option(help: ArgumentHelp("Send at most this many messages a second.", valueName: "n"))
    var rate: Double?

    @Option(
        help: ArgumentHelp(
            "Wait this long before sending the first message, as in 500ms or 2s.", valueName: "duration"),
        transform: DurationArgument.parse)
    var delay: Duration?

    @Option(
        help: ArgumentHelp(
            "How long queued messages may still go out after the last one is sent (default: 5s).",
            valueName: "duration"),
        transform: DurationArgument.parse)
    var linger: Duration?

    @Option(
        help: ArgumentHelp(
            "Fail (exit code 1) unless a peer has connected within this long, before sending.", valueName: "duration"),
        transform: DurationArgument.parse)
    var connectTimeout: Duration?

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1, not \(count)") }
        if let rate, !(rate > 0 && rate.isFinite) {
            throw ValidationError("--rate must be a positive number, not \(rate)")
        }
        if multipartSeparator == "" { throw ValidationError("--multipart-separator must not be empty") }
    }
}

/// The send loop of `pub` and `push`: frames each message, paces it to
/// `--rate`, and sends it.
struct SendLoop {
    let socket: Socket
    let endpoint: Endpoint
    let options: SendOptions
    /// What to say when a send times out (a PUSH with no puller).
    let timeoutMessage: String

    func run(messages arguments: [String]) throws(ToolError) {
        if let delay = options.delay { sleepThread(until: .now + delay) }
        var source = MessageSource(arguments: arguments, count: options.count)
        let separator = options.multipartSeparator.map { Array($0.utf8) }
        let topic = options.topic.map { Array($0.utf8) }
        let interval = options.rate.map { Duration.nanoseconds(Int64(1e9 / $0)) }
        let start = ContinuousClock.now
        var sent = 0
        while let message = try source.next() {
            if let interval { sleepThread(until: start + interval * sent) }
            var frames = separator.map { Self.split(message, at: $0) } ?? [message]
            if let topic { frames.insert(topic, at: 0) }
            do {
                guard try socket.sendMultipart(frames) else { throw ToolError.failure(timeoutMessage) }
            } catch let error as ToolError {
                throw error
            } catch let error as ZMQError {
                throw .zmq(error, while: "send to \(endpoint)")
            } catch {
                throw .failure("cannot send to \(endpoint): \(error)")
            }
            sent += 1
        }
    }

    /// Splits `bytes` at every occurrence of `separator`, keeping empty parts.
    static func split(_ bytes: [UInt8], at separator: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var partStart = 0
        var index = 0
        while index + separator.count <= bytes.count {
            if bytes[index..<index + separator.count].elementsEqual(separator) {
                parts.append(Array(bytes[partStart..<index]))
                index += separator.count
                partStart = index
            } else {
                index += 1
            }
        }
        parts.append(Array(bytes[partStart...]))
        return parts
    }
}
