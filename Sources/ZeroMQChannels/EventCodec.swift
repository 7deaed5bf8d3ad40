import ZeroMQ
/// Turns events into payload bytes and back. The codec's ``id`` travels in the
/// envelope, so a consumer can tell which codec wrote a payload.
///
/// A channel end asks its codec once for an ``EventEncoder`` or an
/// ``EventDecoder`` of its event type and keeps it: that is where a codec keeps
/// what it reuses from event to event (buffers, coders), or a faster way it
/// found for that type. A codec that needs neither implements only ``encode(_:)``
/// and ``decode(_:from:)``; the default encoder and decoder call them.
public protocol EventCodec: Sendable {
    /// The id written into ``EventEnvelope/codecID``.
    var id: UInt8 { get }
    /// A short name for messages and logs, such as `json`.
    var name: String { get }
    /// Encodes `event` as payload bytes.
    func encode<Event: Encodable>(_ event: Event) throws(ChannelError) -> [UInt8]
    /// Decodes a payload into an event of `type`.
    func decode<Event: Decodable>(_ type: Event.Type, from bytes: UnsafeRawBufferPointer) throws(ChannelError) -> Event
    /// The encoder one producer keeps for its events of `type`.
    func makeEncoder<Event: Encodable>(for type: Event.Type) -> any EventEncoder<Event>
    /// The decoder one consumer keeps for its events of `type`.
    func makeDecoder<Event: Decodable>(for type: Event.Type) -> any EventDecoder<Event>
}

/// Encodes one producer's events, one after another; made by
/// ``EventCodec/makeEncoder(for:)``. Used by one task or thread at a time.
public protocol EventEncoder<Event> {
    /// The type of event it encodes.
    associatedtype Event
    /// Replaces the contents of `payload` with the bytes of `event`; reusing
    /// `payload`'s storage saves an allocation per event.
    mutating func encode(_ event: Event, into payload: inout [UInt8]) throws(ChannelError)
}

/// Decodes one consumer's events, one after another; made by
/// ``EventCodec/makeDecoder(for:)``. Used by one task or thread at a time.
public protocol EventDecoder<Event> {
    /// The type of event it decodes.
    associatedtype Event
    /// Decodes the payload `bytes`, which are valid only during the call.
    mutating func decode(from bytes: UnsafeRawBufferPointer) throws(ChannelError) -> Event
}

extension EventCodec {
    /// An encoder that calls ``encode(_:)`` for each event.
    public func makeEncoder<Event: Encodable>(for type: Event.Type) -> any EventEncoder<Event> {
        EachEventEncoder(codec: self)
    }

    /// A decoder that calls ``decode(_:from:)`` for each event.
    public func makeDecoder<Event: Decodable>(for type: Event.Type) -> any EventDecoder<Event> {
        EachEventDecoder(codec: self)
    }
}

/// The default ``EventEncoder``: the codec's ``EventCodec/encode(_:)``, event by event.
struct EachEventEncoder<Codec: EventCodec, Event: Encodable>: EventEncoder {
    let codec: Codec
    func encode(_ event: Event, into payload: inout [UInt8]) throws(ChannelError) {
        payload = try codec.encode(event)
    }
}

/// The default ``EventDecoder``: the codec's ``EventCodec/decode(_:from:)``, event by event.
struct EachEventDecoder<Codec: EventCodec, Event: Decodable>: EventDecoder {
    let codec: Codec
    func decode(from bytes: UnsafeRawBufferPointer) throws(ChannelError) -> Event {
        try codec.decode(Event.self, from: bytes)
    }
}
