import ZeroMQ
/// Why a channel could not publish or deliver an event.
public enum ChannelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A topic name that breaks the rules of ``Topic``.
    case invalidTopic(String, reason: String)
    /// A frame that is not this package's wire format: names which frame and why.
    case malformedMessage(String)
    /// Bytes that are not a valid payload of the binary format
    /// (``BinaryEventCodec``, ``BinaryPayloadReader``): where the data ran
    /// out, which tag was found instead of the one expected, a number too
    /// large for its type, text that is not UTF-8.
    case malformedPayload(String)
    /// An event whose payload the codec could not encode or decode.
    case codec(eventType: String, reason: String)
    /// Event metadata that breaks the rules of ``EventMetadata``.
    case invalidMetadata(String)
    /// A wait that did not finish in time, such as ``Publisher/waitForSubscribers(_:timeout:)``.
    case timedOut(String)

    /// What went wrong, in one line: any text a peer sent is escaped and capped (`PeerText`).
    public var description: String {
        PeerText.escaped(unescapedDescription, limit: 1_024)
    }

    private var unescapedDescription: String {
        switch self {
        case .invalidTopic(let topic, let reason): "invalid topic \"\(topic)\": \(reason)"
        case .malformedMessage(let reason): "malformed channel message: \(reason)"
        case .malformedPayload(let reason): "malformed binary payload: \(reason)"
        case .codec(let eventType, let reason): "cannot code event \(eventType): \(reason)"
        case .invalidMetadata(let reason): "invalid event metadata: \(reason)"
        case .timedOut(let what): "timed out: \(what)"
        }
    }
}

/// What a codec's error says about a payload: the reason alone for a
/// ``ChannelError/malformedPayload(_:)``, so that ``ChannelError/codec(eventType:reason:)``
/// does not repeat "malformed binary payload"; the description otherwise.
func payloadReason(_ error: any Error) -> String {
    if case .malformedPayload(let reason)? = error as? ChannelError { return reason }
    return "\(error)"
}
