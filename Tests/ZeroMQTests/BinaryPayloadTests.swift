import Foundation
import Testing
import ZeroMQ

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

        static func read(from reader: inout BinaryPayloadReader) throws(BinaryPayloadError) -> Stop {
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

    static func read(from reader: inout BinaryPayloadReader) throws(BinaryPayloadError) -> SelfCodedParcel {
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

/// A tree, to check that nesting is bounded when a value reads itself.
struct Branch: BinaryPayloadCodable, Equatable {
    var children: [Branch]

    func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        writer.write(children)
    }

    static func read(from reader: inout BinaryPayloadReader) throws(BinaryPayloadError) -> Branch {
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
        let selfCoded = try codec.encode(SelfCodedParcel(parcel))
        #expect(selfCoded == codable)
        // Each reads the other's bytes.
        #expect(
            try codable.withUnsafeBytes { try codec.decode(SelfCodedParcel.self, from: $0) } == SelfCodedParcel(parcel))
        #expect(try selfCoded.withUnsafeBytes { try codec.decode(Parcel.self, from: $0) } == parcel)
    }

    @Test func theWriterAndReaderWorkOnTheirOwn() throws {
        var writer = BinaryPayloadWriter()
        writer.write(Int8(-3))
        writer.write(Optional<String>.none)
        writer.write(["a", "bc"])
        #expect(Array(writer.bytes) == [3, 5, 0, 8, 2, 0, 0, 0, 7, 1, 97, 7, 2, 98, 99])
        var reader = BinaryPayloadReader(writer.bytes)
        #expect(try reader.read(Int8.self) == -3)
        #expect(try reader.read(String?.self) == nil)
        #expect(try reader.read([String].self) == ["a", "bc"])
        #expect(reader.isAtEnd)
        writer.reset()
        #expect(writer.count == 0)
        // Past the first buffer: the writer grows and keeps what it wrote.
        let long = String(repeating: "x", count: 10_000)
        writer.write(long)
        reader = BinaryPayloadReader(writer.bytes)
        #expect(try reader.read(String.self) == long)
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
        #expect(throws: BinaryPayloadError.self) {
            var reader = BinaryPayloadReader(writer.bytes)
            _ = try reader.read([UInt8].self)
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
        let puller = try Puller<String>(context: context, .connect(pusher.endpoint), codec: NumberingCodec())
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
