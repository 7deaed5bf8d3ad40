/// The `Encoder` behind ``BinaryEventCodec``: writes tagged values in order.
///
/// Primitive values (``BinaryPrimitive``) go straight from the containers to
/// the bytes: `Codable`'s per-type requirements (`encode(_: Int64, forKey:)`,
/// …) are all met by the one generic method constrained to `BinaryPrimitive`,
/// so encoding a field costs no dynamic cast.
///
/// It writes into memory it owns and grows, with plain stores (appending to
/// an array checks uniqueness and capacity at every byte), and is reused
/// from value to value: ``reset()`` starts over in the same memory.
final class BinaryEncoder: Encoder {
    private var start: UnsafeMutableRawPointer
    private var capacity: Int
    /// How many bytes have been written.
    private(set) var count = 0
    // Fields are written without keys, so there is no path to track.
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    // Only this encoder and its containers touch it, one call at a time, so
    // the runtime exclusivity check is left out.
    @exclusivity(unchecked) private var keyedContainers = KeyedContainerCache()

    init() {
        capacity = 128
        start = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit { start.deallocate() }

    /// The bytes written since the last ``reset()``, valid until the next write.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: start, count: count) }

    /// Starts a new value, keeping the memory.
    func reset() { count = 0 }

    /// Room for `size` more bytes, counted as written.
    @inline(__always)
    private func append(_ size: Int) -> UnsafeMutableRawPointer {
        if count + size > capacity { grow(to: count + size) }
        defer { count += size }
        return start + count
    }

    private func grow(to needed: Int) {
        capacity = max(needed, capacity * 2)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        grown.copyMemory(from: start, byteCount: count)
        start.deallocate()
        start = grown
    }

    /// Overwrites 4 bytes written earlier, at `offset`, with `value` (little-endian).
    func patch(_ value: UInt32, at offset: Int) {
        (start + offset).storeBytes(of: value.littleEndian, as: UInt32.self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        tag(.object)
        return keyedContainers.container(keyedBy: type) { KeyedEncodingContainer(KeyedContainer<Key>(encoder: self)) }
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        tag(.array)
        let countOffset = count
        littleEndian(UInt32(0))
        return UnkeyedContainer(encoder: self, countOffset: countOffset)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValue(encoder: self) }

    /// Writes one value of any kind: primitives directly, the rest through `Encodable`.
    func write<T: Encodable>(_ value: T) throws {
        switch value {
        case let value as any BinaryPrimitive: value.write(to: self)
        case let value as any BinaryEncodableDictionary: try value.encodeBinary(to: self)
        default: try value.encode(to: self)
        }
    }

    func writeNil() { tag(.null) }

    func tag(_ tag: BinaryTag) { append(1).storeBytes(of: tag.rawValue, as: UInt8.self) }

    func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            append(1).storeBytes(of: UInt8(truncatingIfNeeded: value) | 0x80, as: UInt8.self)
            value >>= 7
        }
        append(1).storeBytes(of: UInt8(value), as: UInt8.self)
    }

    func littleEndian<T: FixedWidthInteger>(_ value: T) {
        append(MemoryLayout<T>.size).storeBytes(of: value.littleEndian, as: T.self)
    }

    func string(_ value: String) {
        tag(.string)
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return }
            append(utf8.count).copyMemory(from: base, byteCount: utf8.count)
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

    private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        // Unretained: the encoder keeps this container (see KeyedContainerCache),
        // and containers are only used while the encoder encodes.
        unowned(unsafe) let encoder: BinaryEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil(forKey key: Key) throws { encoder.writeNil() }
        @inline(__always) mutating func encode<T: BinaryPrimitive>(_ value: T, forKey key: Key) throws {
            value.write(to: encoder)
        }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try encoder.write(value) }
        // Absent optionals keep their place, since fields are written without keys.
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try encoder.write(value) } else { encoder.writeNil() }
        }
        // The standard library's defaults for these skip `nil`; each must be
        // implemented to keep the absent value's place.
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { present(value) }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { present(value) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { present(value) }
        mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { present(value) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { present(value) }
        mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { present(value) }
        mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { present(value) }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { present(value) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { present(value) }
        mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { present(value) }
        mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { present(value) }
        mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { present(value) }
        mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { present(value) }
        mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { present(value) }

        @inline(__always) private func present<T: BinaryPrimitive>(_ value: T?) {
            if let value { value.write(to: encoder) } else { encoder.writeNil() }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> { encoder.container(keyedBy: keyType) }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            encoder.unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { encoder }
        mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
    }

    private struct UnkeyedContainer: UnkeyedEncodingContainer {
        let encoder: BinaryEncoder
        let countOffset: Int
        var codingPath: [any CodingKey] { encoder.codingPath }
        private(set) var count = 0

        init(encoder: BinaryEncoder, countOffset: Int) {
            self.encoder = encoder
            self.countOffset = countOffset
        }

        /// Each element bumps the count written before the elements.
        private mutating func added() {
            count += 1
            encoder.patch(UInt32(count), at: countOffset)
        }

        mutating func encodeNil() throws {
            encoder.writeNil()
            added()
        }
        @inline(__always) mutating func encode<T: BinaryPrimitive>(_ value: T) throws {
            value.write(to: encoder)
            added()
        }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try encoder.write(value)
            added()
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            added()
            return encoder.container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            added()
            return encoder.unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder {
            added()
            return encoder
        }
    }

    private struct SingleValue: SingleValueEncodingContainer {
        let encoder: BinaryEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil() throws { encoder.writeNil() }
        @inline(__always) mutating func encode<T: BinaryPrimitive>(_ value: T) throws { value.write(to: encoder) }
        mutating func encode<T: Encodable>(_ value: T) throws { try encoder.write(value) }
    }
}

/// String-keyed dictionaries are written as a count and key/value pairs: their
/// keys are data, not field names, so they cannot be left out like a struct's.
protocol BinaryEncodableDictionary {
    func encodeBinary(to encoder: BinaryEncoder) throws
}

extension Dictionary: BinaryEncodableDictionary where Key == String, Value: Encodable {
    func encodeBinary(to encoder: BinaryEncoder) throws {
        encoder.tag(.array)
        encoder.littleEndian(UInt32(count))
        for (key, value) in self.sorted(by: { $0.key < $1.key }) {
            encoder.string(key)
            try encoder.write(value)
        }
    }
}
