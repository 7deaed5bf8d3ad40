import Foundation
import Testing
import ZeroMQ

/// Consumers against a hostile peer: `Tests/Interop/hostile_peer.py`, a
/// pyzmq process that speaks the channel wire format to attack them with
/// the messages that once crashed, muted or bloated them.
@Suite("Hostile peers", .timeLimit(.minutes(3)))
struct HostilePeerTests {
    @Test func aSubscriberOutlastsAHostilePublisherWithBoundedMemory() async throws {
        let peer = try PythonPeer("pub", script: "hostile_peer.py")
        let endpoint = try peer.readLine()
        let context = try Context()
        let subscriber = try Subscriber<OrderPlaced>(context: context, .connect(endpoint))
        let outcome = try await outlastTheAttack(context: context, next: subscriber.next)
        #expect(try peer.readLine() == "sent")
        #expect(try peer.finish() == 0)
        outcome.expectEveryEventOfTheRealPublisher()
        let counters = subscriber.counters
        #expect(counters.gaps == 0)
        #expect(counters.duplicates == 0)
        // The two crashing publishers' jumps, the spoofed number, and the real publisher going on below it.
        #expect(counters.resets == 4)
        #expect(counters.undecodable == HostileAttack.undecodable)
        #expect(counters.received == HostileAttack.delivered)
        outcome.expectBoundedMemory()
    }

    @Test func aPullerOutlastsAHostilePusherWithBoundedMemory() async throws {
        let peer = try PythonPeer("push", script: "hostile_peer.py")
        let endpoint = try peer.readLine()
        let context = try Context()
        let puller = try Puller<OrderPlaced>(context: context, .connect(endpoint))
        let outcome = try await outlastTheAttack(context: context, next: puller.next)
        #expect(try peer.readLine() == "sent")
        #expect(try peer.finish() == 0)
        outcome.expectEveryEventOfTheRealPublisher()
        let counters = puller.counters
        #expect(counters.duplicates == 0)
        #expect(counters.resets == 4)
        #expect(counters.undecodable == HostileAttack.undecodable)
        #expect(counters.received == HostileAttack.delivered)
        outcome.expectBoundedMemory()
    }
}

/// What `hostile_peer.py` sends, as its docstring lists it.
enum HostileAttack {
    static let junk: UInt64 = 10_000
    static let spoofedPublishers: UInt64 = 10_000
    /// The junk and the message of a million frames. (JSONDecoder reads a payload that starts with a byte order mark.)
    static let undecodable: UInt64 = junk + 1
    /// The crashing four, the real publisher's 1,005 and its last, the spoof, the ancient one, the byte order mark, the spoofed publishers'.
    static let delivered: UInt64 = 4 + 1_005 + 1 + 1 + 1 + 1 + spoofedPublishers
}

/// What a consumer received of the attack, and its memory around it.
struct AttackOutcome {
    var realIDs: [Int] = []
    var residentBefore = 0
    var residentAfter = 0

    /// The real publisher's 1,005 events and its final one, in order: none muted.
    func expectEveryEventOfTheRealPublisher() {
        #expect(realIDs == Array(101...1105) + [2006])
    }

    /// The attack sends a message of a million frames (1.5 MB on the wire, once
    /// 130 MB held for good) and 10,000 made-up publisher ids (once 57 MB per
    /// million). What a consumer keeps of them is bounded: three frames and a
    /// table of 8,192 publishers. libzmq queues the big message whole while it
    /// arrives, and the allocator may keep some of that, hence the margin.
    func expectBoundedMemory() {
        let grown = residentAfter - residentBefore
        #expect(grown < 96 << 20, "resident memory grew by \(grown >> 20) MiB during the attack")
    }
}

/// Receives until the attack's final event, at most 100 s (then the context
/// is shut down, the receive ends, and the test fails on what is missing).
func outlastTheAttack(
    context: Context, next: () async throws -> ReceivedEvent<OrderPlaced>?
) async throws -> AttackOutcome {
    var outcome = AttackOutcome(residentBefore: residentMemory())
    let watchdog = Task.detached {
        try await Task.sleep(for: .seconds(100))
        context.shutdown()
    }
    defer { watchdog.cancel() }
    while let received = try await next() {
        let id = received.event.id
        if (101...1105).contains(id) || id == 2006 { outcome.realIDs.append(id) }
        if received.event.item == "final" { break }
    }
    outcome.residentAfter = residentMemory()
    return outcome
}

/// This process's resident memory in bytes, from `/proc/self/status` (`VmRSS`).
func residentMemory(of process: String = "self") -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { return 0 }
    return kilobytes * 1_024
}
