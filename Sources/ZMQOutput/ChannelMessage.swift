import ZeroMQ

/// A message in the channel wire format of `Publisher` and `Pusher`:
/// `[topic + "."][envelope][payload]`, recognised by its envelope decoding.
struct ChannelMessage {
    /// The topic's name, without the trailing `.` delimiter.
    let topic: String
    /// The decoded envelope frame.
    let envelope: EventEnvelope

    /// Recognises `frames` as a channel message, or returns `nil`.
    init?(_ frames: [Message]) {
        guard frames.count == 3 else { return nil }
        let topicBytes = frames[0].bytes
        guard topicBytes.count >= 2, topicBytes.last == UInt8(ascii: "."),
            let topic = String(validating: topicBytes.dropLast(), as: UTF8.self)
        else { return nil }
        guard let envelope = try? frames[1].withUnsafeBytes({ try EventEnvelope(decoding: $0) }) else { return nil }
        self.topic = topic
        self.envelope = envelope
    }

    /// The name of the payload's codec, from the envelope's codec id.
    var codecName: String {
        switch envelope.codecID {
        case 1: "json"
        case 2: "binary"
        default: "codec \(envelope.codecID)"
        }
    }
}
