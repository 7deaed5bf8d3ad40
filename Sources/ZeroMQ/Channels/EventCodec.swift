import Foundation

/// Turns events into payload bytes and back. The codec's ``id`` travels in the
/// envelope, so a consumer can tell which codec wrote a payload.
public protocol EventCodec: Sendable {
    /// The id written into ``EventEnvelope/codecID``.
    var id: UInt8 { get }
    /// A short name for messages and logs, such as `json`.
    var name: String { get }
    /// Encodes `event` as payload bytes.
    func encode<Event: Encodable>(_ event: Event) throws(ChannelError) -> [UInt8]
    /// Decodes a payload into an event of `type`.
    func decode<Event: Decodable>(_ type: Event.Type, from bytes: UnsafeRawBufferPointer) throws(ChannelError) -> Event
}

/// JSON payloads: readable with `zmq sub`, and easy for any peer to write.
/// The default codec of every channel.
public struct JSONEventCodec: EventCodec {
    public var id: UInt8 { 1 }
    public var name: String { "json" }
    private let encoder: JSONEncoder
    private let decoder: JSONDecoder

    /// A JSON codec; pass your own encoder and decoder for date or key strategies.
    public init(encoder: JSONEncoder = JSONEncoder(), decoder: JSONDecoder = JSONDecoder()) {
        self.encoder = encoder
        self.decoder = decoder
    }

    public func encode<Event: Encodable>(_ event: Event) throws(ChannelError) -> [UInt8] {
        do {
            return Array(try encoder.encode(event))
        } catch {
            throw .codec(eventType: String(describing: Event.self), reason: "\(error)")
        }
    }

    public func decode<Event: Decodable>(_ type: Event.Type, from bytes: UnsafeRawBufferPointer) throws(ChannelError)
        -> Event
    {
        do {
            return try decoder.decode(type, from: Data(bytes))
        } catch {
            throw .codec(eventType: String(describing: Event.self), reason: "\(error)")
        }
    }
}

/// `bytes` as a string, or `nil` when they are not valid UTF-8. ASCII, the
/// common case for names and short texts, is checked and copied in one pass;
/// the standard library's validation is generic and costs more per call.
func utf8String(_ bytes: UnsafeRawBufferPointer) -> String? {
    if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
    return String(validating: bytes, as: UTF8.self)
}
