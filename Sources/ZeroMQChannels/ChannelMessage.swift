import ZeroMQ
/// A message in the channel wire format of ``Publisher`` and ``Pusher``,
/// `[topic + "."][envelope][payload]`, read without knowing the event type:
/// for tools, taps and meters that show or count what passes. The topic and
/// the envelope are decoded; the payload is left to the caller.
public struct ChannelMessage: Sendable {
    /// The topic's name, without the trailing `.` delimiter.
    public let topic: String
    /// The decoded envelope frame.
    public let envelope: EventEnvelope

    /// Recognises `frames` as a channel message (three frames, a UTF-8 topic
    /// frame ending in `.`, an envelope that decodes), or returns `nil`. The
    /// topic is not held to ``Topic``'s rules (segments, length), which a
    /// ``Subscriber`` checks: a tool shows what a peer sent, as it is.
    public init?(_ frames: [Message]) {
        guard frames.count == 3 else { return nil }
        let topicBytes = frames[0].bytes
        guard topicBytes.count >= 2, topicBytes.last == Topic.delimiter,
            let topic = String(validating: topicBytes.dropLast(), as: UTF8.self)
        else { return nil }
        guard let envelope = try? frames[1].withUnsafeBytes({ try EventEnvelope(decoding: $0) }) else { return nil }
        self.topic = topic
        self.envelope = envelope
    }

    /// The name of the payload's codec: `json`, `binary`, or `codec N` for
    /// one this module does not know.
    public var codecName: String { Self.codecNames[envelope.codecID] ?? "codec \(envelope.codecID)" }

    private static let codecNames: [UInt8: String] = [JSONEventCodec().id: "json", BinaryEventCodec().id: "binary"]
}
