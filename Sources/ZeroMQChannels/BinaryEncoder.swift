import ZeroMQ
/// The `Encoder` behind ``BinaryEventCodec``: writes tagged values in order.
///
/// Numbers, `Bool` and `String` go straight from the containers to the
/// ``BinaryPayloadWriter``: `Codable`'s per-type requirements
/// (`encode(_: Int64, forKey:)`, …) are all met by the one generic method
/// constrained to ``BinaryPayloadCodable``, so encoding such a field costs no
/// dynamic cast. Other values are checked once each for a direct form.
/// It is reused from value to value: ``reset()`` starts over in the same memory.
final class BinaryEncoder: Encoder {
    /// The bytes. Only this encoder and its containers touch it, one call at
    /// a time, so the runtime exclusivity check is left out.
    @exclusivity(unchecked) var writer = BinaryPayloadWriter()
    // Fields are written without keys, so there is no path to track.
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    @exclusivity(unchecked) private var keyedContainers = KeyedContainerCache()

    init() {}

    /// Starts a new value, keeping the memory.
    func reset() { writer.reset() }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        writer.beginStruct()
        return keyedContainers.container(keyedBy: type) { KeyedEncodingContainer(KeyedContainer<Key>(encoder: self)) }
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let countOffset = writer.count + 1
        writer.beginArray(count: 0)
        return UnkeyedContainer(encoder: self, countOffset: countOffset)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValue(encoder: self) }

    /// Writes one value of any kind: those that write themselves directly, the rest through `Encodable`.
    func write<T: Encodable>(_ value: T) throws {
        switch value {
        case let value as any BinaryPayloadCodable: value.write(to: &writer)
        case let value as any BinaryEncodableDictionary: try value.encodeBinary(to: self)
        default: try value.encode(to: self)
        }
    }

    func writeNil() { writer.writeNil() }

    private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        // Unretained: the encoder keeps this container (see KeyedContainerCache),
        // and containers are only used while the encoder encodes.
        unowned(unsafe) let encoder: BinaryEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil(forKey key: Key) throws { encoder.writeNil() }
        @inline(__always) mutating func encode<T: BinaryPayloadCodable>(_ value: T, forKey key: Key) throws {
            value.write(to: &encoder.writer)
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

        @inline(__always) private func present<T: BinaryPayloadCodable>(_ value: T?) {
            if let value { value.write(to: &encoder.writer) } else { encoder.writeNil() }
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
            encoder.writer.patch(UInt32(count), at: countOffset)
        }

        mutating func encodeNil() throws {
            encoder.writeNil()
            added()
        }
        @inline(__always) mutating func encode<T: BinaryPayloadCodable>(_ value: T) throws {
            value.write(to: &encoder.writer)
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
        @inline(__always) mutating func encode<T: BinaryPayloadCodable>(_ value: T) throws {
            value.write(to: &encoder.writer)
        }
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
        encoder.writer.beginArray(count: count)
        for (key, value) in self.sorted(by: { $0.key < $1.key }) {
            encoder.writer.string(key)
            try encoder.write(value)
        }
    }
}
