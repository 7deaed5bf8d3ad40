import Foundation
import Testing
import ZeroMQ
import ZeroMQChannels

/// What a peer can send a consumer that once crashed, muted or bloated it,
/// sent by hand over a raw socket (the pyzmq attack is in HostilePeerTests).
@Suite("Hostile input", .timeLimit(.minutes(1)))
struct HostileInputTests {
    /// Sequence numbers are a peer's: 1 then 2^64 - 1 from two publishers once
    /// overflowed the gap count and trapped.
    @Test func sequenceNumbersAtTheEndOfTheRangeDoNotTrap() async throws {
        let context = try Context()
        let channel = try HandMadeChannel.publisher(context)
        let subscriber = try Subscriber<OrderPlaced>(context: context, .connect(channel.endpoint))
        try channel.awaitSubscriber()
        let (first, second) = (UUID(), UUID())
        for (id, (publisher, sequence)) in [(first, 1), (second, 1), (first, UInt64.max), (second, .max)].enumerated() {
            try await channel.send(OrderPlaced(id: id, item: "x"), sequence: sequence, publisherID: publisher)
        }
        var received: [UInt64] = []
        while received.count < 4, let event = try await subscriber.next() { received.append(event.missedBefore) }
        #expect(received == [0, 0, 0, 0])
        #expect(subscriber.counters.gaps == 0)
        #expect(subscriber.counters.resets == 2)
    }

    /// A spoofed envelope with a real publisher's id and a sequence number near
    /// the end once made every later event of that publisher a "duplicate".
    @Test func aSpoofedSequenceNumberDoesNotMuteAPublisher() async throws {
        let context = try Context()
        let channel = try HandMadeChannel.pusher(context)
        let puller = try Puller<OrderPlaced>(context: context, .connect(channel.endpoint))
        let real = UUID()
        for sequence in 1...5 {
            try await channel.send(OrderPlaced(id: sequence, item: "real"), sequence: UInt64(sequence), publisherID: real)
        }
        try await channel.send(OrderPlaced(id: -1, item: "spoof"), sequence: .max - 1, publisherID: real)
        for sequence in 6...1_005 {
            try await channel.send(OrderPlaced(id: sequence, item: "real"), sequence: UInt64(sequence), publisherID: real)
        }
        var heard: [Int] = []
        while heard.count < 1_005, let event = try await puller.next() {
            if event.event.item == "real" { heard.append(event.event.id) }
        }
        #expect(heard == Array(1...1_005))
        #expect(puller.counters.duplicates == 0)
    }

    /// A spoofed number within reach costs at most the one event whose number
    /// it took; the real events below it arrive late and fill the gap it made.
    @Test func aSpoofedNumberJustAheadCostsAtMostTheEventItTook() async throws {
        let context = try Context()
        let channel = try HandMadeChannel.pusher(context)
        let puller = try Puller<OrderPlaced>(context: context, .connect(channel.endpoint))
        let real = UUID()
        try await channel.send(OrderPlaced(id: 1, item: "real"), sequence: 1, publisherID: real)
        try await channel.send(OrderPlaced(id: -1, item: "spoof"), sequence: 5, publisherID: real)
        for sequence in 2...8 {
            try await channel.send(OrderPlaced(id: sequence, item: "real"), sequence: UInt64(sequence), publisherID: real)
        }
        var ids: [Int] = []
        while ids.count < 8, let event = try await puller.next() { ids.append(event.event.id) }
        #expect(ids == [1, -1, 2, 3, 4, 6, 7, 8])
        #expect(puller.counters.duplicates == 1)
    }

    /// A publisher restarted under the same id numbers from 1 again with later
    /// timestamps: heard, not taken for duplicates.
    @Test func aPublisherRestartedUnderTheSameIDIsHeard() async throws {
        let context = try Context()
        let channel = try HandMadeChannel.pusher(context)
        let puller = try Puller<OrderPlaced>(context: context, .connect(channel.endpoint))
        let publisher = UUID()
        for (run, time) in [(0, Int64(1_000)), (1, 2_000)] {
            for sequence in 1...10 {
                let envelope = EventEnvelope(
                    eventID: UUID(), eventType: "OrderPlaced", publisherID: publisher, sequence: UInt64(sequence),
                    timestampNanoseconds: time + Int64(sequence), schemaVersion: 1, codecID: JSONEventCodec().id)
                let payload = try JSONEncoder().encode(OrderPlaced(id: run * 100 + sequence, item: "x"))
                try await channel.raw.sendMultipart([Topic("orders").wireBytes, envelope.encoded(), Array(payload)])
            }
        }
        var ids: [Int] = []
        while ids.count < 20, let event = try await puller.next() { ids.append(event.event.id) }
        #expect(ids == Array(1...10) + Array(101...110))
        #expect(puller.counters.resets == 1)
        #expect(puller.counters.duplicates == 0)
    }

    /// A consumer keeps three frames, whatever a message has: a message of a
    /// million frames, or a large fourth frame, is released as it arrives.
    @Test func framesBeyondAChannelMessagesThreeAreReleasedAsTheyArrive() async throws {
        let context = try Context()
        let channel = try HandMadeChannel.pusher(context)
        let puller = try Puller<OrderPlaced>(context: context, .connect(channel.endpoint))
        let event = Array(#"{"id":1,"item":"ok"}"#.utf8)
        let big = [UInt8](repeating: 7, count: 8 << 20)
        try await channel.raw.sendMultipart([Array("orders.".utf8), HandMadeChannel.envelope(sequence: 1), event, big])
        try await channel.raw.sendMultipart([[UInt8]](repeating: [], count: 100_000))
        try await channel.raw.sendMultipart([Array("orders.".utf8), HandMadeChannel.envelope(sequence: 1), event])
        let received = try #require(try await puller.next())
        #expect(received.event.id == 1)
        #expect(puller.counters.undecodable == 2)
        #expect(puller.reader.frames.count == 3)
        #expect(puller.reader.frames.allSatisfy { $0.count < 1_024 })
    }

    /// A consumer takes frames up to ``ChannelDefaults/maxMessageSize`` from a
    /// peer over TCP; a peer that sends a larger one is disconnected, and other peers go on.
    @Test func aPeerSendingAFrameOverTheLimitIsDisconnected() async throws {
        let context = try Context()
        let puller = try Puller<OrderPlaced>(context: context, .bind("tcp://127.0.0.1:*"))
        #expect(try puller.socket.get(.maxMessageSize) == ChannelDefaults.maxMessageSize)
        let hostile = try context.boundedSocket(.push)
        try hostile.connect(puller.endpoint)
        let envelope = HandMadeChannel.envelope(sequence: 1)
        try await hostile.sendMultipart([
            Array("orders.".utf8), envelope, [UInt8](repeating: 0x20, count: Int(ChannelDefaults.maxMessageSize) + 1),
        ])
        let honest = try context.boundedSocket(.push)
        try honest.connect(puller.endpoint)
        try await honest.sendMultipart([
            Array("orders.".utf8), HandMadeChannel.envelope(sequence: 1), Array(#"{"id":2,"item":"ok"}"#.utf8),
        ])
        let received = try #require(try await puller.next())
        #expect(received.event.id == 2)
        #expect(puller.counters.received == 1)
        #expect(puller.counters.undecodable == 0)
    }

    /// 1,000,000 made-up publisher ids once grew the table by 57 MB; it keeps
    /// at most its capacity, forgetting the least recently heard.
    @Test func thePublisherTableKeepsAtMostItsCapacity() async throws {
        // CPU work: on a thread of its own, not the two-thread cooperative pool the
        // async suites need; a tenth of it under ThreadSanitizer, where it costs ten times more.
        let ids = underThreadSanitizer ? 100_000 : 1_000_000
        let remembered = try await onThread {
            var sequences = PublisherSequences()
            for _ in 0..<ids { _ = sequences.record(UUID(), sequence: 1, timestamp: 0) }
            return sequences.count
        }
        #expect(remembered <= PublisherSequences.capacity)
        var sequences = PublisherSequences()
        let known = UUID()
        #expect(sequences.record(known, sequence: 1, timestamp: 0) == nil)
        #expect(sequences.record(known, sequence: 2, timestamp: 0) == .next(missed: 0))
    }

    /// Undecodable messages are counted each, logged at most once every ten
    /// seconds, and a peer's topic never reaches the log raw.
    @Test func undecodableMessagesAreCountedEachAndLoggedRarelyAndEscaped() async throws {
        let context = try Context()
        let channel = try HandMadeChannel.pusher(context)
        let log = LogRecorder()
        let puller = try Puller<OrderPlaced>(context: context, .connect(channel.endpoint), logger: log.logger)
        for index in 0..<1_000 {
            try await channel.raw.sendMultipart([
                Array("orders\n\u{1B}[2JFAKE LOG LINE.".utf8), HandMadeChannel.envelope(sequence: 1), Array("\(index)".utf8),
            ])
        }
        try await channel.send(OrderPlaced(id: 1, item: "ok"), sequence: 1, publisherID: UUID())
        let received = try #require(try await puller.next())
        #expect(received.event.id == 1)
        #expect(puller.counters.undecodable == 1_000)
        let warnings = log.lines.filter { $0.contains("skipped undecodable") }
        #expect(warnings.count == 1, "\(log.lines)")
        for line in log.lines {
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(line)")
        }
        #expect(warnings.first?.contains(#"orders\n\x1b[2JFAKE LOG LINE"#) == true)
    }
}
