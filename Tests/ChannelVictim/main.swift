// ChannelVictim: a Subscriber or a Puller in a process of its own, for the
// hostile-peer tests, so that its memory is measured apart from the test
// runner's other suites. It receives until the attack's final event (at most
// 100 s), then prints one JSON object: its counters, the real publisher's
// events in the order received, and how much its resident memory grew.
//
//   ChannelVictim sub|pull ENDPOINT

import Foundation
import ZeroMQ
import ZeroMQChannels

struct OrderPlaced: Codable, Sendable {
    var id: Int
    var item: String
}

/// Resident memory in bytes (`VmRSS`), once the allocator has returned what
/// was freed (glibc's `malloc_trim`, looked up: no Swift module exports malloc.h).
func residentMemory() -> Int {
    if let trim = dlsym(nil, "malloc_trim") {
        _ = unsafeBitCast(trim, to: (@convention(c) (Int) -> Int32).self)(0)
    }
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kilobytes * 1_024
}

let arguments = CommandLine.arguments
guard arguments.count == 3, ["sub", "pull"].contains(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: ChannelVictim sub|pull ENDPOINT\n".utf8))
    exit(2)
}
let context = try Context()
let watchdog = Thread {
    Thread.sleep(forTimeInterval: 100)
    context.shutdown()
}
watchdog.start()

/// Runs the consumer until the final event and returns its report.
nonisolated func victim(_ kind: String, _ endpoint: String, context: Context) async throws -> Data {
    let before = residentMemory()
    let counters: ChannelCounters
    let real: [Int]
    if kind == "sub" {
        let subscriber = try Subscriber<OrderPlaced>(context: context, .connect(endpoint))
        real = try await consume(subscriber.next)
        counters = subscriber.counters
    } else {
        let puller = try Puller<OrderPlaced>(context: context, .connect(endpoint))
        real = try await consume(puller.next)
        counters = puller.counters
    }
    let report: [String: Any] = [
        "received": counters.received, "gaps": counters.gaps, "duplicates": counters.duplicates,
        "resets": counters.resets, "undecodable": counters.undecodable, "real": real,
        "grown": residentMemory() - before,
        // ThreadSanitizer's allocator keeps what is freed and shadows all memory touched.
        "sanitized": dlsym(nil, "__tsan_init") != nil,
    ]
    return try JSONSerialization.data(withJSONObject: report)
}

/// The real publisher's events, in the order received, until the final one.
nonisolated func consume(_ next: () async throws -> ReceivedEvent<OrderPlaced>?) async throws -> [Int] {
    var real: [Int] = []
    while let received = try await next() {
        let id = received.event.id
        if (101...1105).contains(id) || id == 2006 { real.append(id) }
        if received.event.item == "final" { break }
    }
    return real
}

print(String(decoding: try await victim(arguments[1], arguments[2], context: context), as: UTF8.self))
