import Foundation
import Logging
import ZeroMQ

/// Tells customers their order arrived. It subscribes to `Delivered` events,
/// which name the order but not the customer, so it fetches the order from the
/// store (resolving a pointer costs a round trip). It is idempotent by event
/// id: a second `Delivered` for the same order is recognised and not notified.
public struct Notifier: Sendable {
    public let context: Context
    public let addresses: Addresses
    public var logger = Logger(label: "delivery.notifier")
    /// Customers notified.
    public let notified = Counter()
    /// `Delivered` events already notified, skipped.
    public let duplicatesSkipped = Counter()
    /// Orders fetched from the store.
    public let storeLookups = Counter()

    public init(context: Context, addresses: Addresses) {
        self.context = context
        self.addresses = addresses
    }

    /// Runs until cancelled or the context is shut down; `say` prints one notification.
    public func run(say: @Sendable (String) -> Void) async throws {
        let deliveries = try Subscriber<DeliveryEvent>(
            context: context, .connect(addresses.busSubscribe), topics: [EventKind.delivered.topic], logger: logger)
        let store = try StoreClient(context: context, addresses: addresses)
        var seen: Set<UUID> = []
        for try await received in deliveries.events {
            guard case .delivered(let delivered) = received.event else { continue }
            guard seen.insert(delivered.eventID).inserted else {
                duplicatesSkipped.add()
                continue
            }
            storeLookups.add()
            guard let order = try await store.order(delivered.orderID) else {
                logger.warning(
                    "delivered an order the store does not have", metadata: ["order": "\(delivered.orderID)"])
                continue
            }
            notified.add()
            say(
                "notify \(order.customer): order #\(order.orderID) (\(order.items.joined(separator: ", "))) "
                    + "was delivered to \(order.dropoff) by courier \(delivered.courierID)")
        }
    }
}
