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
        let encoder = BinaryEncoder()
        do {
            try event.encode(to: encoder)
        } catch {
            throw .codec(eventType: String(describing: Event.self), reason: "\(error)")
        }
        return encoder.buffer.bytes
    }

    public func decode<Event: Decodable>(_ type: Event.Type, from bytes: UnsafeRawBufferPointer) throws(ChannelError)
        -> Event
    {
        let decoder = BinaryDecoder(bytes: bytes)
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

/// The growing output of one encode.
final class BinaryBuffer {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(64) }

    func tag(_ tag: BinaryTag) { bytes.append(tag.rawValue) }

    func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    func littleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    func string(_ value: String) {
        tag(.string)
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    func signed(_ value: Int64) {
        tag(.signed)
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    func unsigned(_ value: UInt64) {
        tag(.unsigned)
        varint(value)
    }
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

    mutating func expect(_ tag: BinaryTag) throws {
        let found = try peekTag()
        guard found == tag else { throw BinaryCodingError("expected \(tag) at byte \(offset), found \(found)") }
        offset += 1
    }

    mutating func varint() throws -> UInt64 {
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
        var value = T.zero
        withUnsafeMutableBytes(of: &value) {
            $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + size)]))
        }
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
        guard let text = String(validating: slice, as: UTF8.self) else {
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
