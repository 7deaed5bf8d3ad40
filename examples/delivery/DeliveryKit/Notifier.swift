import Foundation
import GRDB
import Logging
import ZeroMQ

/// Tells customers their order arrived. It follows the store's committed feed
/// with a ``CatchUpSubscription`` from its own checkpoint. A `Delivered` names
/// the order but not the customer, so it takes the customer from the order's
/// complete `OrderPlaced` (fetched from the store: the feed carries pointers).
///
/// Each order is notified once, across restarts: the ``NotificationLog`` takes
/// the notification and the checkpoint in one transaction, and only a
/// notification it took for the first time is said.
public struct Notifier: Sendable {
    public let context: Context
    public let addresses: Addresses
    public let log: NotificationLog
    public var logger = Logger(label: "delivery.notifier")
    /// Customers notified by this run.
    public let notified = Counter()
    /// `Delivered` events of orders already notified (a replay after a restart), skipped.
    public let duplicatesSkipped = Counter()
    /// Orders fetched from the store one by one (placed before the checkpoint).
    public let storeLookups = Counter()
    /// The store's feed, as this notifier follows it.
    public let feed: CatchUpSubscription

    public init(context: Context, addresses: Addresses, log: NotificationLog) {
        self.context = context
        self.addresses = addresses
        self.log = log
        feed = CatchUpSubscription(context: context, addresses: addresses, logger: logger)
    }

    /// Runs until cancelled or the context is shut down; `say` prints one notification.
    public func run(say: @Sendable (String) -> Void) async throws {
        let store = try StoreClient(context: context, addresses: addresses)
        var orders: [Int: OrderPlaced] = [:]
        try await feed.run(from: try await log.checkpoint()) { batch in
            var notifications: [(order: Int, line: String)] = []
            for stored in batch {
                switch stored.event {
                case .orderPlaced(let order): orders[order.orderID] = order
                case .delivered(let delivered):
                    var order = orders.removeValue(forKey: delivered.orderID)
                    if order == nil {
                        storeLookups.add()
                        order = try await store.untilAnswered("order \(delivered.orderID)", logger: logger) {
                            try await $0.order(delivered.orderID)
                        }
                    }
                    guard let order else {
                        logger.warning(
                            "delivered an order the store does not have", metadata: ["order": "\(delivered.orderID)"])
                        continue
                    }
                    notifications.append(
                        (
                            order.orderID,
                            "notify \(order.customer): order #\(order.orderID) (\(order.items.joined(separator: ", "))) "
                                + "was delivered to \(order.dropoff) by courier \(delivered.courierID)"
                        ))
                default: break
                }
            }
            let new = try await log.record(notifications, checkpoint: batch.last?.sequence ?? 0)
            duplicatesSkipped.add(notifications.count - new.count)
            for line in new {
                notified.add()
                say(line)
            }
        }
    }
}

/// The notifier's own small database: the notifications it has made (one per
/// order) and how far it has read the store's feed, changed together in one
/// transaction.
public final class NotificationLog: Sendable {
    private let database: any DatabaseWriter

    /// Opens (creating if needed) the log in the SQLite file at `path`, or in memory when `path` is `nil`.
    public init(path: String?) throws {
        database = try openReadModel(
            path: path, "v1", schema: "CREATE TABLE notifications (order_id INTEGER PRIMARY KEY, line TEXT NOT NULL);")
    }

    /// The last feed sequence number handled.
    public func checkpoint() async throws -> Int64 { try await readCheckpoint(database) }

    /// Records `notifications` and moves the checkpoint to `checkpoint`, in one
    /// transaction; returns the lines of the orders not notified before.
    public func record(_ notifications: [(order: Int, line: String)], checkpoint: Int64) async throws -> [String] {
        try await database.write { db in
            var new: [String] = []
            for notification in notifications {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO notifications (order_id, line) VALUES (?, ?)",
                    arguments: [notification.order, notification.line])
                if db.changesCount > 0 { new.append(notification.line) }
            }
            try db.execute(
                sql: "UPDATE checkpoint SET sequence = MAX(sequence, ?)", arguments: [checkpoint])
            return new
        }
    }

    /// How many orders have been notified.
    public func count() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notifications") ?? 0 }
    }
}
