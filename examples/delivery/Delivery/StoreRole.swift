import ArgumentParser
import DeliveryKit
import DeliveryPostgres

/// `delivery store`: the event store service.
struct StoreRole: DeliveryRoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Run the event store: record the bus, answer queries, feed projections.")

    @OptionGroup var endpoints: EndpointOptions
    @Option(
        help: """
            The SQLite file, or a PostgreSQL database (postgresql://USER@HOST:PORT/DATABASE) that several store \
            processes, on several hosts, may serve at once.
            """)
    var db = "delivery-events.sqlite"

    func run() async throws {
        try await runService("store") { context in
            let store = try await EventStore.open(db)
            let service = StoreService(context: context, addresses: endpoints.addresses, store: store)
            report("store: \(store.log.location) holds \(try await store.head()) events; queries at \(endpoints.store)")
            try await service.run()
        }
    }
}
