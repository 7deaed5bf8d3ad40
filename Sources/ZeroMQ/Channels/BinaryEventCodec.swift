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
        try encode(event, into: &bytes, with: BinaryEncoder())
        return bytes
    }

    public func decode<Event: Decodable>(_ type: Event.Type, from bytes: UnsafeRawBufferPointer) throws(ChannelError)
        -> Event
    {
        try decode(type, from: bytes, with: BinaryDecoder())
    }

    /// Replaces `bytes` with the payload of `event`, reusing their storage and
    /// `encoder`: how a producer encodes event after event without allocating.
    func encode<Event: Encodable>(
        _ event: Event, into bytes: inout [UInt8], with encoder: BinaryEncoder
    ) throws(ChannelError) {
        encoder.reset()
        do {
            try event.encode(to: encoder)
        } catch {
            throw .codec(eventType: String(describing: Event.self), reason: "\(error)")
        }
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: encoder.bytes)
    }

    /// Decodes a payload with `decoder`, which a consumer keeps from event to event.
    @usableFromInline
    func decode<Event: Decodable>(
        _ type: Event.Type, from bytes: UnsafeRawBufferPointer, with decoder: BinaryDecoder
    ) throws(ChannelError) -> Event {
        decoder.start(bytes)
        do {
            let value = try Event(from: decoder)
            guard decoder.reader.isAtEnd else {
                throw BinaryCodingError("\(decoder.reader.remaining) bytes left over")
            }
            return value
        } catch {
            throw .codec(eventType: String(describing: Event.self), reason: "\(error)")
        }
    }
}

/// The keyed containers a coder has made, one per key type. Making one looks
/// up generic metadata twice and allocates, while a container holds nothing
/// but its coder, so a coder reused from event to event (see
/// ``EventWriter`` and ``EventReader``) makes each kind once.
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

/// A failure of the binary format, with what was wrong.
struct BinaryCodingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The tags of the binary format.
enum BinaryTag: UInt8 {
    case null = 0, `false` = 1, `true` = 2, signed = 3, unsigned = 4, float = 5, double = 6
    case string = 7, array = 8, object = 9
}

/// A value the binary format writes and reads itself (numbers, `Bool`,
/// `String`), without going through `Codable`.
protocol BinaryPrimitive: Codable {
    func write(to encoder: BinaryEncoder)
    static func read(from decoder: BinaryDecoder) throws -> Self
}

extension BinaryPrimitive where Self: FixedWidthInteger & SignedInteger {
    func write(to encoder: BinaryEncoder) { encoder.signed(Int64(self)) }
    static func read(from decoder: BinaryDecoder) throws -> Self { try exactly(decoder.reader.signed(), as: Self.self) }
}

extension BinaryPrimitive where Self: FixedWidthInteger & UnsignedInteger {
    func write(to encoder: BinaryEncoder) { encoder.unsigned(UInt64(self)) }
    static func read(from decoder: BinaryDecoder) throws -> Self {
        try exactly(decoder.reader.unsigned(), as: Self.self)
    }
}

extension Int: BinaryPrimitive {}
extension Int8: BinaryPrimitive {}
extension Int16: BinaryPrimitive {}
extension Int32: BinaryPrimitive {}
extension Int64: BinaryPrimitive {}
extension UInt: BinaryPrimitive {}
extension UInt8: BinaryPrimitive {}
extension UInt16: BinaryPrimitive {}
extension UInt32: BinaryPrimitive {}
extension UInt64: BinaryPrimitive {}

extension Bool: BinaryPrimitive {
    func write(to encoder: BinaryEncoder) { encoder.tag(self ? .true : .false) }
    static func read(from decoder: BinaryDecoder) throws -> Bool { try decoder.reader.bool() }
}

extension String: BinaryPrimitive {
    func write(to encoder: BinaryEncoder) { encoder.string(self) }
    static func read(from decoder: BinaryDecoder) throws -> String { try decoder.reader.string() }
}

extension Double: BinaryPrimitive {
    func write(to encoder: BinaryEncoder) {
        encoder.tag(.double)
        encoder.littleEndian(bitPattern)
    }
    static func read(from decoder: BinaryDecoder) throws -> Double { try decoder.reader.double() }
}

extension Float: BinaryPrimitive {
    func write(to encoder: BinaryEncoder) {
        encoder.tag(.float)
        encoder.littleEndian(bitPattern)
    }
    static func read(from decoder: BinaryDecoder) throws -> Float { try decoder.reader.float() }
}

/// Reads the binary format, bounds-checked.
struct BinaryReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    var isAtEnd: Bool { offset == bytes.count }
    var remaining: Int { bytes.count - offset }

    mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw BinaryCodingError("unexpected end of data at byte \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    func peekTag() throws -> BinaryTag {
        guard offset < bytes.count else { throw BinaryCodingError("unexpected end of data at byte \(offset)") }
        guard let tag = BinaryTag(rawValue: bytes[offset]) else {
            throw BinaryCodingError("unknown tag \(bytes[offset]) at byte \(offset)")
        }
        return tag
    }

    /// Consumes `tag`, which must come next. Checks the byte first and
    /// describes a mismatch only when there is one.
    mutating func expect(_ tag: BinaryTag) throws {
        guard offset < bytes.count, bytes[offset] == tag.rawValue else { throw mismatch(expecting: tag) }
        offset += 1
    }

    private func mismatch(expecting tag: BinaryTag) -> any Error {
        do {
            return BinaryCodingError("expected \(tag) at byte \(offset), found \(try peekTag())")
        } catch {
            return error
        }
    }

    mutating func varint() throws -> UInt64 {
        // Most numbers of an event fit in one byte.
        if offset < bytes.count, bytes[offset] < 0x80 {
            offset += 1
            return UInt64(bytes[offset - 1])
        }
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64, shift < 63 || next <= 1 else {
                throw BinaryCodingError("varint too long at byte \(offset)")
            }
            value |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func littleEndian<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw BinaryCodingError("unexpected end of data at byte \(offset)") }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    mutating func string() throws -> String {
        try expect(.string)
        let length = try varint()
        guard length <= UInt64(remaining) else {
            throw BinaryCodingError("string of \(length) bytes overruns the data")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(length))])
        offset += Int(length)
        guard let text = utf8String(slice) else {
            throw BinaryCodingError("string is not UTF-8")
        }
        return text
    }

    mutating func signed() throws -> Int64 {
        try expect(.signed)
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func unsigned() throws -> UInt64 {
        try expect(.unsigned)
        return try varint()
    }

    mutating func bool() throws -> Bool {
        switch try peekTag() {
        case .true: offset += 1; return true
        case .false: offset += 1; return false
        case let other: throw BinaryCodingError("expected a Bool at byte \(offset), found \(other)")
        }
    }

    mutating func float() throws -> Float {
        try expect(.float)
        return Float(bitPattern: try littleEndian(UInt32.self))
    }

    mutating func double() throws -> Double {
        try expect(.double)
        return Double(bitPattern: try littleEndian(UInt64.self))
    }
}

func exactly<T: FixedWidthInteger, S: BinaryInteger>(_ value: S, as type: T.Type) throws -> T {
    guard let result = T(exactly: value) else { throw BinaryCodingError("\(value) does not fit in \(T.self)") }
    return result
}
