import ArgumentParser
import DeliveryKit

/// `delivery store`: the event store service.
struct StoreRole: DeliveryRoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Run the event store: record the bus, answer queries, feed projections.")

    @OptionGroup var endpoints: EndpointOptions
    @Option(help: "The SQLite file.") var db = "delivery-events.sqlite"

    func run() async throws {
        try await runService("store") { context in
            let store = try EventStore(path: db)
            let service = StoreService(context: context, addresses: endpoints.addresses, store: store)
            report("store: \(db) holds \(try await store.head()) events; queries at \(endpoints.store)")
            try await service.run()
        }
    }
}
