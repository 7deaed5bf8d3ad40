import ZeroMQ
/// A value that writes and reads itself in the binary format of
/// ``BinaryEventCodec``, without going through `Codable`'s containers.
///
/// Numbers, `Bool`, `String`, and optionals and arrays of such values conform.
/// An event type can conform too, so that a channel encodes and decodes it
/// without `Codable`'s type-erased containers (the benchmark's channel rows
/// compare the two). It must write the same bytes as its `Codable` form:
/// ``BinaryPayloadWriter/beginStruct()``, then its properties in the order of
/// its `CodingKeys` (declaration order, when they are synthesized), each as its
/// own `Codable` form writes it (a `Date` as its `Double`, a `UUID` as its
/// string, an enum as its raw value). Consumers without the conformance then
/// read its payloads through `Codable`, and the other way round. String-keyed
/// dictionaries have no direct form: a type holding one stays with `Codable`.
///
/// ```swift
/// extension CourierLocation: BinaryPayloadCodable {
///     func write(to writer: inout BinaryPayloadWriter) {
///         writer.beginStruct()
///         writer.write(courierID)
///         writer.write(latitude)
///         writer.write(note)  // a String?: a null when absent
///     }
///     static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Self {
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
    static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Self
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
    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Self {
        try exactly(reader.signed(), as: Self.self)
    }
}

extension BinaryPayloadCodable where Self: FixedWidthInteger & UnsignedInteger {
    @inlinable
    public func write(to writer: inout BinaryPayloadWriter) { writer.unsigned(UInt64(self)) }
    @inlinable
    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Self {
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
    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Bool {
        try reader.bool()
    }
}

extension String: BinaryPayloadCodable {
    @inlinable
    public func write(to writer: inout BinaryPayloadWriter) { writer.string(self) }
    @inlinable
    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> String {
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
    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Double {
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
    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Float {
        try reader.float()
    }
}

/// An optional is a null or its value, as `Codable` writes it.
extension Optional: BinaryPayloadCodable where Wrapped: BinaryPayloadCodable {
    @inlinable
    public func write(to writer: inout BinaryPayloadWriter) {
        if let self { self.write(to: &writer) } else { writer.writeNil() }
    }
    @inlinable
    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Wrapped? {
        try reader.readNil() ? nil : try Wrapped.read(from: &reader)
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
    public static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> [Element] {
        let count = try reader.arrayCount()
        var elements: [Element] = []
        // The count is only known not to exceed the bytes left: reserve no
        // more than a bounded amount on its word.
        elements.reserveCapacity(Swift.min(count, 1024))
        for _ in 0..<count { elements.append(try reader.read(Element.self)) }
        return elements
    }
}
