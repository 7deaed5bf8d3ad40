// A small pub/sub demo: a publisher and two subscribers with different topic
// filters, on threads of their own, over loopback TCP. Shows messages flowing
// and which subscriber receives what.
import Foundation
import ZeroMQ

let context = try Context(defaultLinger: .seconds(1))
let publisher = try context.socket(.xpub)
let endpoint = try publisher.bind("tcp://127.0.0.1:*")
print("publisher bound to \(endpoint) (libzmq \(LibZMQ.versionString))")

let subscriptions = [("orders", ["orders."]), ("everything", [""])]
let done = DispatchGroup()
let tally = Tally()
for (name, topics) in subscriptions {
    done.enter()
    Thread.detachNewThread {
        defer { done.leave() }
        do {
            let sub = try context.socket(.sub)
            try sub.set(.receiveTimeout, .seconds(5))
            try sub.connect(endpoint)
            for topic in topics { try sub.subscribe(topic) }
            while let frames = try sub.receiveMultipart() {
                let text = frames.map { $0.string ?? "<\($0.count) bytes>" }
                print("  [\(name)] received \(text.joined(separator: " | "))")
                tally.count(name)
                if text.first == "orders.end" { break }
            }
        } catch {
            print("  [\(name)] \(error)")
        }
    }
}

// XPUB hands us each subscription, so we publish only once everyone has joined.
var joined = 0
try publisher.set(.receiveTimeout, .seconds(5))
while joined < 2, let subscription = try publisher.receive() {
    print("publisher saw subscription to \"\(String(decoding: subscription.bytes.dropFirst(), as: UTF8.self))\"")
    joined += 1
}

let events = [
    ("orders.placed", "{\"order\":1,\"item\":\"pizza\"}"),
    ("couriers.7.location", "{\"lat\":52.37,\"lon\":4.89}"),
    ("orders.delivered", "{\"order\":1}"),
    ("payments.captured", "{\"order\":1,\"amount\":12.5}"),
    ("orders.end", ""),
]
for (topic, body) in events {
    print("publisher sends \(topic)")
    try publisher.sendMultipart([topic, body])
}
done.wait()
for (name, _) in subscriptions {
    print("\"\(name)\" received \(tally.received(name)) of \(events.count) messages")
}

/// Messages received per subscriber, counted across threads.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func count(_ name: String) { lock.withLock { counts[name, default: 0] += 1 } }
    func received(_ name: String) -> Int { lock.withLock { counts[name, default: 0] } }
}
