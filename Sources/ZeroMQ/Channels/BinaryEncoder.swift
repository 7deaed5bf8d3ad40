/// The `Encoder` behind ``BinaryEventCodec``: writes tagged values in order.
final class BinaryEncoder: Encoder {
    let buffer: BinaryBuffer
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    init(buffer: BinaryBuffer = BinaryBuffer()) { self.buffer = buffer }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        buffer.tag(.object)
        return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        buffer.tag(.array)
        let countOffset = buffer.bytes.count
        buffer.littleEndian(UInt32(0))
        return UnkeyedContainer(encoder: self, countOffset: countOffset)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValue(encoder: self) }

    /// Writes one value of any kind: primitives directly, the rest through `Encodable`.
    func write<T: Encodable>(_ value: T) throws {
        switch value {
        case let value as String: buffer.string(value)
        case let value as Bool: buffer.tag(value ? .true : .false)
        case let value as Int: buffer.signed(Int64(value))
        case let value as Int64: buffer.signed(value)
        case let value as Int32: buffer.signed(Int64(value))
        case let value as Int16: buffer.signed(Int64(value))
        case let value as Int8: buffer.signed(Int64(value))
        case let value as UInt: buffer.unsigned(UInt64(value))
        case let value as UInt64: buffer.unsigned(value)
        case let value as UInt32: buffer.unsigned(UInt64(value))
        case let value as UInt16: buffer.unsigned(UInt64(value))
        case let value as UInt8: buffer.unsigned(UInt64(value))
        case let value as Double:
            buffer.tag(.double)
            buffer.littleEndian(value.bitPattern)
        case let value as Float:
            buffer.tag(.float)
            buffer.littleEndian(value.bitPattern)
        case let value as any BinaryEncodableDictionary: try value.encodeBinary(to: self)
        default: try value.encode(to: self)
        }
    }

    func writeNil() { buffer.tag(.null) }

    private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: BinaryEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil(forKey key: Key) throws { encoder.writeNil() }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try encoder.write(value) }
        // Absent optionals keep their place, since fields are written without keys.
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try encoder.write(value) } else { encoder.writeNil() }
        }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try present(value) }

        private func present<T: Encodable>(_ value: T?) throws {
            if let value { try encoder.write(value) } else { encoder.writeNil() }
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
            withUnsafeBytes(of: UInt32(count).littleEndian) { count in
                encoder.buffer.bytes.replaceSubrange(countOffset..<(countOffset + 4), with: count)
            }
        }

        mutating func encodeNil() throws {
            encoder.writeNil()
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
        encoder.buffer.tag(.array)
        encoder.buffer.littleEndian(UInt32(count))
        for (key, value) in self.sorted(by: { $0.key < $1.key }) {
            encoder.buffer.string(key)
            try encoder.write(value)
        }
    }
}
