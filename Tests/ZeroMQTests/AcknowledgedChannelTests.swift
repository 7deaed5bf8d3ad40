import Foundation
import Synchronization
import Testing
import TestSupport
import ZeroMQ
import ZeroMQChannels

/// The acknowledged channel: every event is kept by its sender until the
/// receiver's handler has returned, and sent again to a receiver that comes back.
@Suite("Acknowledged channel", .timeLimit(.minutes(3)))
struct AcknowledgedChannelTests {
    static func fastResends() -> AcknowledgedSenderOptions {
        var options = AcknowledgedSenderOptions()
        options.resendAfter = .milliseconds(100)
        options.longestResendInterval = .milliseconds(400)
        return options
    }

    @Test func everyEventIsHandledOnceAndAcknowledgedInOrder() async throws {
        let context = try Context()
        let receiver = try AcknowledgedReceiver<OrderPlaced>(context: context, .bind(uniqueInproc()))
        let sender = try AcknowledgedSender<OrderPlaced>(context: context, .connect(receiver.endpoint))
        for id in 1...1_000 { try await sender.send(OrderPlaced(id: id, item: "x"), to: "orders") }
        var handled: [Int] = []
        while handled.count < 1_000 {
            try await receiver.receiveBatch { batch in handled += batch.map(\.event.id) }
        }
        #expect(handled == Array(1...1_000))
        #expect(try await sender.waitUntilAcknowledged(timeout: testTimeout))
        let counters = sender.counters
        #expect(counters.sent == 1_000)
        #expect(counters.acknowledged == 1_000)
        #expect(counters.inFlight == 0)
        #expect(receiver.counters.acknowledged == 1_000)
        sender.close()
    }

    /// A send waiting for room in the window ends, rather than hang, when the
    /// sender's context shuts down; so does a send after that.
    @Test func sendsEndWhenTheContextShutsDown() async throws {
        let context = try Context()
        var options = AcknowledgedSenderOptions()
        options.window = 1
        let sender = try AcknowledgedSender<OrderPlaced>(context: context, .connect(uniqueInproc()), options: options)
        try await sender.send(OrderPlaced(id: 1, item: "x"), to: "orders")
        let waiting = Task { try await sender.send(OrderPlaced(id: 2, item: "x"), to: "orders") }
        try await Task.sleep(for: .milliseconds(50))
        context.shutdown()
        await #expect(throws: ZMQError.self) { try await waiting.value }
        await #expect(throws: ZMQError.self) { try await sender.send(OrderPlaced(id: 3, item: "x"), to: "orders") }
        #expect(sender.counters.inFlight == 1)
    }

    /// Events taken apart from a handler (how the delivery store overlaps its
    /// commits) are acknowledged only when the caller says so. Until then a
    /// resent copy is dropped rather than taken twice; once released, the
    /// next copies are taken again, in order.
    @Test func takenEventsWaitForTheCallersAcknowledgementOrRelease() async throws {
        let context = try Context()
        typealias Receiver = AcknowledgedReceiver<OrderPlaced>
        let receiver = try Receiver(context: context, .bind(uniqueInproc()))
        let sender = try AcknowledgedSender<OrderPlaced>(
            context: context, .connect(receiver.endpoint), options: Self.fastResends())
        /// Takes `count` events, waiting at most `testTimeout` for them.
        func take(_ count: Int) async throws -> Receiver.Taken {
            var taken = Receiver.Taken()
            let deadline = ContinuousClock.now + testTimeout
            while taken.count < count {
                try #require(ContinuousClock.now < deadline, "only \(taken.count) of \(count) events came")
                #expect(try await receiver.take(into: &taken, waitingAtMost: .milliseconds(100)))
            }
            return taken
        }
        for id in 1...10 { try await sender.send(OrderPlaced(id: id, item: "x"), to: "orders") }
        let first = try await take(10)
        #expect(first.events.map(\.event.id) == Array(1...10))

        // Not acknowledged: the sender sends them again, and those copies are dropped while the first are in flight.
        let resent = ContinuousClock.now + testTimeout
        var meanwhile = Receiver.Taken()
        while receiver.counters.duplicates < 10 && ContinuousClock.now < resent {
            _ = try await receiver.take(into: &meanwhile, waitingAtMost: .milliseconds(50))
        }
        #expect(receiver.counters.duplicates >= 10)
        #expect(meanwhile.isEmpty)
        #expect(sender.counters.acknowledged == 0)

        receiver.release(first)
        // (Sorted: a resend wave that was under way at the release may come half dropped, half taken.)
        let again = try await take(10)
        #expect(again.events.map(\.event.id).sorted() == Array(1...10))
        try receiver.acknowledge(again)
        #expect(try await sender.waitUntilAcknowledged(timeout: testTimeout))
        #expect(receiver.counters.acknowledged == 10)
        sender.close()
    }

    /// A handler that throws acknowledges nothing of its batch: the sender
    /// sends it again, and the next batch has it.
    @Test func aBatchWhoseHandlerFailsIsSentAgain() async throws {
        let context = try Context()
        let receiver = try AcknowledgedReceiver<OrderPlaced>(context: context, .bind(uniqueInproc()))
        let sender = try AcknowledgedSender<OrderPlaced>(
            context: context, .connect(receiver.endpoint), options: Self.fastResends())
        try await sender.send(OrderPlaced(id: 1, item: "x"), to: "orders")
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await receiver.receiveBatch { _ in throw Refused() } }
        var handled: [Int] = []
        while handled.isEmpty { try await receiver.receiveBatch { handled += $0.map(\.event.id) } }
        #expect(handled == [1])
        #expect(try await sender.waitUntilAcknowledged(timeout: testTimeout))
        #expect(sender.counters.resent >= 1)
        sender.close()
    }

    /// The receiver's socket closes without lingering mid-stream (what a crash
    /// does to what it had not acknowledged) and a new one binds the same port:
    /// every event reaches a handler, and the events handled twice are only
    /// those the first receiver handled but could not acknowledge.
    @Test func aReceiverRestartedMidStreamLosesNothing() async throws {
        let context = try Context()
        var receiver = try AcknowledgedReceiver<OrderPlaced>(context: context, .bind("tcp://127.0.0.1:*"))
        let endpoint = receiver.endpoint
        let sender = try AcknowledgedSender<OrderPlaced>(
            context: context, .connect(endpoint), options: Self.fastResends())
        let sending = Task {
            for id in 1...2_000 { try await sender.send(OrderPlaced(id: id, item: "x"), to: "orders") }
        }
        var handled = Set<Int>()
        while handled.count < 700 { try await receiver.receiveBatch(limit: 100) { handled.formUnion($0.map(\.event.id)) } }
        receiver.socket.close(linger: .zero)
        receiver = try await receiverRebinding(endpoint, context: context)
        while handled.count < 2_000 { try await receiver.receiveBatch { handled.formUnion($0.map(\.event.id)) } }
        try await sending.value
        #expect(handled == Set(1...2_000))
        #expect(try await sender.waitUntilAcknowledged(timeout: testTimeout))
        #expect(sender.counters.acknowledged == 2_000)
        sender.close()
    }

    /// A sender with an outbox that closes before anything is acknowledged
    /// (no receiver yet) leaves its events there; a new sender on the same
    /// outbox sends them first, then its own.
    @Test func aSenderRestartedOnItsOutboxLosesNothing() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let context = try Context()
        let endpoint = "tcp://127.0.0.1:\(try freePort())"
        let publisherID = UUID()
        var options = Self.fastResends()
        let firstOutbox = try FileOutbox(path: path)
        options.outbox = firstOutbox
        let first = try AcknowledgedSender<OrderPlaced>(
            context: context, .connect(endpoint), publisherID: publisherID, options: options)
        // Each send waits for its own fsync here (one task sends), so the counts stay small.
        for id in 1...60 { try await first.send(OrderPlaced(id: id, item: "x"), to: "orders") }
        first.close()
        // What a process's exit does to its outbox: the file closes and its lock goes.
        firstOutbox.close()
        options.outbox = try await outboxReopened(path)
        #expect(try options.outbox?.load().count == 60)
        let second = try AcknowledgedSender<OrderPlaced>(
            context: context, .connect(endpoint), publisherID: publisherID, options: options)
        for id in 61...80 { try await second.send(OrderPlaced(id: id, item: "x"), to: "orders") }
        let receiver = try await receiverRebinding(endpoint, context: context)
        var handled: [Int] = []
        while handled.count < 80 { try await receiver.receiveBatch { handled += $0.map(\.event.id) } }
        #expect(handled.sorted() == Array(1...80))
        #expect(try await second.waitUntilAcknowledged(timeout: testTimeout))
        #expect(try options.outbox?.load().isEmpty == true)
        second.close()
    }

    /// A crash may leave half a record at the end of the journal: it is cut
    /// off when the outbox opens, so the next record stands on its own; and
    /// one process at a time holds an outbox.
    @Test func anOutboxCutsATornRecordAndIsHeldByOneOwner() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = OutboxEntry(id: UUID(), sequence: 1, frames: [Array("orders.".utf8), [1], [2, 3]])
        let second = OutboxEntry(id: UUID(), sequence: 2, frames: [Array("orders.".utf8), [4], []])
        do {
            let outbox = try FileOutbox(path: path)
            #expect(throws: ZMQError.self) { try FileOutbox(path: path) }
            try outbox.add([first])
        }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data([1] + [UInt8](repeating: 9, count: 20)))  // an add cut short
        try handle.close()
        do {
            let outbox = try await outboxReopened(path)
            #expect(try outbox.load() == [first])
            try outbox.add([second])
        }
        #expect(try await outboxReopened(path).load() == [first, second])
    }

    /// 100,000 events into a receiver slower than the sender: the sender
    /// suspends at its window instead of dropping or queueing without end,
    /// and every event arrives once, in order.
    @Test func aSlowReceiverSlowsTheSenderAndLosesNothing() async throws {
        let context = try Context()
        // Binary events that code themselves: the test is about the channel, not the codec.
        let receiver = try AcknowledgedReceiver<Numbered>(
            context: context, .bind(uniqueInproc()), codec: BinaryEventCodec())
        var options = AcknowledgedSenderOptions()
        options.window = 500
        let sender = try AcknowledgedSender<Numbered>(
            context: context, .connect(receiver.endpoint), codec: BinaryEventCodec(), options: options)
        // 2,000 under ThreadSanitizer, which looks for races, not volume: there 20,000
        // took 36 s of both cores and starved the delivery suites' 30 s waits.
        let count = underThreadSanitizer ? 2_000 : 100_000
        let largestInFlight = Mutex<UInt64>(0)
        let sending = Task {
            for id in 1...count {
                try await sender.send(Numbered(id: id), to: "orders")
                let inFlight = sender.counters.inFlight
                largestInFlight.withLock { $0 = max($0, inFlight) }
            }
        }
        var next = 1
        var inOrder = true
        while next <= count {
            try await receiver.receiveBatch(limit: 200) { batch in
                for received in batch {
                    inOrder = inOrder && received.event.id == next
                    next += 1
                }
                try await Task.sleep(for: .microseconds(200))
            }
        }
        try await sending.value
        #expect(inOrder)
        #expect(largestInFlight.withLock { $0 } <= 500)
        #expect(try await sender.waitUntilAcknowledged(timeout: testTimeout))
        #expect(sender.counters.acknowledged == UInt64(count))
        sender.close()
    }
}

/// An event that is only a number, written and read directly in the binary format.
struct Numbered: BinaryPayloadCodable, Sendable {
    var id: Int

    func write(to writer: inout BinaryPayloadWriter) {
        writer.beginStruct()
        writer.write(id)
    }

    static func read(from reader: inout BinaryPayloadReader) throws(ChannelError) -> Self {
        try reader.beginStruct()
        return Self(id: try reader.read())
    }
}

/// The outbox at `path`, whose lock a closed `FileOutbox` released a moment
/// ago: a child process that another test forks may still hold the
/// descriptor (and so the lock) until it execs, so the open is tried again
/// while it says the lock is held (bounded).
func outboxReopened(_ path: String) async throws -> FileOutbox {
    let deadline = ContinuousClock.now + testTimeout
    while true {
        let opened = Result { () throws(ZMQError) in try FileOutbox(path: path) }
        if case .failure(let error) = opened, error.code == .wouldBlock, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            continue
        }
        return try opened.get()
    }
}

/// A receiver bound to `endpoint`, which a socket closed a moment ago may
/// still hold: libzmq closes a listener on its I/O thread after `zmq_close`
/// returns, so the bind is tried again until the port is free (bounded).
func receiverRebinding(_ endpoint: String, context: Context) async throws -> AcknowledgedReceiver<OrderPlaced> {
    let deadline = ContinuousClock.now + testTimeout
    while true {
        let bound = Result { () throws(ZMQError) in
            try AcknowledgedReceiver<OrderPlaced>(context: context, .bind(endpoint))
        }
        if case .failure(let error) = bound, error.code == ZMQError.Code.addressInUse, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            continue
        }
        return try bound.get()
    }
}

/// A TCP port that was free a moment ago, for a test that must bind the same
/// endpoint twice or name it before anything binds it (outside the ephemeral range).
func freePort() throws -> Int {
    try freeLoopbackPorts()
}

/// The acknowledged channel against `Tests/Interop/acknowledged_peer.py`, a
/// pyzmq end written from the README's description of the protocol.
@Suite("Acknowledged channel against pyzmq", .timeLimit(.minutes(2)))
struct AcknowledgedInteropTests {
    @Test func aPyzmqReceiverGetsEverythingAlsoWhenKilledAndRestarted() async throws {
        var peer = try PythonPeer("receive", "300", script: "acknowledged_peer.py")
        let endpoint = try await peer.line()
        let context = try Context()
        let sender = try AcknowledgedSender<OrderPlaced>(
            context: context, .connect(endpoint), options: AcknowledgedChannelTests.fastResends())
        let sending = Task {
            for id in 1...300 { try await sender.send(OrderPlaced(id: id, item: "swift"), to: "orders") }
        }
        var seen = Set<Int>()
        func readEvent() async throws {
            let line = try await peer.line()
            let order = try JSONDecoder().decode(OrderPlaced.self, from: Data(line.utf8))
            seen.insert(order.id)
        }
        while seen.count < 100 { try await readEvent() }
        peer.process.send(SIGKILL)
        // What it printed before it died: it prints an event before acknowledging it.
        while (try? await readEvent()) != nil {}
        _ = try await peer.exitStatus()
        peer = try PythonPeer("receive", "0", endpoint, script: "acknowledged_peer.py")
        #expect(try await peer.line() == endpoint)
        try await sending.value
        while seen.count < 300 { try await readEvent() }
        #expect(seen == Set(1...300))
        #expect(try await sender.waitUntilAcknowledged(timeout: testTimeout))
        #expect(sender.counters.acknowledged == 300)
        sender.close()
    }

    @Test func aPyzmqSenderIsAcknowledgedAndDeduplicated() async throws {
        let context = try Context()
        let receiver = try AcknowledgedReceiver<OrderPlaced>(context: context, .bind("tcp://127.0.0.1:*"))
        let peer = try PythonPeer("send", "200", receiver.endpoint, script: "acknowledged_peer.py")
        var handled: [Int] = []
        while handled.count < 200 { try await receiver.receiveBatch { handled += $0.map(\.event.id) } }
        #expect(handled.sorted() == Array(1...200))
        #expect(Set(handled).count == handled.count)
        // Acknowledge the resends the peer may still make until it has every acknowledgement.
        let draining = Task { [receiver] in
            while !Task.isCancelled { _ = try? await receiver.receiveBatch { _ in } }
        }
        defer { draining.cancel() }
        #expect(try await peer.line() == "acknowledged")
        draining.cancel()
        #expect(try await peer.exitStatus() == 0)
    }
}
