import ArgumentParser
import DeliveryKit
import Foundation

/// `delivery stats`: the courier statistics read model; `--print` answers from its database.
struct StatsRole: DeliveryRoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Run the courier statistics read model (deliveries, distance, median delivery time per courier).")

    @OptionGroup var endpoints: EndpointOptions
    @Option(help: "Its SQLite file: a row per courier and per ride, and how far it has read the store's feed.")
    var db = "delivery-courier-statistics.sqlite"
    @Flag(help: "Print the statistics from --db and exit, instead of running the projection.")
    var print = false

    /// In `delivery run` too, on an in-memory database.
    static var scenarioRole: ScenarioRole? {
        ScenarioRole("courier statistics") { context, addresses in
            CourierStatisticsProjection(
                context: context, addresses: addresses, database: try CourierStatisticsDatabase(path: nil))
        }
    }

    func validate() throws {
        if print, !FileManager.default.fileExists(atPath: db) { throw ValidationError("no courier statistics at \(db)") }
    }

    func run() async throws {
        if print {
            for courier in try await CourierStatisticsDatabase(path: db).statistics() {
                say(
                    "courier \(courier.courierID): \(courier.deliveries) deliveries, "
                        + String(format: "%.2f km", courier.distanceKilometres) + ", median delivery "
                        + (courier.medianDeliverySeconds.map { String(format: "%.1f s", $0) } ?? "unknown"))
            }
            return
        }
        try await runService("stats") { context in
            let database = try CourierStatisticsDatabase(path: db)
            let projection = CourierStatisticsProjection(
                context: context, addresses: endpoints.addresses, database: database)
            report("stats: following the store's feed from \(try await database.checkpoint()); \(db)")
            try await projection.run()
        }
    }
}
