import Foundation
import Logging
import ZeroMQ

/// A query or command for the event store service, as JSON over REQ/REP:
/// `zmq req tcp://127.0.0.1:5560 '{"orderHistory":{"order":3}}'`.
public enum StoreRequest: Codable, Sendable {
    /// Append a fact (the order service's `OrderPlaced`).
    case append(DeliveryEvent)
    /// The complete order behind a pointer event.
    case order(order: Int)
    case orderHistory(order: Int)
    case courierHistory(courier: Int)
    /// Up to `limit` events after `sequence`: replay for projections.
    case events(after: Int64, limit: Int)
    case head
    case lastOrderID
}

/// The store service's answer.
public enum StoreReply: FailableReply {
    case appended(EventStore.Appended)
    case order(order: OrderPlaced?)
    case events(events: [StoredEvent])
    case number(value: Int64)
    case failure(reason: String)
}

/// The event store as a service on the network: it records every fact the bus
/// carries, answers queries (pointer resolution, history, replay), and
/// republishes what it stored, in sequence order, on the bus's `stored.` topics
/// for projections.
public struct StoreService: Sendable {
    public let context: Context
    public let addresses: Addresses
    public let store: EventStore
    /// Bind the query endpoint on all interfaces (for other hosts).
    public var bindAllInterfaces = false
    public var logger = Logger(label: "delivery.store")
    /// Facts taken from the bus.
    public let received = Counter()
    /// Facts the bus carried that the store already had (pointers to orders it stored itself, repeats).
    public let duplicatesIgnored = Counter()

    public init(context: Context, addresses: Addresses, store: EventStore) {
        self.context = context
        self.addresses = addresses
        self.store = store
    }

    /// Runs until cancelled or the context is shut down.
    public func run() async throws {
        let (appended, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await record(signal) }
            group.addTask { try await publishFeed(appended) }
            group.addTask {
                try await serveRequests(
                    context: context, bind: Addresses.bindable(addresses.store, allInterfaces: bindAllInterfaces),
                    StoreRequest.self
                ) { (request: StoreRequest) -> StoreReply in
                    let reply = await answer(request)
                    if case .appended(let result) = reply, result.isNew { signal.yield() }
                    return reply
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Appends every `delivery.` fact on the bus.
    private func record(_ appended: AsyncStream<Void>.Continuation) async throws {
        let subscriber = try Subscriber<DeliveryEvent>(
            context: context, .connect(addresses.busSubscribe), topics: ["delivery"], logger: logger)
        for try await fact in subscriber.events {
            received.add()
            if try await store.append(fact.event).isNew {
                appended.yield()
            } else {
                duplicatesIgnored.add()
            }
        }
    }

    /// Publishes stored events in sequence order: it reads the log itself, so
    /// the feed's order is the store's order whoever appended.
    private func publishFeed(_ appended: AsyncStream<Void>) async throws {
        let feed = try Publisher<StoredEvent>(context: context, .connect(addresses.busPublish), logger: logger)
        try feed.socket.set(.sendHighWaterMark, 100_000)
        var published = try await store.head()
        for await _ in appended {
            while case let batch = try await store.events(after: published), !batch.isEmpty {
                for stored in batch {
                    // A drop shows up as a gap at the projection, which refills from the store.
                    try feed.publish(stored, to: FeedTopic.of(stored.event.kind))
                    published = stored.sequence
                }
            }
        }
    }

    private func answer(_ request: StoreRequest) async -> StoreReply {
        do {
            switch request {
            case .append(let event): return .appended(try await store.append(event))
            case .order(let id): return .order(order: try await store.order(id))
            case .orderHistory(let id): return .events(events: try await store.history(ofOrder: id))
            case .courierHistory(let id): return .events(events: try await store.history(ofCourier: id))
            case .events(let after, let limit):
                return .events(events: try await store.events(after: after, limit: min(limit, 5_000)))
            case .head: return .number(value: try await store.head())
            case .lastOrderID: return .number(value: Int64(try await store.lastOrderID()))
            }
        } catch {
            logger.error("store query failed", metadata: ["error": "\(error)"])
            return .failure(reason: "\(error)")
        }
    }
}

/// The client side of the store service, for services on other hosts.
public final class StoreClient {
    private let requester: Requester<StoreRequest, StoreReply>

    public init(context: Context, addresses: Addresses, timeout: Duration = .seconds(5)) throws {
        requester = try Requester(context: context, connect: addresses.store, service: "event store", timeout: timeout)
    }

    public func append(_ event: DeliveryEvent) async throws -> EventStore.Appended {
        guard case .appended(let result) = try await call(.append(event)) else { throw unexpected("append") }
        return result
    }

    /// Resolves a pointer: the complete order.
    public func order(_ id: Int) async throws -> OrderPlaced? {
        guard case .order(let order) = try await call(.order(order: id)) else { throw unexpected("order") }
        return order
    }

    public func history(ofOrder id: Int) async throws -> [StoredEvent] {
        try await events(.orderHistory(order: id))
    }

    public func history(ofCourier id: Int) async throws -> [StoredEvent] {
        try await events(.courierHistory(courier: id))
    }

    public func events(after sequence: Int64, limit: Int = 500) async throws -> [StoredEvent] {
        try await events(.events(after: sequence, limit: limit))
    }

    public func head() async throws -> Int64 {
        guard case .number(let head) = try await call(.head) else { throw unexpected("head") }
        return head
    }

    public func lastOrderID() async throws -> Int {
        guard case .number(let id) = try await call(.lastOrderID) else { throw unexpected("lastOrderID") }
        return Int(id)
    }

    private func events(_ request: StoreRequest) async throws -> [StoredEvent] {
        guard case .events(let events) = try await call(request) else { throw unexpected("\(request)") }
        return events
    }

    private func call(_ request: StoreRequest) async throws -> StoreReply {
        let reply = try await requester.call(request)
        if case .failure(let reason) = reply { throw DeliveryError.failed(service: "event store", reason: reason) }
        return reply
    }

    private func unexpected(_ what: String) -> DeliveryError {
        .invalid("the event store answered \(what) with an unexpected reply")
    }
}
