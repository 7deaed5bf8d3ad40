import ZeroMQ
/// Reads values in the binary format (``BinaryEventCodec``) from a payload,
/// bounds-checked: any bytes give values or a ``ChannelError/malformedPayload(_:)``, never a
/// crash. ``BinaryPayloadCodable`` types read their fields with it.
///
/// It reads memory it does not own: use it only while the decoder that passed
/// it to you is running.
public struct BinaryPayloadReader {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var offset = 0
    /// How deeply nested the value being read is, bounded so that nested
    /// garbage fails rather than overflows the stack.
    @usableFromInline var depth = 0

    @usableFromInline static let maxDepth = 64

    /// A reader of `bytes`, from the start.
    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset == bytes.count }
    /// How many bytes are left.
    public var remaining: Int { bytes.count - offset }

    /// Reads a value of `type`, such as a field of a ``BinaryPayloadCodable`` struct
    /// (an optional one reads `nil` from a null).
    @inlinable
    public mutating func read<Value: BinaryPayloadCodable>(_ type: Value.Type = Value.self) throws(ChannelError)
        -> Value
    {
        try enter()
        defer { depth -= 1 }
        return try Value.read(from: &self)
    }

    /// Goes one level deeper into nested values; undo with `depth -= 1`.
    /// Deeply nested garbage must fail, not overflow the stack.
    @inlinable
    mutating func enter() throws(ChannelError) {
        guard depth < Self.maxDepth else { throw ChannelError.malformedPayload("nested more than \(Self.maxDepth) levels deep") }
        depth += 1
    }

    /// Reads the start of a struct's fields, as ``BinaryPayloadWriter/beginStruct()`` wrote it.
    @inlinable
    public mutating func beginStruct() throws(ChannelError) { try expect(.object) }

    /// Consumes a null (an absent optional) if one is next.
    @inlinable
    public mutating func readNil() throws(ChannelError) -> Bool {
        guard try peekTag() == .null else { return false }
        offset += 1
        return true
    }

    @usableFromInline
    mutating func byte() throws(ChannelError) -> UInt8 {
        guard offset < bytes.count else { throw ChannelError.malformedPayload("unexpected end of data at byte \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    @usableFromInline
    func peekTag() throws(ChannelError) -> BinaryTag {
        guard offset < bytes.count else { throw ChannelError.malformedPayload("unexpected end of data at byte \(offset)") }
        guard let tag = BinaryTag(rawValue: bytes[offset]) else {
            throw ChannelError.malformedPayload("unknown tag \(bytes[offset]) at byte \(offset)")
        }
        return tag
    }

    /// Consumes `tag`, which must come next. Checks the byte first and
    /// describes a mismatch only when there is one.
    @inlinable
    mutating func expect(_ tag: BinaryTag) throws(ChannelError) {
        guard offset < bytes.count, bytes[offset] == tag.rawValue else { throw mismatch(expecting: tag) }
        offset += 1
    }

    @usableFromInline
    func mismatch(expecting tag: BinaryTag) -> ChannelError {
        do {
            return ChannelError.malformedPayload("expected \(tag) at byte \(offset), found \(try peekTag())")
        } catch {
            return error
        }
    }

    @inlinable
    mutating func varint() throws(ChannelError) -> UInt64 {
        // Most numbers of an event fit in one byte.
        if offset < bytes.count, bytes[offset] < 0x80 {
            offset += 1
            return UInt64(bytes[offset - 1])
        }
        return try longVarint()
    }

    @usableFromInline
    mutating func longVarint() throws(ChannelError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64, shift < 63 || next <= 1 else {
                throw ChannelError.malformedPayload("varint too long at byte \(offset)")
            }
            value |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return value }
            shift += 7
        }
    }

    @inlinable
    mutating func littleEndian<T: FixedWidthInteger>(_ type: T.Type) throws(ChannelError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw ChannelError.malformedPayload("unexpected end of data at byte \(offset)") }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    @usableFromInline
    mutating func string() throws(ChannelError) -> String {
        try expect(.string)
        let length = try varint()
        guard length <= UInt64(remaining) else {
            throw ChannelError.malformedPayload("string of \(length) bytes overruns the data")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(length))])
        offset += Int(length)
        guard let text = utf8String(slice) else {
            throw ChannelError.malformedPayload("string is not UTF-8")
        }
        return text
    }

    @inlinable
    mutating func signed() throws(ChannelError) -> Int64 {
        try expect(.signed)
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    @inlinable
    mutating func unsigned() throws(ChannelError) -> UInt64 {
        try expect(.unsigned)
        return try varint()
    }

    @inlinable
    mutating func bool() throws(ChannelError) -> Bool {
        guard offset < bytes.count else { throw ChannelError.malformedPayload("unexpected end of data at byte \(offset)") }
        switch bytes[offset] {
        case BinaryTag.true.rawValue: offset += 1; return true
        case BinaryTag.false.rawValue: offset += 1; return false
        default: throw ChannelError.malformedPayload("expected a Bool at byte \(offset), found \(bytes[offset])")
        }
    }

    @inlinable
    mutating func float() throws(ChannelError) -> Float {
        try expect(.float)
        return Float(bitPattern: try littleEndian(UInt32.self))
    }

    @inlinable
    mutating func double() throws(ChannelError) -> Double {
        try expect(.double)
        return Double(bitPattern: try littleEndian(UInt64.self))
    }

    /// Reads an array's element count, checked against the bytes left: every
    /// element takes at least `minimumElementSize` bytes, so a larger count is a lie.
    @usableFromInline
    mutating func arrayCount(minimumElementSize: Int = 1) throws(ChannelError) -> Int {
        try expect(.array)
        let count = try littleEndian(UInt32.self)
        // Compared as 64-bit numbers, so a count over Int.max on a 32-bit platform fails here too.
        guard UInt64(count) <= UInt64(remaining / minimumElementSize) else {
            throw ChannelError.malformedPayload("array of \(count) elements overruns the data")
        }
        return Int(count)
    }
}

/// `value` as `T`, or a ``ChannelError/malformedPayload(_:)`` when it does not fit.
@inlinable
func exactly<T: FixedWidthInteger, S: BinaryInteger>(_ value: S, as type: T.Type) throws(ChannelError) -> T {
    guard let result = T(exactly: value) else { throw ChannelError.malformedPayload("\(value) does not fit in \(T.self)") }
    return result
}
