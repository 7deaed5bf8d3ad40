import Testing
import ZeroMQ

@Suite("REQ/REP and DEALER/ROUTER")
struct ReqRepTests {
    @Test func reqRepRunInLockstep() throws {
        let context = try Context()
        let (rep, req) = try context.connectedPair(.rep, .req)
        for round in 0..<10 {
            try req.send("ping \(round)")
            #expect(try rep.expectString() == "ping \(round)")
            try rep.send("pong \(round)")
            #expect(try req.expectString() == "pong \(round)")
        }
    }

    @Test func reqOutOfTurnFailsWithFiniteStateMachineError() throws {
        let context = try Context()
        let (rep, req) = try context.connectedPair(.rep, .req)
        try req.send("first")
        let error = #expect(throws: ZMQError.self) { try req.send("second") }
        #expect(error?.code == ZMQError.Code.invalidState)
        #expect(error?.codeName == "EFSM")
        #expect(error?.description.contains("send") == true)
        // A REP may not reply before it has received.
        let lonelyRep = try context.boundedSocket(.rep)
        #expect(throws: ZMQError.self) { try lonelyRep.send("reply to nobody") }
        withExtendedLifetime(rep) {}  // the peer stays connected throughout
    }

    @Test func reqRelaxedAndCorrelatedAllowsANewRequest() throws {
        let context = try Context()
        let endpoint = uniqueInproc()
        let rep = try context.boundedSocket(.rep)
        try rep.bind(endpoint)
        let req = try context.boundedSocket(.req)
        try req.set(.requestRelaxed, true)
        try req.set(.requestCorrelate, true)
        try req.connect(endpoint)
        try req.send("lost")
        try req.send("retry")
        #expect(try rep.expectString() == "lost")
        try rep.send("stale reply")
        #expect(try rep.expectString() == "retry")
        try rep.send("fresh reply")
        // The stale reply does not match the latest request id and is dropped.
        #expect(try req.expectString() == "fresh reply")
    }

    @Test func routerAddressesDealersByRoutingID() throws {
        let context = try Context()
        let endpoint = uniqueInproc()
        let router = try context.boundedSocket(.router)
        try router.set(.routerMandatory, true)
        try router.bind(endpoint)
        var dealers: [Socket] = []
        for name in ["alice", "bob"] {
            let dealer = try context.boundedSocket(.dealer)
            try dealer.set(.routingID, Array(name.utf8))
            #expect(try dealer.get(.routingID) == Array(name.utf8))
            try dealer.connect(endpoint)
            try dealer.send("hello from \(name)")
            dealers.append(dealer)
        }
        var seen: [String: String] = [:]
        for _ in 0..<2 {
            let frames = try router.expectStrings()
            #expect(frames.count == 2)
            seen[frames[0]] = frames[1]
        }
        #expect(seen == ["alice": "hello from alice", "bob": "hello from bob"])
        try router.sendMultipart(["bob", "for bob"])
        try router.sendMultipart(["alice", "for alice"])
        #expect(try dealers[0].expectString() == "for alice")
        #expect(try dealers[1].expectString() == "for bob")
        // With ROUTER_MANDATORY an unknown id is an error, not a silent drop.
        let error = #expect(throws: ZMQError.self) { try router.sendMultipart(["carol", "lost?"]) }
        #expect(error?.code == ZMQError.Code.hostUnreachable)
    }

    @Test func pairTalksBothWaysOverInproc() throws {
        let context = try Context()
        let (left, right) = try context.connectedPair(.pair, .pair)
        try left.send("to the right")
        try right.send("to the left")
        #expect(try right.expectString() == "to the right")
        #expect(try left.expectString() == "to the left")
    }

    @Test func streamSocketTalksRawTCP() throws {
        let context = try Context()
        let server = try context.boundedSocket(.stream)
        let endpoint = try server.bind("tcp://127.0.0.1:*")
        let client = try context.boundedSocket(.stream)
        try client.connect(endpoint)
        let notification = try #require(try client.receiveMultipart())  // [peer id][empty] on connect
        #expect(notification.count == 2 && notification[1].count == 0)
        let request = Array("GET / HTTP/1.0\r\n\r\n".utf8)
        try client.sendMultipart([notification[0].bytes, request])
        var received: [UInt8] = []
        while received.count < request.count {
            let frames = try #require(try server.receiveMultipart())
            #expect(frames.count == 2)
            received += frames[1].bytes  // empty for the server's own connect notification
        }
        #expect(received == request)
    }
}
