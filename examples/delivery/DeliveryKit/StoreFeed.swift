import Foundation
import ZeroMQ
import ZeroMQChannels

/// One message of the store's committed feed, as the store publishes it: a
/// ``StoredEvent`` whose event is already JSON (the bytes the store just
/// wrote), so that publishing it costs no second encoding. Consumers read it
/// as a plain ``StoredEvent`` with the JSON codec.
struct FeedMessage: Encodable, Sendable {
    let sequence: Int64
    let recordedAt: Date
    let version: Int64
    /// The event's JSON, as ``DeliveryEvent`` encodes itself.
    let eventJSON: Data

    init(_ stored: StoredEvent, eventJSON: Data) {
        sequence = stored.sequence
        recordedAt = stored.recordedAt
        version = stored.version
        self.eventJSON = eventJSON
    }

    /// The same JSON the ``FeedCodec`` splices, the slow way (for any other encoder).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(try JSONDecoder().decode(DeliveryEvent.self, from: eventJSON), forKey: .event)
        try container.encode(recordedAt, forKey: .recordedAt)
        try container.encode(version, forKey: .version)
    }

    private enum CodingKeys: String, CodingKey { case sequence, event, recordedAt, version }

    /// `{"sequence":N,"event":EVENT,"recordedAt":SECONDS,"version":V}`: what `JSONEncoder`
    /// makes of a ``StoredEvent`` (a `Date` as seconds since 2001), spliced.
    var json: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(eventJSON.count + 64)
        bytes += Array("{\"sequence\":\(sequence),\"event\":".utf8)
        bytes += eventJSON
        bytes += Array(",\"recordedAt\":\(recordedAt.timeIntervalSinceReferenceDate),\"version\":\(version)}".utf8)
        return bytes
    }
}

/// The JSON codec (same id and name, read by ``JSONEventCodec``), which
/// writes a ``FeedMessage`` by splicing its event's JSON instead of encoding it again.
struct FeedCodec: EventCodec {
    private let json = JSONEventCodec()
    var id: UInt8 { json.id }
    var name: String { json.name }

    func encode<Event: Encodable>(_ event: Event) throws(ChannelError) -> [UInt8] {
        if let message = event as? FeedMessage { return message.json }
        return try json.encode(event)
    }

    func decode<Event: Decodable>(_ type: Event.Type, from bytes: UnsafeRawBufferPointer) throws(ChannelError)
        -> Event
    {
        try json.decode(type, from: bytes)
    }
}
