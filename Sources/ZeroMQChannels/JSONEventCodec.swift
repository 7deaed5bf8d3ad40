import Foundation
import ZeroMQ

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
