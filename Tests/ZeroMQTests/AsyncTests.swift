import Foundation
import Testing
import TestSupport
import ZeroMQ

/// Async send and receive wait on readiness (ZMQ_FD + ZMQ_EVENTS), never by
/// blocking a cooperative thread. The suite's time limit cancels a stuck test,
/// and cancellation ends every async wait.
@Suite("Async sockets", .timeLimit(.minutes(1)))
struct AsyncTests {
    @Test func asyncReceiveWaitsForAMessageSentLater() async throws {
        let context = try Context()
        let endpoint = uniqueInproc()
        let pull = try context.boundedSocket(.pull)
        try pull.bind(endpoint)
        let sender = Task {
            try await Task.sleep(for: .milliseconds(50))
            let push = try context.boundedSocket(.push)
            try push.connect(endpoint)
            try await push.send("late")
        }
        let message = try await pull.receive()
        #expect(message.string == "late")
        try await sender.value
    }

    @Test func messagesSequenceDeliversInOrderAndEndsOnShutdown() async throws {
        let context = try Context()
        let pull = try context.boundedSocket(.pull)
        let endpoint = try pull.bind("tcp://127.0.0.1:*")
        let producer = Task {
            let push = try context.boundedSocket(.push)
            try push.connect(endpoint)
            for index in 0..<500 { try await push.sendMultipart(["item", "\(index)"]) }
            push.close(linger: testTimeout)  // let queued messages go out before the socket goes
        }
        var received: [String] = []
        for try await frames in pull.messages {
            received.append(frames[1].string ?? "?")
            if received.count == 500 { context.shutdown() }
        }
        #expect(received == (0..<500).map { "\($0)" })
        _ = await producer.result
    }

    @Test func cancellingATaskEndsItsPendingReceivePromptly() async throws {
        let context = try Context()
        let endpoint = uniqueInproc()
        let waiting = Task {
            let pull = try context.boundedSocket(.pull)
            try pull.bind(endpoint)
            _ = try await pull.receive()
        }
        try await Task.sleep(for: .milliseconds(50))
        let cancelledAt = ContinuousClock.now
        waiting.cancel()
        let result = await waiting.result
        // An async receive has no timeout: one that cancellation did not end would
        // wait for ever. The bound only tells the two apart; it is generous because
        // the other suites, all running at once (under ThreadSanitizer too), can
        // hold both cores for several seconds (6.3 s seen in a CI run).
        #expect(ContinuousClock.now - cancelledAt < .seconds(30))
        #expect(throws: CancellationError.self) { try result.get() }
    }

    @Test func shutdownEndsAPendingReceiveWithTerminated() async throws {
        let context = try Context()
        let waiting = Task {
            let sub = try context.boundedSocket(.sub)
            try sub.subscribe()
            try sub.connect(uniqueInproc())
            _ = try await sub.receive()
        }
        try await Task.sleep(for: .milliseconds(50))
        context.shutdown()
        let error = await #expect(throws: ZMQError.self) { try await waiting.value }
        #expect(error?.isTerminated == true)
    }

    @Test func asyncSendSuspendsAtTheHighWaterMarkUntilTheConsumerCatchesUp() async throws {
        let context = try Context()
        let endpoint = uniqueInproc()
        let pull = try context.boundedSocket(.pull)
        try pull.set(.receiveHighWaterMark, 10)
        try pull.bind(endpoint)
        let producer = Task {
            let push = try context.boundedSocket(.push)
            try push.set(.sendHighWaterMark, 10)
            try push.connect(endpoint)
            for index in 0..<5_000 { try await push.send(frame(index)) }
        }
        var next = 0
        while next < 5_000 {
            let message = try await pull.receive()
            #expect(number(message) == next)
            next += 1
        }
        try await producer.value
    }

    /// 1,000 subscriber sockets, each awaiting in its own task, in one process on
    /// two cores: there is no thread per socket, so this only passes if waiting
    /// costs no thread.
    @Test func thousandAwaitingSubscribersAllMakeProgress() async throws {
        let subscribers = 1_000
        // Each socket holds an eventfd, and the suites running meanwhile hold about 500 descriptors.
        try #require(
            openFileLimit >= 2 * subscribers, "the open-file limit is \(openFileLimit); this test needs \(2 * subscribers)")
        let context = try Context(maxSockets: subscribers + 10)
        let endpoint = uniqueInproc()
        let pub = try context.boundedSocket(.xpub)
        try pub.set(.xpubVerbose, true)  // one subscription message per subscriber
        try pub.bind(endpoint)
        let tasks = (0..<subscribers).map { index in
            Task { () throws -> Int in
                let sub = try context.boundedSocket(.sub)
                try sub.subscribe("tick")
                try sub.connect(endpoint)
                var ticks = 0
                while ticks < 3 {
                    let message: Message = try await sub.receive()
                    if message.string?.hasPrefix("tick") == true { ticks += 1 }
                }
                _ = index
                return ticks
            }
        }
        for _ in 0..<subscribers { _ = try await pub.receive() }  // every subscriber has joined
        for round in 0..<3 { try await pub.send("tick \(round)") }
        var finished = 0
        for task in tasks { finished += try await task.value == 3 ? 1 : 0 }
        #expect(finished == subscribers)
    }
}
