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
///
/// SIGINT or SIGTERM ends the input (see ``MessageSource``): the messages
/// already queued still go out within the socket's linger, and the run ends
/// with exit code 0. A message that cannot be queued (a PUSH whose pullers are
/// gone or busy) is waited on until the signal, or `sendTimeout`.
struct SendLoop {
    let socket: Socket
    let session: Session
    let endpoint: EndpointArgument
    let options: SendOptions
    /// How long one message may wait to be queued; `nil`: as long as it takes.
    let sendTimeout: Duration?
    /// What to say when a send times out (a PUSH with no puller).
    let timeoutMessage: String

    func run(messages arguments: [String]) throws(ToolError) {
        session.endInputOnSignal()
        if let delay = options.delay, session.waitForSignal(timeout: delay) { return }
        var source = MessageSource(arguments: arguments, count: options.count, endingOn: session.signals)
        let separator = options.multipartSeparator.map { Array($0.utf8) }
        let topic = options.topic.map { Array($0.utf8) }
        let interval = options.rate.map { Duration.nanoseconds(Int64(1e9 / $0)) }
        var poller = Poller()
        poller.add(socket, for: .writable)
        poller.add(fileDescriptor: session.signals.descriptor, for: .readable)
        let start = ContinuousClock.now
        var sent = 0
        while let message = try source.next() {
            // After a signal, the lines already read go out without pacing.
            if let interval { _ = session.waitForSignal(timeout: start + interval * sent - .now) }
            var frames = separator.map { Self.split(message, at: $0) } ?? [message]
            if let topic { frames.insert(topic, at: 0) }
            guard try send(frames, poller: &poller) else { return }
            sent += 1
        }
    }

    /// Queues `frames`, waiting while the socket cannot take them; returns
    /// `false` when a signal ended the run first, the message unsent.
    private func send(_ frames: [[UInt8]], poller: inout Poller) throws(ToolError) -> Bool {
        let deadline = sendTimeout.map { ContinuousClock.now + $0 }
        do {
            while true {
                if try socket.sendMultipart(frames, flags: .dontWait) { return true }
                if session.wasInterrupted { return false }
                let remaining = deadline.map { $0 - .now }
                if let remaining, remaining <= .zero { throw ToolError.failure(timeoutMessage) }
                _ = try poller.poll(timeout: remaining)
            }
        } catch let error as ToolError {
            throw error
        } catch let error as ZMQError {
            // The context was shut down by a signal that came before the loop began.
            if error.endsRun { return false }
            throw .zmq(error, while: "send to \(endpoint)")
        } catch {
            throw .failure("cannot send to \(endpoint): \(error)")
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
