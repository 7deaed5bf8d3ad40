import Foundation
import Logging
import ZeroMQ
import ZeroMQChannels

/// The event bus: an XSUB/XPUB forwarder that every service publishes into and
/// subscribes from, so that no producer needs to know its consumers. Its
/// capture tap (a PUB socket) gets a copy of all traffic.
public final class EventBus: Sendable {
    private let proxy: Proxy
    /// The endpoints bound: publish into, subscribe from, and the tap.
    public let endpoints: Proxy.Endpoints

    /// Binds the bus at `addresses.bus` (and the next two ports) and starts forwarding.
    public init(context: Context, addresses: Addresses, logger: Logger? = nil) throws {
        func bind(_ endpoint: String) -> Endpoint { .bind(addresses.bindable(endpoint)) }
        proxy = Proxy(
            context: context, kind: .forwarder, frontend: bind(addresses.busPublish),
            backend: bind(addresses.busSubscribe), capture: .publish(bind(addresses.busTap)),
            logger: logger ?? Logger(label: "delivery.bus"))
        endpoints = try proxy.start()
    }

    /// Stops forwarding and closes the bus's sockets.
    public func stop() { try? proxy.stop() }
}

/// Counts the bytes on the wire per topic, from the bus's capture tap: the
/// figures behind the report's complete-vs-pointer table.
public final class WireMeter: Sendable {
    /// Messages and bytes (all frames: topic, envelope, payload) seen for one topic.
    public struct Tally: Sendable, Hashable {
        public var messages = 0
        public var bytes = 0
    }

    private let tallies = Shared<[String: Tally]>([:])

    public init() {}

    /// What has been seen so far, by topic name.
    public var snapshot: [String: Tally] { tallies.value }

    /// Reads the tap until cancelled or the context is shut down.
    public func run(context: Context, tap endpoint: String) async throws {
        let socket = try context.socket(.sub)
        defer { socket.close(linger: .zero) }
        try socket.subscribe(bytes: [])
        try socket.connect(endpoint)
        for try await frames in socket.messages {
            // Single frames are subscriptions and proxy commands, not events.
            guard let topic = ChannelMessage(frames)?.topic else { continue }
            let bytes = frames.reduce(0) { $0 + $1.count }
            tallies.modify {
                $0[topic, default: Tally()].messages += 1; $0[topic, default: Tally()].bytes += bytes
            }
        }
    }
}
