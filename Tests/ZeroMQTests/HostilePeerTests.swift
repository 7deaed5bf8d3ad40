import Foundation
import Testing
import TestSupport
import ZeroMQ

/// Consumers against a hostile peer: `Tests/Interop/hostile_peer.py`, a
/// pyzmq process that speaks the channel wire format to attack them with
/// the messages that once crashed, muted or bloated them. The consumer runs
/// in a process of its own (`Tests/ChannelVictim`), so that its memory is
/// measured apart from this runner's other suites.
@Suite(
    "Hostile peers", .serialized, .timeLimit(.minutes(3)),
    // The consumer runs in a process of its own, so this runner has no races
    // to show here; under ThreadSanitizer the attack's load starved other suites.
    .disabled(if: underThreadSanitizer, "the plain test run attacks; this one looks for data races"))
struct HostilePeerTests {
    @Test(arguments: [("pub", "sub"), ("push", "pull")])
    func aConsumerOutlastsAHostilePeerWithBoundedMemory(peerKind: String, consumerKind: String) async throws {
        // The processes are waited for on a thread of their own, never on Swift's cooperative pool.
        let (json, peerSaid, peerStatus) = try await onThread("hostile-\(consumerKind)") {
            let peer = try PythonPeer(peerKind, script: "hostile_peer.py")
            let endpoint = try peer.readLine()
            let victim = try VictimProcess(consumerKind, endpoint)
            let json = try victim.output()
            return (json, try peer.readLine(), try peer.finish())
        }
        #expect(peerSaid == "sent")
        #expect(peerStatus == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        // The real publisher's 1,005 events and its final one, in order: none muted.
        #expect(report["real"] as? [Int] == Array(101...1105) + [2006])
        if consumerKind == "sub" { #expect(report["gaps"] as? Int == 0) }
        #expect(report["duplicates"] as? Int == 0)
        // The two crashing publishers' jumps, the spoofed number, and the real publisher going on below it.
        #expect(report["resets"] as? Int == 4)
        #expect(report["undecodable"] as? Int == HostileAttack.undecodable)
        #expect(report["received"] as? Int == HostileAttack.delivered)
        // The attack sends a message of a million frames (2 MB on the wire; the
        // reader once kept a million messages, 130 MB, for good) and 10,000
        // made-up publisher ids (once 57 MB a million, never forgotten). What a
        // consumer keeps of them is three frames and a table of at most 8,192
        // publishers. Measured once the allocator has handed back what was
        // freed: libzmq holds the million frames while they arrive. ThreadSanitizer's
        // allocator keeps what is freed, so its runs report no figure to check.
        if report["sanitized"] as? Bool == false {
            let grown = try #require(report["grown"] as? Int)
            #expect(grown < 32 << 20, "resident memory grew by \(grown >> 20) MiB during the attack")
        }
    }
}

/// What `hostile_peer.py` sends, as its docstring lists it.
enum HostileAttack {
    static let junk = 10_000
    static let spoofedPublishers = 10_000
    /// The junk and the message of a million frames. (JSONDecoder reads a payload that starts with a byte order mark.)
    static let undecodable = junk + 1
    /// The crashing four, the real publisher's 1,005 and its last, the spoof, the ancient one, the byte order mark, the spoofed publishers'.
    static let delivered = 4 + 1_005 + 1 + 1 + 1 + 1 + spoofedPublishers
}

/// `ChannelVictim KIND ENDPOINT`, built beside this test bundle, and its report.
final class VictimProcess {
    private let process: ChildProcess

    init(_ kind: String, _ endpoint: String) throws {
        let beside = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [beside] + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        let path = try #require(
            candidates.map { $0.appendingPathComponent("ChannelVictim").path }.first {
                FileManager.default.isExecutableFile(atPath: $0)
            }, "no ChannelVictim binary beside the tests: build with `swift build --build-tests`")
        process = try ChildProcess(path, [kind, endpoint])
    }

    /// What the victim printed as it exited: its report (it gives up after 100 s).
    func output() throws -> Data {
        let data = process.standardOutput!.readDataToEndOfFile()
        let status = process.exitBlocking(within: .seconds(10))
        try #require(status == 0, "ChannelVictim exited with \(status.map(String.init) ?? "nothing: still running")")
        return data
    }
}
