import Foundation
import Testing
import ZeroMQ
import ZeroMQChannels

/// A parcel through `Codable` only.
struct Parcel: Codable, Sendable, Equatable {
    struct Stop: Codable, Sendable, Equatable {
        var name: String
        var latitude: Double
    }
    var id: UInt64
    var courier: Int32?
    var stops: [Stop]
    var weight: Float
    var fragile: Bool
    var note: String?
    var attempts: [UInt8]
    var offset: Int64
}

/// The same fields, written and read by hand: its bytes must be `Parcel`'s.
struct SelfCodedParcel: BinaryPayloadCodable, Sendable, Equatable {
    struct Stop: BinaryPayloadCodable, Sendable, Equatable {
        var name: String
        var latitude: Double

        func write(to writer: inout BinaryPayloadWriter) {
            writer.beginStruct()
            writer.write(name)
            writer.write(latitude)
        }

        static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Stop {
            try reader.beginStruct()
            return Stop(name: try reader.read(), latitude: try reader.read())
        }
    }
    var id: UInt64
    var courier: Int32?
    var stops: [Stop]
    var weight: Float
    var fragile: Bool
    var note: String?
    var attempts: [UInt8]
    var offset: Int64

    func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        writer.write(id)
        writer.write(courier)
        writer.write(stops)
        writer.write(weight)
        writer.write(fragile)
        writer.write(note)
        writer.write(attempts)
        writer.write(offset)
    }

    static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> SelfCodedParcel {
        try reader.beginStruct()
        return SelfCodedParcel(
            id: try reader.read(), courier: try reader.read(), stops: try reader.read(), weight: try reader.read(),
            fragile: try reader.read(), note: try reader.read(), attempts: try reader.read(), offset: try reader.read())
    }

    init(
        id: UInt64, courier: Int32?, stops: [Stop], weight: Float, fragile: Bool, note: String?, attempts: [UInt8],
        offset: Int64
    ) {
        (self.id, self.courier, self.stops, self.weight) = (id, courier, stops, weight)
        (self.fragile, self.note, self.attempts, self.offset) = (fragile, note, attempts, offset)
    }

    init(_ parcel: Parcel) {
        self.init(
            id: parcel.id, courier: parcel.courier,
            stops: parcel.stops.map { Stop(name: $0.name, latitude: $0.latitude) },
            weight: parcel.weight, fragile: parcel.fragile, note: parcel.note, attempts: parcel.attempts,
            offset: parcel.offset)
    }
}

/// A value with only its own binary coding: its `Codable` methods throw.
struct OnlySelfCoded: BinaryPayloadCodable, Sendable, Equatable {
    var number: Int

    init(number: Int) { self.number = number }

    struct NotCodable: Error {}
    func encode(to encoder: any Encoder) throws { throw NotCodable() }
    init(from decoder: any Decoder) throws { throw NotCodable() }

    func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        writer.write(number)
    }

    static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> OnlySelfCoded {
        try reader.beginStruct()
        return OnlySelfCoded(number: try reader.read())
    }
}

/// A tree, to check that nesting is bounded when a value reads itself.
struct Branch: BinaryPayloadCodable, Equatable {
    var children: [Branch]

    func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        writer.write(children)
    }

    static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Branch {
        try reader.beginStruct()
        return Branch(children: try reader.read())
    }

    static func chain(depth: Int) -> Branch {
        var branch = Branch(children: [])
        for _ in 0..<depth { branch = Branch(children: [branch]) }
        return branch
    }
}

@Suite("Values that write and read themselves in the binary format")
struct BinaryPayloadTests {
    static let parcels = [
        Parcel(
            id: 1, courier: nil, stops: [], weight: 0.5, fragile: false, note: nil, attempts: [], offset: 0),
        Parcel(
            id: .max, courier: -7,
            stops: [.init(name: "Depot", latitude: 52.37), .init(name: "Café ☕", latitude: -33.9)],
            weight: -1e30, fragile: true, note: String(repeating: "ü", count: 300), attempts: [0, 1, 255],
            offset: .min),
    ]

    @Test(arguments: parcels)
    func aSelfCodedValueWritesTheBytesOfItsCodableForm(parcel: Parcel) throws {
        let codec = BinaryEventCodec()
        let codable = try codec.encode(parcel)
        // Its own write and read, called directly (the codec could take either path).
        var writer = BinaryPayloadWriter()
        writer.write(SelfCodedParcel(parcel))
        #expect(writer.withBytes { Array($0) } == codable)
        var reader = BinaryPayloadReader(UnsafeRawBufferPointer(start: nil, count: 0))
        let read = try codable.withUnsafeBytes { bytes in
            reader = BinaryPayloadReader(bytes)
            return try reader.read(SelfCodedParcel.self)
        }
        #expect(read == SelfCodedParcel(parcel))
        #expect(reader.isAtEnd)
        // Through the codec, each reads the other's bytes.
        let selfCoded = try codec.encode(SelfCodedParcel(parcel))
        #expect(selfCoded == codable)
        #expect(try selfCoded.withUnsafeBytes { try codec.decode(Parcel.self, from: $0) } == parcel)
    }

    /// The codec and the channel ends use a type's own coding when it has one:
    /// this type's `Codable` methods throw.
    @Test(.timeLimit(.minutes(1)))
    func theBinaryCodecUsesATypesOwnCoding() async throws {
        let codec = BinaryEventCodec()
        let ping = OnlySelfCoded(number: 7)
        #expect(throws: (any Error).self) { try JSONEventCodec().encode(ping) }
        let bytes = try codec.encode(ping)
        #expect(try bytes.withUnsafeBytes { try codec.decode(OnlySelfCoded.self, from: $0) } == ping)
        let context = try Context()
        let publisher = try Publisher<OnlySelfCoded>(context: context, .bind(uniqueInproc()), codec: codec)
        let subscriber = try Subscriber<OnlySelfCoded>(
            context: context, .connect(publisher.endpoint), codec: codec, undecodable: .throwError)
        try await publisher.waitForSubscribers(1, timeout: testTimeout)
        try #require(try publisher.publish(ping, to: "pings") != nil)
        #expect(try await subscriber.next()?.event == ping)
    }

    /// The bytes of the binary format, pinned: every tag, as the README's peers
    /// and deployed consumers read them.
    @Test func theBinaryFormatIsStable() throws {
        struct Everything: Codable {
            struct Inner: Codable { var flag: Bool }
            var unsigned: UInt16 = 300
            var signed: Int = -2
            var float: Float = 1.5
            var double: Double = -0.25
            var yes = true
            var no = false
            var text = "hé"
            var absent: Int? = nil
            var list: [[UInt8]] = [[1], []]
            var inner = Inner(flag: true)
            var table: [String: Int8] = ["b": 1, "a": -1]
        }
        let bytes = try BinaryEventCodec().encode(Everything())
        let expected: [UInt8] =
            [9]  // object
            + [4, 0xAC, 0x02]  // unsigned 300
            + [3, 3]  // signed -2 (zig-zag 3)
            + [5, 0x00, 0x00, 0xC0, 0x3F]  // float 1.5, little-endian
            + [6, 0, 0, 0, 0, 0, 0, 0xD0, 0xBF]  // double -0.25
            + [2, 1]  // true, false
            + [7, 3, 0x68, 0xC3, 0xA9]  // "hé"
            + [0]  // nil
            + [8, 2, 0, 0, 0, 8, 1, 0, 0, 0, 4, 1, 8, 0, 0, 0, 0]  // [[1], []]
            + [9, 2]  // nested object { true }
            + [8, 2, 0, 0, 0, 7, 1, 0x61, 3, 1, 7, 1, 0x62, 3, 2]  // ["a": -1, "b": 1], keys sorted
        #expect(bytes == expected)
    }

    /// A string-keyed dictionary as the whole event: written as key and value pairs, read back.
    @Test func aDictionaryEventRoundTrips() throws {
        let codec = BinaryEventCodec()
        let table: [String: Int64] = ["big": .max, "small": .min, "": 0]
        let bytes = try codec.encode(table)
        #expect(try bytes.withUnsafeBytes { try codec.decode([String: Int64].self, from: $0) } == table)
    }

    /// A publisher at its high-water mark drops, counts the drop, and does not
    /// use up a sequence number: the subscriber sees no gap.
    @Test(.timeLimit(.minutes(1)))
    func aDroppedEventUsesNoSequenceNumber() async throws {
        let context = try Context()
        let publisher = try Publisher<SelfCodedParcel>(
            context: context, .bind(uniqueInproc()), codec: BinaryEventCodec()
        ) { (socket) throws(ZMQError) in try socket.set(.sendHighWaterMark, 1) }
        let subscriber = try Subscriber<SelfCodedParcel>(
            context: context, .connect(publisher.endpoint), codec: BinaryEventCodec()
        ) { (socket) throws(ZMQError) in try socket.set(.receiveHighWaterMark, 1) }
        try await publisher.waitForSubscribers(1, timeout: testTimeout)
        let parcel = SelfCodedParcel(Self.parcels[0])
        var sent = 0
        while try publisher.publish(parcel, to: "parcels") != nil {
            sent += 1
            try #require(sent < 100_000, "the high-water mark never took effect")
        }
        try #require(sent > 0)
        #expect(publisher.counters.dropped == 1)
        #expect(publisher.counters.sent == UInt64(sent))
        var sequences: [UInt64] = []
        for _ in 0..<sent { sequences.append(try #require(try await subscriber.next()).envelope.sequence) }
        #expect(sequences == Array(1...UInt64(sent)))
        // The publisher learns that the queue has room a little later: more drops until then.
        let deadline = ContinuousClock.now + testTimeout
        var next = try publisher.publish(parcel, to: "parcels")
        while next == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
            next = try publisher.publish(parcel, to: "parcels")
        }
        #expect(try #require(next).sequence == UInt64(sent) + 1)
        #expect(try await subscriber.next()?.missedBefore == 0)
        #expect(subscriber.counters.gaps == 0)
    }

    @Test func theWriterAndReaderWorkOnTheirOwn() throws {
        var writer = BinaryPayloadWriter()
        writer.write(Int8(-3))
        writer.write(Optional<String>.none)
        writer.write(["a", "bc"])
        writer.write([1, nil, 3] as [Int?])
        let bytes = writer.withBytes { Array($0) }
        #expect(bytes == [3, 5, 0, 8, 2, 0, 0, 0, 7, 1, 97, 7, 2, 98, 99, 8, 3, 0, 0, 0, 3, 2, 0, 3, 6])
        try bytes.withUnsafeBytes { (bytes) throws in
            var reader = BinaryPayloadReader(bytes)
            #expect(try reader.read(Int8.self) == -3)
            #expect(try reader.read(String?.self) == nil)
            #expect(try reader.read([String].self) == ["a", "bc"])
            #expect(try reader.read([Int?].self) == [1, nil, 3])
            #expect(reader.isAtEnd)
        }
        writer.reset()
        #expect(writer.count == 0)
        // Past the first buffer: the writer grows and keeps what it wrote.
        let long = String(repeating: "x", count: 10_000)
        writer.write(long)
        try writer.withBytes { (bytes) throws in
            var reader = BinaryPayloadReader(bytes)
            #expect(try reader.read(String.self) == long)
        }
    }

    @Test func badBytesAreRejectedWithTheReason() throws {
        let codec = BinaryEventCodec()
        let good = try codec.encode(SelfCodedParcel(Self.parcels[1]))
        func failure(_ bytes: [UInt8]) -> String {
            do {
                _ = try bytes.withUnsafeBytes { try codec.decode(SelfCodedParcel.self, from: $0) }
                return "decoded"
            } catch {
                return "\(error)"
            }
        }
        #expect(failure(Array(good.dropLast(2))).contains("unexpected end of data"))
        #expect(failure(good + [0]).contains("1 bytes left over"))
        #expect(failure([7, 0]).contains("expected object at byte 0, found string"))
        #expect(
            failure([9, 4, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]).contains("varint too long"))
        // An id that does not fit: UInt64 read as UInt8 in a nested array.
        var writer = BinaryPayloadWriter()
        writer.write([UInt64(300)])
        #expect(throws: ChannelError.self) {
            try writer.withBytes { (bytes) throws(ChannelError) in
                var reader = BinaryPayloadReader(bytes)
                _ = try reader.read([UInt8].self)
            }
        }
        // An array count larger than the bytes left.
        #expect(failure([9, 4, 1, 0, 8, 0xFF, 0xFF, 0xFF, 0x7F]).contains("overruns the data"))
    }

    @Test func nestingIsBounded() throws {
        let codec = BinaryEventCodec()
        let shallow = Branch.chain(depth: 20)
        let bytes = try codec.encode(shallow)
        #expect(try bytes.withUnsafeBytes { try codec.decode(Branch.self, from: $0) } == shallow)
        let deep = try codec.encode(Branch.chain(depth: 100))
        #expect {
            try deep.withUnsafeBytes { try codec.decode(Branch.self, from: $0) }
        } throws: { error in
            "\(error)".contains("nested more than 64 levels deep")
        }
    }

    /// A self-coded publisher's events reach a subscriber that decodes them
    /// through `Codable`, and one that reads them itself.
    @Test(.timeLimit(.minutes(1)))
    func selfCodedAndCodableEndsShareAChannel() async throws {
        let context = try Context()
        let publisher = try Publisher<SelfCodedParcel>(
            context: context, .bind(uniqueInproc()), codec: BinaryEventCodec(), eventType: "Parcel")
        let codable = try Subscriber<Parcel>(
            context: context, .connect(publisher.endpoint), topics: ["parcels"], codec: BinaryEventCodec())
        let selfCoded = try Subscriber<SelfCodedParcel>(
            context: context, .connect(publisher.endpoint), topics: ["parcels"], codec: BinaryEventCodec())
        try await publisher.waitForSubscribers(2, timeout: testTimeout)
        for parcel in Self.parcels {
            try #require(try publisher.publish(SelfCodedParcel(parcel), to: "parcels.sent") != nil)
        }
        for parcel in Self.parcels {
            #expect(try await codable.next()?.event == parcel)
            #expect(try await selfCoded.next()?.event == SelfCodedParcel(parcel))
        }
    }

    /// A codec's own state lives in the encoder and decoder it makes: one per
    /// channel end, kept from event to event. This codec numbers its payloads
    /// and checks the numbers, so an end that made a new encoder or decoder per
    /// event would send (or expect) 1 every time.
    @Test(.timeLimit(.minutes(1)))
    func aChannelEndKeepsTheEncoderAndDecoderItsCodecMade() async throws {
        let context = try Context()
        let pusher = try Pusher<String>(context: context, .bind(uniqueInproc()), codec: NumberingCodec())
        // Throwing, so that a wrong number fails the test at once rather than being skipped.
        let puller = try Puller<String>(
            context: context, .connect(pusher.endpoint), codec: NumberingCodec(), undecodable: .throwError)
        for word in ["one", "two", "three"] { try await pusher.push(word, to: "words") }
        var received: [String] = []
        for _ in 0..<3 { received.append(try #require(try await puller.next()).event) }
        #expect(received == ["1:one", "2:two", "3:three"])
        #expect(puller.counters.undecodable == 0)
    }
}

/// Writes `<n> <text>` where n counts the payloads of one encoder, and reads
/// them back as `<n>:<text>` after checking n counts up from 1 for the decoder.
struct NumberingCodec: EventCodec {
    var id: UInt8 { 200 }
    var name: String { "numbering" }

    func encode<Event: Encodable>(_ event: Event) throws(ChannelError) -> [UInt8] {
        var encoder = makeEncoder(for: Event.self)
        var bytes: [UInt8] = []
        try encoder.encode(event, into: &bytes)
        return bytes
    }

    func decode<Event: Decodable>(_ type: Event.Type, from bytes: UnsafeRawBufferPointer) throws(ChannelError) -> Event
    {
        var decoder = makeDecoder(for: type)
        return try decoder.decode(from: bytes)
    }

    func makeEncoder<Event: Encodable>(for type: Event.Type) -> any EventEncoder<Event> { Encoder<Event>() }
    func makeDecoder<Event: Decodable>(for type: Event.Type) -> any EventDecoder<Event> { Decoder<Event>() }

    final class Encoder<Event: Encodable>: EventEncoder {
        var count = 0
        func encode(_ event: Event, into payload: inout [UInt8]) throws(ChannelError) {
            count += 1
            payload = Array("\(count) \(event)".utf8)
        }
    }

    final class Decoder<Event: Decodable>: EventDecoder {
        var count = 0
        func decode(from bytes: UnsafeRawBufferPointer) throws(ChannelError) -> Event {
            count += 1
            let text = String(decoding: bytes, as: UTF8.self)
            guard let space = text.firstIndex(of: " "), text[..<space] == "\(count)",
                let event = "\(count):\(text[text.index(after: space)...])" as? Event
            else { throw .codec(eventType: "\(Event.self)", reason: "payload \(count) is \"\(text)\"") }
            return event
        }
    }
}
