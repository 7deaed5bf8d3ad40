import Foundation
import Testing
import TestSupport
import ZeroMQ
import ZeroMQChannels

struct OrderPlaced: Codable, Sendable, Equatable {
    var id: Int
    var item: String
    var note: String?
}

@Suite("Channels: typed events over PUB/SUB and PUSH/PULL", .timeLimit(.minutes(1)))
struct ChannelTests {
    @Test func topicsAreValidatedAndMatchWholeSegments() throws {
        let order1: Topic = "order.1"
        #expect(order1.matches("order.1"))
        #expect(order1.matches("order.1.paid"))
        #expect(!order1.matches("order.10"))
        #expect(!order1.matches("order"))
        #expect(Topic("order").matches("order.10"))
        #expect(order1.wireBytes == Array("order.1.".utf8))
        for bad in ["", "a..b", ".a", "a.", "has space", "tab\there", "_zmq.join.x"] {
            #expect(throws: ChannelError.self, "\(bad)") { try Topic(bad) }
        }
    }

    /// The join protocol's two ends: the topic a subscriber subscribes to,
    /// and what a publisher's XPUB reads back from it.
    @Test func aJoinTopicIsReadBackAsAJoinOrALeaveAndNothingElseIs() {
        let id = UUID()
        let topic = JoinTopic.subscription(for: id)
        #expect(topic == "_zmq.join.\(id.uuidString).")
        let joined = JoinTopic.change(in: [1] + Array(topic.utf8))
        #expect(joined?.joined == true && joined?.subscriber == Array(topic.utf8))
        #expect(JoinTopic.change(in: [0] + Array(topic.utf8))?.joined == false)
        #expect(JoinTopic.change(in: [1] + Array("orders.".utf8)) == nil)
        #expect(JoinTopic.change(in: [2] + Array(topic.utf8)) == nil, "a user message through an XPUB, not a subscription")
        #expect(JoinTopic.change(in: []) == nil)
    }

    @Test func aSubscriptionToOrder1NeverDeliversOrder10() async throws {
        let context = try Context()
        let publisher = try Publisher<OrderPlaced>(context: context, .bind(uniqueInproc()))
        let subscriber = try Subscriber<OrderPlaced>(
            context: context, .connect(publisher.endpoint), topics: ["order.1"])
        try await publisher.waitForSubscribers(1, timeout: testTimeout)
        try publisher.publish(OrderPlaced(id: 10, item: "wrong"), to: "order.10")
        try publisher.publish(OrderPlaced(id: 1, item: "right"), to: "order.1")
        try publisher.publish(OrderPlaced(id: 2, item: "child"), to: "order.1.paid")
        let first = try #require(try await subscriber.next())
        let second = try #require(try await subscriber.next())
        #expect(first.event.item == "right" && first.topic == "order.1")
        #expect(second.event.item == "child" && second.topic == "order.1.paid")
        // order.10 was never delivered, so its sequence number (1) shows up as a gap of one.
        #expect(first.missedBefore == 0)
        #expect(first.envelope.sequence == 2)
    }

    @Test func waitForSubscribersMeansNoEventIsLostToASlowJoiner() async throws {
        let context = try Context()
        let publisher = try Publisher<OrderPlaced>(context: context, .bind("tcp://127.0.0.1:*"))
        let subscribers = try (0..<3).map { _ in
            try Subscriber<OrderPlaced>(context: context, .connect(publisher.endpoint), topics: ["orders"])
        }
        try await publisher.waitForSubscribers(3, timeout: testTimeout)
        #expect(try publisher.subscriberCount == 3)
        for id in 1...200 { try publisher.publish(OrderPlaced(id: id, item: "pizza"), to: "orders.placed") }
        #expect(publisher.counters.sent == 200)
        #expect(publisher.counters.dropped == 0)
        for subscriber in subscribers {
            var ids: [Int] = []
            for try await received in subscriber.events {
                ids.append(received.event.id)
                #expect(received.envelope.eventType == "OrderPlaced")
                #expect(received.envelope.publisherID == publisher.publisherID)
                #expect(received.envelope.sequence == UInt64(received.event.id))
                if ids.count == 200 { break }
            }
            #expect(ids == Array(1...200))
            #expect(subscriber.counters.received == 200)
            #expect(subscriber.counters.gaps == 0)
        }
    }

    @Test func channelEndsTakeSocketOptionsBeforeTheyAttach() async throws {
        let context = try Context()
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        let publisher = try Publisher<OrderPlaced>(context: context, .bind("tcp://127.0.0.1:*")) {
            (socket) throws(ZMQError) in try socket.makeCurveServer(server)
        }
        let subscriber = try Subscriber<OrderPlaced>(context: context, .connect(publisher.endpoint)) {
            (socket) throws(ZMQError) in
            try socket.makeCurveClient(serverPublicKey: server.publicKey, keyPair: client)
        }
        // A client that has the wrong server key never completes the handshake.
        let stranger = try Subscriber<OrderPlaced>(context: context, .connect(publisher.endpoint)) {
            (socket) throws(ZMQError) in
            try socket.makeCurveClient(serverPublicKey: client.publicKey, keyPair: try CurveKeyPair.generate())
        }
        try await publisher.waitForSubscribers(1, timeout: testTimeout)
        await #expect(throws: ChannelError.self) {
            try await publisher.waitForSubscribers(2, timeout: .milliseconds(300))
        }
        try publisher.publish(OrderPlaced(id: 1, item: "sealed"), to: "orders")
        #expect(try await subscriber.next()?.event.item == "sealed")
        #expect(try subscriber.socket.get(.curveServerKey) == server.publicKey.bytes)
        #expect(stranger.counters.received == 0)

        let pusher = try Pusher<OrderPlaced>(context: context, .bind(uniqueInproc())) { (socket) throws(ZMQError) in
            try socket.set(.sendHighWaterMark, 1)
        }
        let puller = try Puller<OrderPlaced>(context: context, .connect(pusher.endpoint)) {
            (socket) throws(ZMQError) in try socket.set(.receiveHighWaterMark, 1)
        }
        #expect(try pusher.socket.get(.sendHighWaterMark) == 1)
        #expect(try puller.socket.get(.receiveHighWaterMark) == 1)
    }

    @Test func waitingForSubscribersWhoNeverComeTimesOut() async throws {
        let context = try Context()
        let publisher = try Publisher<OrderPlaced>(context: context, .bind(uniqueInproc()))
        let started = ContinuousClock.now
        await #expect(throws: ChannelError.self) {
            try await publisher.waitForSubscribers(1, timeout: .milliseconds(200))
        }
        // Without its timeout the wait would last for ever; generous for a machine
        // the other suites load for seconds at a time.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    /// Hand-made channel messages from a raw socket: sequence numbers 1, 2, 5, 5
    /// and garbage in between. The subscriber reports a gap of 2, skips the
    /// duplicate and the garbage, and the stream goes on.
    @Test func subscribersCountGapsSkipDuplicatesAndSurviveGarbage() async throws {
        let context = try Context()
        let channel = try HandMadeChannel.publisher(context)
        let raw = channel.raw
        let subscriber = try Subscriber<OrderPlaced>(context: context, .connect(channel.endpoint))
        try channel.awaitSubscriber()
        let publisherID = UUID()
        func send(_ sequence: UInt64, id: Int) async throws {
            try await channel.send(OrderPlaced(id: id, item: "x"), sequence: sequence, publisherID: publisherID)
        }
        try await send(1, id: 1)
        try await raw.sendMultipart(["orders.", "not an envelope", "{}"])
        try await raw.sendMultipart(["just one frame"])
        try await send(2, id: 2)
        try await send(5, id: 5)
        try await send(5, id: 55)
        try await raw.sendMultipart([
            Array("orders.".utf8), HandMadeChannel.envelope(sequence: 6, publisherID: publisherID),
            Array("{\"id\":".utf8),
        ])
        try await send(7, id: 7)
        var seen: [(Int, UInt64)] = []
        while seen.count < 4, let received = try await subscriber.next() {
            seen.append((received.event.id, received.missedBefore))
        }
        #expect(seen.map(\.0) == [1, 2, 5, 7])
        #expect(seen.map(\.1) == [0, 0, 2, 1])
        #expect(subscriber.counters.gaps == 3)
        #expect(subscriber.counters.duplicates == 1)
        #expect(subscriber.counters.undecodable == 3)
        #expect(subscriber.counters.received == 4)
    }

    /// The subscriber checks a topic frame once and reuses the topic while the
    /// frames repeat; a frame that differs in any byte, in its length, or that
    /// is invalid, is read afresh, and the publisher rebuilds its topic frame
    /// whenever the topic changes.
    @Test func aRepeatedTopicFrameIsReusedOnlyWhileItsBytesRepeat() async throws {
        let context = try Context()
        let channel = try HandMadeChannel.publisher(context)
        let subscriber = try Subscriber<OrderPlaced>(context: context, .connect(channel.endpoint))
        try channel.awaitSubscriber()
        let publisherID = UUID()
        var sequence: UInt64 = 0
        func send(topicFrame: String) async throws {
            sequence += 1
            try await channel.send(
                OrderPlaced(id: Int(sequence), item: topicFrame), sequence: sequence, publisherID: publisherID,
                topicFrame: Array(topicFrame.utf8))
        }
        let frames = [
            "orders.a.", "orders.a.", "orders.b.", "orders.ab.", "orders..", "orders..", "orders.b.", "orders.b",
            "orders.é.", "orders.é.", "orders.a.",
        ]
        for frame in frames { try await send(topicFrame: frame) }
        var topics: [String] = []
        while topics.count < 8, let received = try await subscriber.next() {
            #expect(received.topic.name + "." == received.event.item)
            topics.append(received.topic.name)
        }
        #expect(
            topics == ["orders.a", "orders.a", "orders.b", "orders.ab", "orders.b", "orders.é", "orders.é", "orders.a"])
        #expect(subscriber.counters.undecodable == 3)

        let publisher = try Publisher<OrderPlaced>(context: context, .bind(uniqueInproc()))
        let typed = try Subscriber<OrderPlaced>(context: context, .connect(publisher.endpoint))
        try await publisher.waitForSubscribers(1, timeout: testTimeout)
        let published: [Topic] = ["orders.a", "orders.a", "orders.b.c", "orders.a"]
        for (id, topic) in published.enumerated() { try publisher.publish(OrderPlaced(id: id, item: "x"), to: topic) }
        var received: [Topic] = []
        while received.count < published.count, let event = try await typed.next() { received.append(event.topic) }
        #expect(received == published)
    }

    /// Sequence numbers are tracked per publisher, also when messages from
    /// several publishers interleave.
    @Test func gapsAndDuplicatesAreCountedPerPublisherWhenPublishersInterleave() async throws {
        let context = try Context()
        let channel = try HandMadeChannel.pusher(context)
        let puller = try Puller<OrderPlaced>(context: context, .connect(channel.endpoint))
        let (first, second) = (UUID(), UUID())
        func send(_ publisher: UUID, _ sequence: UInt64) async throws {
            try await channel.send(
                OrderPlaced(id: Int(sequence), item: "x"), sequence: sequence, publisherID: publisher)
        }
        // Each publisher's repeats are duplicates; (second, 2) after (second, 3) would be a late arrival, not one.
        let sent = [(first, 1), (second, 1), (first, 2), (second, 3), (first, 2), (second, 3), (first, 3), (first, 1)]
        for (publisher, sequence) in sent { try await send(publisher, UInt64(sequence)) }
        try await send(second, 4)
        var seen: [(UUID, UInt64)] = []
        while seen.count < 6, let received = try await puller.next() {
            seen.append((received.envelope.publisherID, received.envelope.sequence))
        }
        #expect(seen.map(\.0) == [first, second, first, second, first, second])
        #expect(seen.map(\.1) == [1, 1, 2, 3, 3, 4])
        #expect(puller.counters.duplicates == 3)
        #expect(puller.counters.received == 6)
    }

    /// A reader receives every message into the same frames; messages with
    /// more or fewer frames than a channel message in between change nothing.
    @Test func messagesWithMoreOrFewerFramesDoNotDisturbTheNextEvent() async throws {
        let context = try Context()
        let channel = try HandMadeChannel.pusher(context)
        let raw = channel.raw
        let puller = try Puller<OrderPlaced>(context: context, .connect(channel.endpoint))
        func envelope(_ sequence: UInt64) -> [UInt8] { HandMadeChannel.envelope(sequence: sequence) }
        let event = Array(#"{"id":1,"item":"ok"}"#.utf8)
        try await raw.sendMultipart([Array("orders.".utf8), envelope(1), event, Array("extra".utf8), []])
        try await raw.sendMultipart([Array("orders.".utf8), envelope(1), event])
        try await raw.sendMultipart([Array("orders.".utf8)])
        try await raw.sendMultipart([Array("orders.".utf8), envelope(1), event])
        #expect(try await puller.next()?.event == OrderPlaced(id: 1, item: "ok"))
        #expect(try await puller.next()?.event == OrderPlaced(id: 1, item: "ok"))
        #expect(puller.counters.undecodable == 2)
        #expect(puller.counters.received == 2)
    }

    @Test func theThrowingPolicyReportsABadMessageAndTheStreamGoesOn() async throws {
        let context = try Context()
        let channel = try HandMadeChannel.pusher(context)
        let raw = channel.raw
        let puller = try Puller<OrderPlaced>(context: context, .connect(channel.endpoint), undecodable: .throwError)
        try await raw.sendMultipart(["orders.", "garbage", "{}"])
        await #expect(throws: ChannelError.self) { _ = try await puller.next() }
        let envelope = HandMadeChannel.envelope(sequence: 1)
        try await raw.sendMultipart([Array("orders.".utf8), envelope, Array(#"{"id":9,"item":"ok"}"#.utf8)])
        #expect(try await puller.next()?.event.id == 9)
    }

    @Test func pushPullDistributesTypedWorkExactlyOnce() async throws {
        let context = try Context()
        let endpoints = (0..<3).map { uniqueInproc("work\($0)") }
        let pullers = try endpoints.map { endpoint in
            try Puller<OrderPlaced>(context: context, .bind(endpoint))
        }
        let total = 3_000
        let producer = Task {
            let pusher = try Pusher<OrderPlaced>(context: context, .connect(endpoints[0]))
            for endpoint in endpoints.dropFirst() { try pusher.socket.connect(endpoint) }
            for id in 0..<total { try await pusher.push(OrderPlaced(id: id, item: "job"), to: "jobs.delivery") }
            return pusher.counters.sent
        }
        var ids: [Int] = []
        var perPuller = [Int](repeating: 0, count: pullers.count)
        // Take from the pullers in turn until all the work is in.
        while ids.count < total {
            for (index, puller) in pullers.enumerated() where ids.count < total {
                if try await puller.socket.waitFor(.readable, deadline: .now + .milliseconds(5)) {
                    let job = try #require(try await puller.next())
                    ids.append(job.event.id)
                    perPuller[index] += 1
                }
            }
        }
        #expect(try await producer.value == UInt64(total))
        #expect(Set(ids).count == total)
        #expect(ids.sorted() == Array(0..<total))
        #expect(perPuller.allSatisfy { $0 > 0 })
    }

    @Test func aPyzmqPublisherSpeakingTheWireFormatIsUnderstood() async throws {
        let peer = try PythonPeer("20", script: "channel_peer.py")
        let endpoint = try peer.readLine()
        let context = try Context()
        let subscriber = try Subscriber<OrderPlaced>(context: context, .connect(endpoint), topics: ["orders.1"])
        var received: [ReceivedEvent<OrderPlaced>] = []
        while received.count < 20, let event = try await subscriber.next() { received.append(event) }
        #expect(received.map(\.event.id) == Array(0..<20))
        #expect(received.allSatisfy { $0.event.note == "from python" && $0.topic == "orders.1" })
        #expect(received.map(\.envelope.sequence) == Array(1...20))
        // Odd events came in format-2 envelopes with a W3C traceparent; the others in format 1.
        for received in received {
            let index = received.event.id
            let traceparent = String(format: "00-%032x-%016x-01", index + 1, index + 1)
            let expected: EventMetadata =
                index % 2 == 1 ? ["traceparent": traceparent, "correlation-id": "order-\(index)"] : [:]
            #expect(received.envelope.metadata == expected, "event \(index)")
        }
        #expect(subscriber.counters.gaps == 0)
        #expect(try peer.finish() == 0)
        // orders.10 was published too, and never matched orders.1.
        try subscriber.socket.set(.receiveTimeout, .milliseconds(200))
        #expect(try subscriber.socket.receive(flags: []) == nil)
    }

    @Test func envelopesRoundTripAndRejectTruncatedBytes() throws {
        let envelope = EventEnvelope(
            eventID: UUID(), eventType: "CourierAssigned", publisherID: UUID(), sequence: 42,
            timestampNanoseconds: 1_700_000_000_123_456_789, schemaVersion: 3, codecID: 2)
        let bytes = envelope.encoded()
        #expect(bytes.count == 54 + "CourierAssigned".utf8.count)
        #expect(try bytes.withUnsafeBytes { try EventEnvelope(decoding: $0) } == envelope)
        var unicode = envelope
        unicode.eventType = "Bestellung🍕"
        #expect(try unicode.encoded().withUnsafeBytes { try EventEnvelope(decoding: $0) } == unicode)
        let invalidType = Array(bytes.prefix(52)) + [0, 2, 0xC3, 0x28]
        #expect(throws: ChannelError.self) { try invalidType.withUnsafeBytes { try EventEnvelope(decoding: $0) } }
        for cut in [0, 1, 53, bytes.count - 1] {
            #expect(throws: ChannelError.self) {
                try bytes.prefix(cut).withUnsafeBytes { try EventEnvelope(decoding: $0) }
            }
        }
    }
}
