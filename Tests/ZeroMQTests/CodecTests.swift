import Foundation
import Testing
import ZeroMQ
import ZeroMQChannels

struct Shipment: Codable, Sendable, Equatable {
    struct Stop: Codable, Sendable, Equatable {
        var name: String
        var latitude: Double
        var longitude: Double
    }
    enum Priority: String, Codable, Sendable { case normal, express }
    var id: UInt64
    var courier: Int?
    var stops: [Stop]
    var tags: [String: String]
    var weight: Float
    var fragile: Bool
    var priority: Priority
    var note: String?
    var when: Date
    var small: Int8
}

@Suite("Event codecs")
struct CodecTests {
    let sample = Shipment(
        id: 42, courier: nil,
        stops: [
            .init(name: "Depot", latitude: 52.37, longitude: 4.89),
            .init(name: "Café ☕", latitude: -33.9, longitude: 151.2),
        ],
        tags: ["zone": "north"], weight: 2.5, fragile: true, priority: .express, note: "ring twice",
        when: Date(timeIntervalSince1970: 1_700_000_000.25), small: -7)

    @Test(arguments: [JSONEventCodec() as any EventCodec, BinaryEventCodec()])
    func codecsRoundTripNestedValuesOptionalsAndCollections(codec: any EventCodec) throws {
        let bytes = try codec.encode(sample)
        let decoded = try bytes.withUnsafeBytes { try codec.decode(Shipment.self, from: $0) }
        #expect(decoded == sample)
        var other = sample
        other.courier = 7
        other.note = nil
        other.stops = []
        let again = try codec.encode(other)
        #expect(try again.withUnsafeBytes { try codec.decode(Shipment.self, from: $0) } == other)
    }

    @Test func theBinaryCodecIsCompact() throws {
        let order = OrderPlaced(id: 1234, item: "pizza margherita", note: nil)
        let binary = try BinaryEventCodec().encode(order)
        let json = try JSONEventCodec().encode(order)
        #expect(binary.count < json.count)
        #expect(binary.count <= 24)
    }

    @Test func theBinaryCodecRejectsWrongTypesAndLeftovers() throws {
        let codec = BinaryEventCodec()
        let bytes = try codec.encode(OrderPlaced(id: 1, item: "x", note: nil))
        #expect(throws: ChannelError.self) { try bytes.withUnsafeBytes { try codec.decode(Shipment.self, from: $0) } }
        let padded = bytes + [0]
        #expect(throws: ChannelError.self) {
            try padded.withUnsafeBytes { try codec.decode(OrderPlaced.self, from: $0) }
        }
        // Hand-written: an object of a signed 1, a 2-byte string and a null.
        let accented: [UInt8] = [9, 3, 2, 7, 2, 0xC3, 0xA9, 0]
        #expect(try accented.withUnsafeBytes { try codec.decode(OrderPlaced.self, from: $0) }.item == "é")
        let notUTF8: [UInt8] = [9, 3, 2, 7, 2, 0xC3, 0x28, 0]
        #expect(throws: ChannelError.self) {
            try notUTF8.withUnsafeBytes { try codec.decode(OrderPlaced.self, from: $0) }
        }
        let overflow = try codec.encode(["big": Int64.max])
        #expect(throws: ChannelError.self) {
            try overflow.withUnsafeBytes { try codec.decode([String: Int8].self, from: $0) }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func binaryEventsFlowOverAChannel() async throws {
        let context = try Context()
        let publisher = try Publisher<Shipment>(context: context, .bind(uniqueInproc()), codec: BinaryEventCodec())
        let subscriber = try Subscriber<Shipment>(
            context: context, .connect(publisher.endpoint), topics: ["shipments"], codec: BinaryEventCodec())
        let jsonOnly = try Subscriber<Shipment>(context: context, .connect(publisher.endpoint), topics: ["shipments"])
        try await publisher.waitForSubscribers(2, timeout: testTimeout)
        let envelope = try #require(try publisher.publish(sample, to: "shipments.created"))
        #expect(envelope.codecID == 2)
        #expect(try await subscriber.next()?.event == sample)
        // A consumer with another codec counts the message as undecodable and waits on.
        try publisher.publish(sample, to: "shipments.created")
        _ = try await subscriber.next()
        try jsonOnly.socket.set(.receiveTimeout, .milliseconds(200))
        let frames = try #require(try jsonOnly.socket.receiveMultipart(flags: []))
        #expect(frames.count == 3)
    }

    /// A publisher and a subscriber keep their binary coder from event to
    /// event: values of several nested types, optionals present and absent,
    /// and a bad payload in between all come out as they went in.
    @Test(.timeLimit(.minutes(1)))
    func aReusedBinaryCoderHandlesEventAfterEvent() async throws {
        let context = try Context()
        let publisher = try Publisher<Shipment>(context: context, .bind(uniqueInproc()), codec: BinaryEventCodec())
        let subscriber = try Subscriber<Shipment>(
            context: context, .connect(publisher.endpoint), topics: ["shipments"], codec: BinaryEventCodec())
        try await publisher.waitForSubscribers(1, timeout: testTimeout)
        var shipments: [Shipment] = []
        for index in 0..<5 {
            var shipment = sample
            shipment.id = UInt64(index)
            shipment.courier = index.isMultiple(of: 2) ? nil : index
            shipment.note = index.isMultiple(of: 3) ? nil : "note \(index)"
            shipment.stops = Array(sample.stops.prefix(index % 3))
            shipments.append(shipment)
        }
        for shipment in shipments { try publisher.publish(shipment, to: "shipments.created") }
        var received: [Shipment] = []
        for _ in shipments { received.append(try #require(try await subscriber.next()).event) }
        #expect(received == shipments)

        // A truncated payload between good ones: skipped, and the decoder goes on.
        let channel = try HandMadeChannel.publisher(context)
        let second = try Subscriber<Shipment>(context: context, .connect(channel.endpoint), codec: BinaryEventCodec())
        try channel.awaitSubscriber()
        let publisherID = UUID()
        for (sequence, payload) in [
            try BinaryEventCodec().encode(shipments[1]), Array(try BinaryEventCodec().encode(sample).dropLast(3)),
            try BinaryEventCodec().encode(shipments[4]),
        ].enumerated() {
            let envelope = HandMadeChannel.envelope(
                sequence: UInt64(sequence + 1), publisherID: publisherID, codecID: BinaryEventCodec().id,
                eventType: "Shipment")
            try await channel.raw.sendMultipart([Topic("shipments").wireBytes, envelope, payload])
        }
        #expect(try await second.next()?.event == shipments[1])
        #expect(try await second.next()?.event == shipments[4])
        #expect(second.counters.undecodable == 1)
    }

    @Test func theBinaryCodecRoundTripsValuesLargerThanItsFirstBuffer() throws {
        let codec = BinaryEventCodec()
        var large = sample
        large.note = String(repeating: "ü", count: 5_000)
        large.stops = (0..<500).map { .init(name: "stop \($0)", latitude: Double($0), longitude: -Double($0)) }
        let bytes = try codec.encode(large)
        #expect(bytes.count > 10_000)
        #expect(try bytes.withUnsafeBytes { try codec.decode(Shipment.self, from: $0) } == large)
    }

    /// Fixed-seed fuzzing: at least 100,000 random and mutated frames go to the
    /// envelope decoder, the topic reader (through a subscriber), both codecs,
    /// and a value that reads itself (``BinaryPayloadCodable``).
    /// Each must answer with a value or a thrown error, never a crash.
    /// Run longer with `ZEROMQ_FUZZ_ITERATIONS=10000000 swift test --filter fuzz`.
    @Test(.timeLimit(.minutes(5)))
    func fuzzedFramesNeverCrashTheDecoders() async throws {
        // CPU-bound: run it on a thread of its own, not the cooperative pool.
        let (accepted, rejected, iterations) = try await onThread { try Self.fuzz() }
        #expect(accepted + rejected == iterations * 6)
        #expect(rejected > iterations)  // the mutations did reach the error paths
        #expect(accepted > 0)  // and some mutated frames still decode
    }

    static func fuzz() throws -> (accepted: Int, rejected: Int, iterations: Int) {
        let sample = CodecTests().sample
        let iterations = Int(ProcessInfo.processInfo.environment["ZEROMQ_FUZZ_ITERATIONS"] ?? "") ?? 100_000
        var random = SplitMix64(seed: 0x5EED_2026)
        let envelope = EventEnvelope(
            eventID: UUID(), eventType: "Shipment", publisherID: UUID(), sequence: 9,
            timestampNanoseconds: 1, schemaVersion: 1, codecID: 2
        ).encoded()
        let seeds: [[UInt8]] = [
            envelope, try BinaryEventCodec().encode(sample), try JSONEventCodec().encode(sample),
            try BinaryEventCodec().encode([[1, 2], [3]] as [[Int]]),
            try BinaryEventCodec().encode(SelfCodedParcel(BinaryPayloadTests.parcels[1])),
            try BinaryEventCodec().encode([sample.stops, []]),
        ]
        var accepted = 0
        var rejected = 0
        func feed(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { buffer in
                for attempt in 0..<6 {
                    do {
                        switch attempt {
                        case 0: _ = try EventEnvelope(decoding: buffer)
                        case 1: _ = try BinaryEventCodec().decode(Shipment.self, from: buffer)
                        case 2: _ = try BinaryEventCodec().decode([[Int]].self, from: buffer)
                        case 3: _ = try BinaryEventCodec().decode(SelfCodedParcel.self, from: buffer)
                        // Nested arrays of a plain Codable struct: Codable's unkeyed containers.
                        case 4: _ = try BinaryEventCodec().decode([[Shipment.Stop]].self, from: buffer)
                        default: _ = try JSONEventCodec().decode(Shipment.self, from: buffer)
                        }
                        accepted += 1
                    } catch {
                        rejected += 1
                    }
                }
            }
        }
        for _ in 0..<iterations {
            var bytes = seeds[Int(random.next() % UInt64(seeds.count))]
            switch random.next() % 5 {
            case 0:  // pure noise
                bytes = (0..<Int(random.next() % 96)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            case 1:  // flip a few bytes
                for _ in 0..<(1 + random.next() % 4) where !bytes.isEmpty {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            case 2:  // truncate
                bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count + 1))))
            case 3:  // insert noise
                let at = Int(random.next() % UInt64(bytes.count + 1))
                bytes.insert(
                    contentsOf: (0..<(1 + random.next() % 8)).map { _ in UInt8(truncatingIfNeeded: random.next()) },
                    at: at)
            default:  // huge counts and lengths
                if bytes.count > 6 { bytes.replaceSubrange(1..<5, with: [0xFF, 0xFF, 0xFF, 0x7F]) }
            }
            feed(bytes)
        }
        return (accepted, rejected, iterations)
    }
}

extension CodecTests {
    /// What a tool or a tap reads without the event type: the topic, the
    /// envelope and the codec's name; anything else is not a channel message.
    @Test func aChannelMessageIsRecognisedWithoutItsEventType() throws {
        for (codecID, name) in [(UInt8(1), "json"), (2, "binary"), (9, "codec 9")] {
            let envelope = EventEnvelope(
                eventID: UUID(), eventType: "Shipment", publisherID: UUID(), sequence: 7,
                timestampNanoseconds: 1, schemaVersion: 1, codecID: codecID)
            let message = try #require(
                ChannelMessage([try Message("orders.eu."), try Message(bytes: envelope.encoded()), try Message(bytes: [1, 2])]))
            #expect(message.topic == "orders.eu")
            #expect(message.envelope == envelope)
            #expect(message.codecName == name)
        }
        let envelope = EventEnvelope(
            eventID: UUID(), eventType: "x", publisherID: UUID(), sequence: 1, timestampNanoseconds: 1,
            schemaVersion: 1, codecID: 1
        ).encoded()
        let notChannel: [[[UInt8]]] = [
            [Array("orders".utf8), envelope, []],  // no delimiter
            [Array("orders.".utf8), [1, 2, 3], []],  // no envelope
            [Array("orders.".utf8), envelope],  // two frames
            [[0xff, 0x2e], envelope, []],  // not UTF-8
        ]
        for frames in notChannel { #expect(ChannelMessage(try frames.map { try Message(bytes: $0) }) == nil) }
    }
}

/// A small, fast, seedable generator (SplitMix64), so fuzz runs repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
