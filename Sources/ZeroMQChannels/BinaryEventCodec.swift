import ZeroMQ
/// Compact binary payloads for speed: each value is a one-byte tag followed by
/// its bytes (integers as LEB128 varints, zig-zag for signed ones; floats as
/// IEEE 754 bits, little-endian; strings as a varint length and UTF-8; arrays
/// as a 4-byte little-endian count and the elements). Struct fields are written
/// in the order `Codable` encodes them, without their keys, so both ends must
/// share the Swift type; optionals are written explicitly, so an absent field
/// keeps its place.
///
/// Enums with associated values (which `Codable` encodes by key) and
/// dictionaries with non-string keys are not supported and throw.
/// Any bytes decode to a value or a thrown ``ChannelError``, never a crash.
public struct BinaryEventCodec: EventCodec {
    public var id: UInt8 { 2 }
    public var name: String { "binary" }

    /// The binary codec.
    public init() {}

    public func encode<Event: Encodable>(_ event: Event) throws(ChannelError) -> [UInt8] {
        var bytes: [UInt8] = []
        var encoder = makeEncoder(for: Event.self)
        try encoder.encode(event, into: &bytes)
        return bytes
    }

    public func decode<Event: Decodable>(_ type: Event.Type, from bytes: UnsafeRawBufferPointer) throws(ChannelError)
        -> Event
    {
        var decoder = makeDecoder(for: type)
        return try decoder.decode(from: bytes)
    }

    /// An encoder that keeps its memory from event to event, and writes a
    /// ``BinaryPayloadCodable`` event directly rather than through `Codable`.
    public func makeEncoder<Event: Encodable>(for type: Event.Type) -> any EventEncoder<Event> {
        if let direct = Event.self as? any BinaryPayloadCodable.Type, let encoder = direct.directEncoder(as: type) {
            return encoder
        }
        return CodableBinaryEncoder<Event>()
    }

    /// A decoder that keeps its state from event to event, and reads a
    /// ``BinaryPayloadCodable`` event directly rather than through `Codable`.
    public func makeDecoder<Event: Decodable>(for type: Event.Type) -> any EventDecoder<Event> {
        if let direct = Event.self as? any BinaryPayloadCodable.Type, let decoder = direct.directDecoder(as: type) {
            return decoder
        }
        return CodableBinaryDecoder<Event>()
    }
}

/// Encodes events through `Codable`, with one ``BinaryEncoder`` for all of them.
final class CodableBinaryEncoder<Event: Encodable>: EventEncoder {
    private let encoder = BinaryEncoder()
    /// A string-keyed dictionary is written as key and value pairs, not through its `encode(to:)`.
    private let isDictionary = Event.self is any BinaryEncodableDictionary.Type

    func encode(_ event: Event, into payload: inout [UInt8]) throws(ChannelError) {
        encoder.reset()
        do {
            if isDictionary { try encoder.write(event) } else { try event.encode(to: encoder) }
        } catch {
            throw .codec(eventType: String(describing: Event.self), reason: payloadReason(error))
        }
        payload.removeAll(keepingCapacity: true)
        encoder.writer.append(to: &payload)
    }
}

/// Decodes events through `Codable`, with one ``BinaryDecoder`` for all of them.
final class CodableBinaryDecoder<Event: Decodable>: EventDecoder {
    private let decoder = BinaryDecoder()
    /// A string-keyed dictionary is read as key and value pairs, not through its `init(from:)`.
    private let isDictionary = Event.self is any BinaryDecodableDictionary.Type

    func decode(from bytes: UnsafeRawBufferPointer) throws(ChannelError) -> Event {
        decoder.start(bytes)
        do {
            let value = isDictionary ? try decoder.read(Event.self) : try Event(from: decoder)
            guard decoder.reader.isAtEnd else {
                throw ChannelError.malformedPayload("\(decoder.reader.remaining) bytes left over")
            }
            return value
        } catch {
            throw .codec(eventType: String(describing: Event.self), reason: payloadReason(error))
        }
    }
}

/// Encodes events that write themselves, with one writer for all of them.
final class DirectBinaryEncoder<Event: BinaryPayloadCodable>: EventEncoder {
    private var writer = BinaryPayloadWriter()

    func encode(_ event: Event, into payload: inout [UInt8]) throws(ChannelError) {
        writer.reset()
        writer.write(event)
        payload.removeAll(keepingCapacity: true)
        writer.append(to: &payload)
    }
}

/// Decodes events that read themselves.
struct DirectBinaryDecoder<Event: BinaryPayloadCodable>: EventDecoder {
    func decode(from bytes: UnsafeRawBufferPointer) throws(ChannelError) -> Event {
        var reader = BinaryPayloadReader(bytes)
        do {
            let value = try reader.read(Event.self)
            guard reader.isAtEnd else { throw ChannelError.malformedPayload("\(reader.remaining) bytes left over") }
            return value
        } catch {
            throw .codec(eventType: String(describing: Event.self), reason: payloadReason(error))
        }
    }
}

extension BinaryPayloadCodable {
    /// A ``DirectBinaryEncoder`` for `Event` when `Event` is `Self`.
    static func directEncoder<Event>(as type: Event.Type) -> (any EventEncoder<Event>)? {
        DirectBinaryEncoder<Self>() as? any EventEncoder<Event>
    }

    /// A ``DirectBinaryDecoder`` for `Event` when `Event` is `Self`.
    static func directDecoder<Event>(as type: Event.Type) -> (any EventDecoder<Event>)? {
        DirectBinaryDecoder<Self>() as? any EventDecoder<Event>
    }
}

/// The keyed containers a coder has made, one per key type. Making one looks
/// up generic metadata twice and allocates, while a container holds nothing
/// but its coder, so a coder reused from event to event (see
/// ``CodableBinaryEncoder`` and ``CodableBinaryDecoder``) makes each kind once.
struct KeyedContainerCache {
    private var entries: [(type: ObjectIdentifier, holder: AnyObject)] = []

    /// Keeps one container; its class is the only type information needed to get it back.
    private final class Holder<Container> {
        let container: Container
        init(_ container: Container) { self.container = container }
    }

    /// The container kept for `type`, or the one `make` makes, which is kept.
    mutating func container<Container>(keyedBy type: any CodingKey.Type, _ make: () -> Container) -> Container {
        let id = ObjectIdentifier(type)
        for entry in entries where entry.type == id {
            // Kept below for this key type, so of this container type: no dynamic cast needed.
            return unsafeDowncast(entry.holder, to: Holder<Container>.self).container
        }
        let container = make()
        // A bound, for payloads with many nested types: the rest are made each time.
        if entries.count < 16 { entries.append((id, Holder(container))) }
        return container
    }
}
