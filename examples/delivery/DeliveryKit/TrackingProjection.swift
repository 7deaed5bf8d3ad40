import Foundation
import Logging
import ZeroMQ

/// A query for the tracking read model, as JSON over REQ/REP:
/// `zmq req tcp://127.0.0.1:5590 '{"order":{"order":3}}'`.
public enum TrackingQuery: Codable, Sendable {
    case order(order: Int)
    case courier(courier: Int)
    case summary
}

/// The read model's answer.
public enum TrackingReply: FailableReply, Hashable {
    case order(view: OrderView?)
    case courier(view: CourierView?)
    case summary(orders: Int, delivered: Int, checkpoint: Int64)
    case failure(reason: String)
}

/// Keeps the tracking read model (a ``TrackingStore``) up to date from
/// the store's committed feed (a ``CatchUpSubscription`` from the database's
/// checkpoint) and answers queries from it with SQL. Started late or
/// restarted, it first fetches what it missed since its checkpoint from the
/// store, then goes live; the sequence numbers make every switch exact. The
/// model is eventually consistent: it trails the store by its lag.
public final class TrackingProjection: RoleService {
    /// How the projection came by its events.
    public typealias Progress = CatchUpSubscription.Progress

    public let context: Context
    public let addresses: Addresses
    /// The read model's own database.
    public let database: any TrackingStore
    /// Whether to answer ``TrackingQuery``s at `addresses.tracking`.
    public let serveQueries: Bool
    private let logger: Logger
    private let feed: CatchUpSubscription
    /// Events this projection has applied to its database since it started (not those skipped as already applied).
    public let applied = Counter()

    public init(
        context: Context, addresses: Addresses, database: any TrackingStore, serveQueries: Bool = true,
        logger: Logger = Logger(label: "delivery.tracking")
    ) {
        self.context = context
        self.addresses = addresses
        self.database = database
        self.serveQueries = serveQueries
        self.logger = logger
        feed = CatchUpSubscription(context: context, addresses: addresses, logger: logger)
    }

    /// How the events arrived.
    public var progress: Progress { feed.progress }

    /// Follows the store (and serves queries) until cancelled or the context is shut down.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await self.feed.run(from: try await self.database.checkpoint()) { batch in
                    self.applied.add(try await self.database.apply(batch))
                }
            }
            if serveQueries {
                group.addTask {
                    try await serveRequests(
                        context: self.context,
                        bind: self.addresses.bindable(self.addresses.tracking),
                        TrackingQuery.self
                    ) { (query: TrackingQuery) -> TrackingReply in await self.answer(query) }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// The answer to a query, from the read model's database alone.
    public func answer(_ query: TrackingQuery) async -> TrackingReply {
        do {
            switch query {
            case .order(let id): return .order(view: try await database.order(id))
            case .courier(let id): return .courier(view: try await database.courier(id))
            case .summary:
                let summary = try await database.summary()
                return .summary(orders: summary.orders, delivered: summary.delivered, checkpoint: summary.checkpoint)
            }
        } catch {
            logger.error("tracking query failed", metadata: ["error": "\(error)"])
            return .failure(reason: "\(error)")
        }
    }
}
