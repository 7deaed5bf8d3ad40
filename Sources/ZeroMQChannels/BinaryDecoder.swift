import ZeroMQ
/// The `Decoder` behind ``BinaryEventCodec``: reads tagged values in order.
///
/// Numbers, `Bool` and `String` are read by the containers directly from the
/// ``BinaryPayloadReader``, as ``BinaryEncoder`` writes them, with no dynamic
/// cast; other values are checked once each for a direct form
/// (``BinaryPayloadCodable``).
final class BinaryDecoder: Decoder {
    /// The bytes and the read position. Only this decoder and its containers
    /// touch it, one call at a time, so the runtime exclusivity check is left out.
    @exclusivity(unchecked) var reader = BinaryPayloadReader(UnsafeRawBufferPointer(start: nil, count: 0))
    // Fields are written without keys, so there is no path to track.
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    @exclusivity(unchecked) private var keyedContainers = KeyedContainerCache()

    /// A decoder to ``start(_:)`` on payloads, one after another.
    init() {}

    /// Prepares to read a value from `bytes`.
    func start(_ bytes: UnsafeRawBufferPointer) {
        reader = BinaryPayloadReader(bytes)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try reader.expect(.object)
        return keyedContainers.container(keyedBy: type) { KeyedDecodingContainer(KeyedContainer<Key>(decoder: self)) }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let count = try reader.arrayCount()
        return UnkeyedContainer(decoder: self, count: count)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValue(decoder: self)
    }

    /// Reads one value of any kind: those that read themselves directly, the rest through `Decodable`.
    func read<T: Decodable>(_ type: T.Type) throws -> T {
        switch type {
        case let direct as any BinaryPayloadCodable.Type: return try readDirect(direct) as! T
        case let dictionary as any BinaryDecodableDictionary.Type: return try dictionary.decodeBinary(from: self) as! T
        default:
            // Nesting is counted by the reader, for these values and those that read themselves alike.
            try reader.enter()
            defer { reader.depth -= 1 }
            return try T(from: self)
        }
    }

    private func readDirect<Value: BinaryPayloadCodable>(_ type: Value.Type) throws -> Value {
        try reader.read(type)
    }

    /// Consumes a null tag if one is next.
    func readNil() throws -> Bool { try reader.readNil() }

    private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        // Unretained: the decoder keeps this container (see KeyedContainerCache),
        // and containers are only used while the decoder decodes.
        unowned(unsafe) let decoder: BinaryDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }
        // Fields are positional: every key is "there"; enums keyed by case cannot be decoded.
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { try decoder.readNil() }
        @inline(__always) func decode<T: BinaryPayloadCodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try T.read(from: &decoder.reader)
        }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.read(type) }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            try decoder.readNil() ? nil : try decoder.read(type)
        }
        // The standard library's defaults for these would not read the null
        // tag the encoder writes for `nil`.
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(type) }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(type) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(type) }
        func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try present(type) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(type) }
        func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try present(type) }
        func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try present(type) }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try present(type) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(type) }
        func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try present(type) }
        func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try present(type) }
        func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try present(type) }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try present(type) }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try present(type) }

        @inline(__always) private func present<T: BinaryPayloadCodable>(_ type: T.Type) throws -> T? {
            try decoder.readNil() ? nil : try T.read(from: &decoder.reader)
        }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type, forKey key: Key
        ) throws -> KeyedDecodingContainer<NestedKey> { try decoder.container(keyedBy: type) }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try decoder.unkeyedContainer()
        }
        func superDecoder() throws -> any Decoder { decoder }
        func superDecoder(forKey key: Key) throws -> any Decoder { decoder }
    }

    private struct UnkeyedContainer: UnkeyedDecodingContainer {
        let decoder: BinaryDecoder
        let total: Int
        var codingPath: [any CodingKey] { decoder.codingPath }
        private(set) var currentIndex = 0

        init(decoder: BinaryDecoder, count: Int) {
            self.decoder = decoder
            total = count
        }

        var count: Int? { total }
        var isAtEnd: Bool { currentIndex >= total }

        private mutating func next() throws {
            guard !isAtEnd else { throw ChannelError.malformedPayload("array has only \(total) elements") }
            currentIndex += 1
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd else { throw ChannelError.malformedPayload("array has only \(total) elements") }
            let isNil = try decoder.readNil()
            if isNil { currentIndex += 1 }
            return isNil
        }
        @inline(__always) mutating func decode<T: BinaryPayloadCodable>(_ type: T.Type) throws -> T {
            try next()
            return try T.read(from: &decoder.reader)
        }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try next()
            return try decoder.read(type)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try next()
            return try decoder.container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try next()
            return try decoder.unkeyedContainer()
        }
        mutating func superDecoder() throws -> any Decoder {
            try next()
            return decoder
        }
    }

    private struct SingleValue: SingleValueDecodingContainer {
        let decoder: BinaryDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }

        func decodeNil() -> Bool { (try? decoder.readNil()) ?? false }
        @inline(__always) func decode<T: BinaryPayloadCodable>(_ type: T.Type) throws -> T {
            try T.read(from: &decoder.reader)
        }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.read(type) }
    }
}

/// Reads what ``BinaryEncodableDictionary`` writes.
protocol BinaryDecodableDictionary {
    static func decodeBinary(from decoder: BinaryDecoder) throws -> Self
}

extension Dictionary: BinaryDecodableDictionary where Key == String, Value: Decodable {
    static func decodeBinary(from decoder: BinaryDecoder) throws -> Self {
        // Every entry is a key and a value, at least a byte each.
        let count = try decoder.reader.arrayCount(minimumElementSize: 2)
        var result: [String: Value] = [:]
        for _ in 0..<count {
            let key = try decoder.reader.string()
            result[key] = try decoder.read(Value.self)
        }
        return result
    }
}
