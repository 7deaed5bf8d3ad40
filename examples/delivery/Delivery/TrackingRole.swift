import ArgumentParser
import DeliveryKit
import DeliveryPostgres

/// `delivery tracking`: the tracking projection (query side).
struct TrackingRole: DeliveryRoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracking", abstract: "Run the tracking projection: queries over REQ/REP at --tracking.")

    @OptionGroup var endpoints: EndpointOptions
    @Option(
        help: """
            The read model's own database (the query database): an SQLite file, or postgresql://USER@HOST:PORT/DB; \
            orders and couriers, and its checkpoint.
            """)
    var readDB = "delivery-tracking.sqlite"
    @Flag(help: "Empty the read model first, and rebuild it by replaying the whole store.")
    var rebuild = false

    func run() async throws {
        try await runService("tracking") { context in
            let database = try await openTrackingStore(readDB)
            if rebuild { try await database.reset() }
            let projection = TrackingProjection(context: context, addresses: endpoints.addresses, database: database)
            // Said however it stops: how much of the store this run applied (a restart: only what its checkpoint lacked).
            defer { report("tracking: this run applied \(projection.applied.value) events") }
            report(
                "tracking: \(PostgresLocation.isURL(readDB) ? (try PostgresLocation(url: readDB)).description : readDB), from stored event #\(try await database.checkpoint()) on, then live; "
                    + "queries at \(endpoints.tracking)")
            try await projection.run()
        }
    }
}
