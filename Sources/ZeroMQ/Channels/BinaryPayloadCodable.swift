/// A value that writes and reads itself in the binary format of
/// ``BinaryEventCodec``, without going through `Codable`'s containers.
///
/// Numbers, `Bool`, `String`, and arrays of such values conform. An event
/// type can conform too, to be encoded and decoded several times faster than
/// through `Codable` (see the channel rows of the benchmark). It must write
/// the same bytes as its `Codable` form: ``BinaryPayloadWriter/beginStruct()``,
/// then each stored property in declaration order, the order `Codable`'s
/// synthesized `encode(to:)` uses. Consumers without the conformance then read
/// its payloads through `Codable`, and the other way round.
///
/// ```swift
/// extension CourierLocation: BinaryPayloadCodable {
///     func write(to writer: inout BinaryPayloadWriter) {
///         writer.beginStruct()
///         writer.write(courierID)
///         writer.write(latitude)
///         writer.write(note)  // String?: written as a null when absent
///     }
///     static func read(from reader: inout BinaryPayloadReader) throws(BinaryPayloadError) -> Self {
///         try reader.beginStruct()
///         return Self(courierID: try reader.read(), latitude: try reader.read(), note: try reader.read())
///     }
/// }
/// ```
public protocol BinaryPayloadCodable: Codable {
    /// Writes this value.
    func write(to writer: inout BinaryPayloadWriter)
    /// Reads a value; read nested values with the reader's `read(_:)`,
    /// which bounds how deeply they nest.
    static func read(from reader: inout BinaryPayloadReader) throws(BinaryPayloadError) -> Self
}

/// The tags of the binary format: each value starts with one.
@usableFromInline
enum BinaryTag: UInt8 {
    case null = 0, `false` = 1, `true` = 2, signed = 3, unsigned = 4, float = 5, double = 6
    case string = 7, array = 8, object = 9
}

extension BinaryPayloadCodable where Self: FixedWidthInteger & SignedInteger {
    @inlinable
    public func write(to writer: inout BinaryPayloadWriter) { writer.signed(Int64(self)) }
    @inlinable
    public static func read(from reader: inout BinaryPayloadReader) throws(BinaryPayloadError) -> Self {
        try exactly(reader.signed(), as: Self.self)
    }
}

extension BinaryPayloadCodable where Self: FixedWidthInteger & UnsignedInteger {
    @inlinable
    public func write(to writer: inout BinaryPayloadWriter) { writer.unsigned(UInt64(self)) }
    @inlinable
    public static func read(from reader: inout BinaryPayloadReader) throws(BinaryPayloadError) -> Self {
        try exactly(reader.unsigned(), as: Self.self)
    }
}

extension Int: BinaryPayloadCodable {}
extension Int8: BinaryPayloadCodable {}
extension Int16: BinaryPayloadCodable {}
extension Int32: BinaryPayloadCodable {}
extension Int64: BinaryPayloadCodable {}
extension UInt: BinaryPayloadCodable {}
extension UInt8: BinaryPayloadCodable {}
extension UInt16: BinaryPayloadCodable {}
extension UInt32: BinaryPayloadCodable {}
extension UInt64: BinaryPayloadCodable {}

extension Bool: BinaryPayloadCodable {
    @inlinable
    public func write(to writer: inout BinaryPayloadWriter) { writer.tag(self ? .true : .false) }
    @inlinable
    public static func read(from reader: inout BinaryPayloadReader) throws(BinaryPayloadError) -> Bool {
        try reader.bool()
    }
}

extension String: BinaryPayloadCodable {
    @inlinable
    public func write(to writer: inout BinaryPayloadWriter) { writer.string(self) }
    @inlinable
    public static func read(from reader: inout BinaryPayloadReader) throws(BinaryPayloadError) -> String {
        try reader.string()
    }
}

extension Double: BinaryPayloadCodable {
    @inlinable
    public func write(to writer: inout BinaryPayloadWriter) {
        writer.tag(.double)
        writer.littleEndian(bitPattern)
    }
    @inlinable
    public static func read(from reader: inout BinaryPayloadReader) throws(BinaryPayloadError) -> Double {
        try reader.double()
    }
}

extension Float: BinaryPayloadCodable {
    @inlinable
    public func write(to writer: inout BinaryPayloadWriter) {
        writer.tag(.float)
        writer.littleEndian(bitPattern)
    }
    @inlinable
    public static func read(from reader: inout BinaryPayloadReader) throws(BinaryPayloadError) -> Float {
        try reader.float()
    }
}

/// An array is its element count (4 bytes, little-endian) and its elements,
/// as `Codable`'s unkeyed container writes it.
extension Array: BinaryPayloadCodable where Element: BinaryPayloadCodable {
    @inlinable
    public func write(to writer: inout BinaryPayloadWriter) {
        writer.beginArray(count: count)
        for element in self { writer.write(element) }
    }
    @inlinable
    public static func read(from reader: inout BinaryPayloadReader) throws(BinaryPayloadError) -> [Element] {
        let count = try reader.arrayCount()
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try reader.read(Element.self)) }
        return elements
    }
}
