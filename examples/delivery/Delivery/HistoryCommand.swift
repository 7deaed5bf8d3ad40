import ArgumentParser
import DeliveryKit
import DeliveryPostgres
import Foundation
import ZeroMQ

/// `delivery history`: questions about the past, answered from the event store.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Print an order's or a courier's history from the event store.")

    @Option(help: "Read this store directly, an SQLite file or postgresql://USER@HOST:PORT/DB (otherwise ask the store service at --store).")
    var db: String?
    @Option(help: "The store service's query endpoint.") var store = Addresses.tcp().store
    @Option(help: "The order to tell about.") var order: Int?
    @Option(help: "The courier to tell about.") var courier: Int?
    @Option(help: "Milliseconds to wait for the store service's answer.") var timeoutMs = 5000

    func validate() throws {
        guard (order == nil) != (courier == nil) else { throw ValidationError("give one of --order or --courier") }
        if let db, !PostgresLocation.isURL(db), !FileManager.default.fileExists(atPath: db) {
            throw ValidationError("no event store at \(db)")
        }
    }

    func run() async throws {
        let events: [StoredEvent]
        do {
            events = try await fetch()
        } catch {
            fail("\(error)")
        }
        for stored in events {
            print("#\(stored.sequence) \(stored.event.kind.rawValue) \(describe(stored.event))")
        }
        if let order {
            let correlations = Set(events.compactMap(\.causation.correlationID)).sorted()
            print(
                "causal chain of order #\(order) (correlation id \(correlations.map { PeerText.escaped($0) }.joined(separator: ", "))):")
            for (depth, stored) in History.causalChain(of: events) {
                // Capped: the chain is as long as the facts say, and an indent per level would
                // make the output grow with its square.
                let indent =
                    String(repeating: "  ", count: min(depth, 32) + 1)
                    + (depth == 0 ? "" : depth > 32 ? "└ [depth \(depth)] " : "└ ")
                print("\(indent)#\(stored.sequence) \(stored.event.sender): \(describe(stored.event))")
            }
            let statuses = History.statuses(of: events)
            print("order #\(order): \(statuses.map(\.rawValue).joined(separator: " → "))")
            if let previous = History.previousStatus(of: events) { print("previous status: \(previous.rawValue)") }
            for holder in History.holdersBeforeRedelivery(of: events) {
                print("held by courier \(holder.courierID) (attempt \(holder.attempt)) before it was redelivered")
            }
        } else if let courier {
            let positions = History.positions(of: events)
            print(
                "courier \(courier): \(positions.count) positions on record; last \(positions.suffix(3).map(\.description))"
            )
        }
    }

    private func fetch() async throws -> [StoredEvent] {
        if let db {
            let store = try await EventStore.open(db)
            if let order { return try await store.history(ofOrder: order) }
            return try await store.history(ofCourier: courier ?? 0)
        }
        let context = try Context(defaultLinger: .zero)
        defer { context.shutdown() }
        var addresses = Addresses.tcp()
        addresses.store = store
        let client = try StoreClient(context: context, addresses: addresses, timeout: .milliseconds(timeoutMs))
        if let order { return try await client.history(ofOrder: order) }
        return try await client.history(ofCourier: courier ?? 0)
    }

    private func describe(_ event: DeliveryEvent) -> String {
        switch event {
        case .orderPlaced(let e):
            "order #\(e.orderID) for \(e.customer): \(e.items.joined(separator: ", ")) from \(e.pickup) to \(e.dropoff)"
        case .orderPointer(let e): "pointer to order #\(e.orderID)"
        case .courierAssigned(let e): "courier \(e.courierID) took order #\(e.orderID) (attempt \(e.attempt))"
        case .pickedUp(let e): "courier \(e.courierID) picked up order #\(e.orderID)"
        case .locationUpdated(let e): "courier \(e.courierID) at \(e.position) (\(e.step)/\(e.steps))"
        case .delivered(let e): "courier \(e.courierID) delivered order #\(e.orderID)"
        case .jobRedelivered(let e): "order #\(e.orderID) handed out again (attempt \(e.attempt)): \(e.reason)"
        case .orderCancelled(let e): "order #\(e.orderID) cancelled: \(e.reason)"
        }
    }
}
