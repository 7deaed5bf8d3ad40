import Foundation
import Synchronization
import Testing
import ZeroMQ

@Suite("PUSH/PULL")
struct PushPullTests {
    @Test func pushRoundRobinsEvenlyOverConnectedPullers() throws {
        let context = try Context()
        let endpoints = (0..<3).map { uniqueInproc("rr\($0)") }
        let pullers = try endpoints.map { endpoint in
            let pull = try context.boundedSocket(.pull)
            try pull.bind(endpoint)
            return pull
        }
        let push = try context.boundedSocket(.push)
        for endpoint in endpoints { try push.connect(endpoint) }
        for index in 0..<30 { try push.send(frame(index)) }
        for (position, pull) in pullers.enumerated() {
            var got: [Int] = []
            for _ in 0..<10 { got.append(number(try #require(try pull.receive()))) }
            #expect(got == Array(stride(from: position, to: 30, by: 3)))
            #expect(try pull.receive(flags: .dontWait) == nil)
        }
    }

    @Test func pullFairQueuesFromSeveralPushers() throws {
        let context = try Context()
        let endpoint = uniqueInproc()
        let pull = try context.boundedSocket(.pull)
        try pull.bind(endpoint)
        let pushers = try (0..<3).map { _ in
            let push = try context.boundedSocket(.push)
            try push.connect(endpoint)
            return push
        }
        for (pusher, push) in pushers.enumerated() {
            for sequence in 0..<2 { try push.send("\(pusher)-\(sequence)") }
        }
        var order: [String] = []
        for _ in 0..<6 { order.append(try pull.expectString()) }
        // Fair queueing takes one message from each pusher in turn.
        #expect(order == ["0-0", "1-0", "2-0", "0-1", "1-1", "2-1"])
    }

    /// Two pushers, three pullers, over TCP, each on its own thread: 100,000
    /// numbered messages, every one delivered exactly once.
    @Test(.timeLimit(.minutes(2)))
    func hundredThousandMessagesAreDeliveredExactlyOnce() async throws {
        let total = 100_000
        let pushers = 2
        let context = try Context()
        // Pullers bind first, on their own threads, and report their endpoints.
        let shared = Shared()
        let pullTasks = (0..<3).map { index in
            Task {
                try await onThread("puller-\(index)") { () throws -> [Int] in
                    let pull = try context.boundedSocket(.pull, timeout: .milliseconds(100))
                    try pull.set(.receiveHighWaterMark, 0)
                    let endpoint = try pull.bind("tcp://127.0.0.1:*")
                    shared.add(endpoint)
                    var numbers: [Int] = []
                    let message = Message()
                    let deadline = ContinuousClock.now + testTimeout * 3
                    while shared.received.load(ordering: .relaxed) < total && ContinuousClock.now < deadline {
                        if try pull.receive(into: message) {
                            numbers.append(number(message))
                            shared.received.add(1, ordering: .relaxed)
                        }
                    }
                    return numbers
                }
            }
        }
        while shared.bound.count < 3 { try await Task.sleep(for: .milliseconds(5)) }
        let targets = shared.bound
        let pushTasks = (0..<pushers).map { pusher in
            Task {
                try await onThread("pusher-\(pusher)") { () throws -> Int in
                    let push = try context.boundedSocket(.push)
                    try push.set(.sendHighWaterMark, 0)
                    for endpoint in targets { try push.connect(endpoint) }
                    var refused = 0
                    for sequence in stride(from: pusher, to: total, by: pushers) where try !push.send(frame(sequence)) {
                        refused += 1
                    }
                    push.close(linger: testTimeout)
                    return refused
                }
            }
        }
        for task in pushTasks { #expect(try await task.value == 0, "sends timed out") }
        var perPuller: [[Int]] = []
        for task in pullTasks { perPuller.append(try await task.value) }
        let all = perPuller.flatMap { $0 }
        let unique = Set(all)
        #expect(all.count == total, "lost \(total - unique.count), duplicated \(all.count - unique.count)")
        #expect(unique.count == total)
        #expect(unique == Set(0..<total))
        // Round-robin spreads the work over every puller.
        for numbers in perPuller { #expect(numbers.count > total / 10) }
    }

    @Test func pushBlocksAtTheHighWaterMarkAndDontWaitSaysSo() throws {
        let context = try Context()
        let push = try context.boundedSocket(.push)
        try push.set(.sendHighWaterMark, 5)
        try push.connect(uniqueInproc())  // a pipe to a peer that never reads
        var accepted = 0
        while try push.send(frame(accepted), flags: .dontWait) { accepted += 1 }
        #expect(accepted >= 5)
        #expect(accepted < 100)
        // A blocking send with a short timeout also reports it as a value.
        try push.set(.sendTimeout, .milliseconds(50))
        #expect(try push.send("more") == false)
    }
}

/// State the threads of one test share.
private final class Shared: @unchecked Sendable {
    let received = Atomic<Int>(0)
    private let lock = NSLock()
    private var endpoints: [String] = []
    var bound: [String] { lock.withLock { endpoints } }
    func add(_ endpoint: String) { lock.withLock { endpoints.append(endpoint) } }
}
