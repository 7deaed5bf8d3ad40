import ZeroMQ
/// Writes values in the binary format (``BinaryEventCodec``) into memory it
/// owns and grows: ``BinaryPayloadCodable`` types write their fields with it.
///
/// It writes with plain stores (appending to an array would check uniqueness
/// and capacity at every byte), and is reused from payload to payload:
/// ``reset()`` starts over in the same memory. It cannot be copied, since it
/// owns that memory.
public struct BinaryPayloadWriter: ~Copyable {
    @usableFromInline var start: UnsafeMutableRawPointer
    @usableFromInline var capacity: Int
    /// How many bytes have been written since the last ``reset()``.
    public var count: Int { written }
    @usableFromInline var written = 0

    /// An empty writer.
    public init() {
        capacity = 128
        start = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit { start.deallocate() }

    /// Calls `body` with the bytes written since the last ``reset()``, valid only during the call.
    public func withBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: start, count: written))
    }

    /// Appends the bytes written since the last ``reset()`` to `bytes`.
    func append(to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: start, count: written))
    }

    /// Starts a new payload, keeping the memory.
    public mutating func reset() { written = 0 }

    /// Writes `value`, such as a field of a ``BinaryPayloadCodable`` struct
    /// (an optional one writes a null for `nil`, which keeps its place).
    @inlinable
    public mutating func write<Value: BinaryPayloadCodable>(_ value: Value) { value.write(to: &self) }

    /// Starts a struct's fields, as a `Codable` struct's keyed container does;
    /// the fields follow in order, without their keys.
    @inlinable
    public mutating func beginStruct() { tag(.object) }

    /// Writes a null, as for an absent optional.
    @inlinable
    public mutating func writeNil() { tag(.null) }

    /// Room for `size` more bytes, counted as written.
    @inlinable @inline(__always)
    mutating func append(_ size: Int) -> UnsafeMutableRawPointer {
        if written + size > capacity { grow(to: written + size) }
        defer { written += size }
        return start + written
    }

    @usableFromInline
    mutating func grow(to needed: Int) {
        capacity = max(needed, capacity * 2)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        grown.copyMemory(from: start, byteCount: written)
        start.deallocate()
        start = grown
    }

    /// Overwrites 4 bytes written earlier, at `offset`, with `value` (little-endian).
    mutating func patch(_ value: UInt32, at offset: Int) {
        (start + offset).storeBytes(of: value.littleEndian, as: UInt32.self)
    }

    @inlinable
    mutating func tag(_ tag: BinaryTag) { append(1).storeBytes(of: tag.rawValue, as: UInt8.self) }

    @inlinable
    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            append(1).storeBytes(of: UInt8(truncatingIfNeeded: value) | 0x80, as: UInt8.self)
            value >>= 7
        }
        append(1).storeBytes(of: UInt8(value), as: UInt8.self)
    }

    @inlinable
    mutating func littleEndian<T: FixedWidthInteger>(_ value: T) {
        append(MemoryLayout<T>.size).storeBytes(of: value.littleEndian, as: T.self)
    }

    @inlinable
    mutating func string(_ value: String) {
        tag(.string)
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return }
            append(utf8.count).copyMemory(from: base, byteCount: utf8.count)
        }
    }

    @inlinable
    mutating func signed(_ value: Int64) {
        tag(.signed)
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inlinable
    mutating func unsigned(_ value: UInt64) {
        tag(.unsigned)
        varint(value)
    }

    /// Starts an array of `count` elements.
    @usableFromInline
    mutating func beginArray(count: Int) {
        tag(.array)
        littleEndian(UInt32(count))
    }
}
