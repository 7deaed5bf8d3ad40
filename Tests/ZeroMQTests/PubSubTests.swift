import Testing
import ZeroMQ

/// PUB/SUB as libzmq's own suite checks it. The publisher is an XPUB so the
/// test can wait until each subscription has arrived instead of sleeping
/// (the slow-joiner problem); XPUB publishes exactly like PUB.
@Suite("PUB/SUB")
struct PubSubTests {
    /// A publisher and a subscriber over inproc; `subscriptions` have reached the publisher.
    func pair(subscribing subscriptions: [String]) throws -> (pub: Socket, sub: Socket) {
        let context = try Context()
        let (pub, sub) = try context.connectedPair(.xpub, .sub)
        for topic in subscriptions {
            try sub.subscribe(topic)
            let frame = try #require(try pub.receive())
            #expect(frame.bytes == [1] + Array(topic.utf8))
        }
        return (pub, sub)
    }

    @Test func prefixFilterDeliversOnlyMatchingTopics() throws {
        let (pub, sub) = try pair(subscribing: ["orders.", "couriers.7"])
        for topic in ["payments.x", "orders.placed", "couriers.8", "couriers.7.location", "order", "orders."] {
            try pub.send(topic)
        }
        try pub.send("orders.end")  // a sentinel: everything before it has been filtered
        var received: [String] = []
        while received.last != "orders.end" {
            received.append(try sub.expectString())
        }
        #expect(received == ["orders.placed", "couriers.7.location", "orders.", "orders.end"])
    }

    @Test func aSubscriberWithNoSubscriptionReceivesNothing() throws {
        let (pub, witness) = try pair(subscribing: [""])
        let silent = try pub.context.boundedSocket(.sub, timeout: .milliseconds(300))
        try silent.connect(try pub.lastEndpoint)
        try pub.send("hello")
        #expect(try witness.expectString() == "hello")  // messages do flow
        #expect(try silent.receive() == nil)
    }

    @Test func unsubscribeStopsDelivery() throws {
        let (pub, sub) = try pair(subscribing: ["a", "b"])
        try sub.unsubscribe("a")
        #expect(try pub.receive()?.bytes == [0, UInt8(ascii: "a")])  // the unsubscription reaches XPUB
        try pub.send("a1")
        try pub.send("b1")
        #expect(try sub.expectString() == "b1")
        #expect(try sub.receive(flags: .dontWait) == nil)
    }

    @Test func xpubReceivesSubscriptionAndUnsubscriptionFrames() throws {
        let context = try Context()
        let endpoint = uniqueInproc()
        let xpub = try context.boundedSocket(.xpub)
        try xpub.set(.xpubVerbose, true)
        try xpub.bind(endpoint)
        let first = try context.boundedSocket(.sub)
        let second = try context.boundedSocket(.sub)
        try first.connect(endpoint)
        try second.connect(endpoint)
        try first.subscribe("topic")
        try second.subscribe("topic")  // verbose: the duplicate is passed up too
        #expect(try xpub.receive()?.bytes == [1] + Array("topic".utf8))
        #expect(try xpub.receive()?.bytes == [1] + Array("topic".utf8))
        try first.unsubscribe("topic")
        try second.unsubscribe("topic")
        // Without XPUB_VERBOSER only the last unsubscription is passed up.
        #expect(try xpub.receive()?.bytes == [0] + Array("topic".utf8))
    }

    @Test func topicFramingWithMultipartMatchesOnTheFirstFrameOnly() throws {
        let (pub, sub) = try pair(subscribing: ["orders"])
        try pub.sendMultipart(["orders.placed", "{\"id\":1}"])
        try pub.sendMultipart(["payments", "orders"])  // "orders" in the body does not match
        try pub.sendMultipart(["orders.paid", "{\"id\":2}"])
        #expect(try sub.expectStrings() == ["orders.placed", "{\"id\":1}"])
        #expect(try sub.expectStrings() == ["orders.paid", "{\"id\":2}"])
    }

    @Test func invertMatchingDeliversEverythingElse() throws {
        let context = try Context()
        let endpoint = uniqueInproc()
        let pub = try context.boundedSocket(.xpub)
        try pub.set(.invertMatching, true)
        try pub.bind(endpoint)
        let sub = try context.boundedSocket(.sub)
        try sub.set(.invertMatching, true)
        try sub.connect(endpoint)
        try sub.subscribe("noise")
        _ = try #require(try pub.receive())
        try pub.send("noise.1")
        try pub.send("signal.1")
        #expect(try sub.expectString() == "signal.1")
    }
}
