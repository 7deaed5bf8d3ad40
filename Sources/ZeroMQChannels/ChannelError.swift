import ZeroMQ
/// Why a channel could not publish or deliver an event.
public enum ChannelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A topic name that breaks the rules of ``Topic``.
    case invalidTopic(String, reason: String)
    /// A frame that is not this package's wire format: names which frame and why.
    case malformedMessage(String)
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
        case .codec(let eventType, let reason): "cannot code event \(eventType): \(reason)"
        case .invalidMetadata(let reason): "invalid event metadata: \(reason)"
        case .timedOut(let what): "timed out: \(what)"
        }
    }
}
