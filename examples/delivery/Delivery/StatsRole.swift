import ArgumentParser
import DeliveryKit
import DeliveryPostgres
import Foundation

/// `delivery stats`: the courier statistics read model; `--print` answers from its database.
struct StatsRole: DeliveryRoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Run the courier statistics read model (deliveries, distance, median delivery time per courier).")

    @OptionGroup var endpoints: EndpointOptions
    @Option(
        help: """
            Its database, an SQLite file or postgresql://USER@HOST:PORT/DB: a row per courier and per ride, and how \
            far it has read the store's feed.
            """)
    var db = "delivery-courier-statistics.sqlite"
    @Flag(help: "Print the statistics from --db and exit, instead of running the projection.")
    var print = false

    /// In `delivery run` too, on a database file of that run's own.
    static var scenarioRole: ScenarioRole? {
        ScenarioRole("courier statistics") { context, addresses in
            try? FileManager.default.removeItem(atPath: scenarioDatabase)
            return CourierStatisticsProjection(
                context: context, addresses: addresses, database: try CourierStatisticsDatabase(path: scenarioDatabase))
        }
    }

    /// The database of `delivery run`'s statistics, in the temporary directory.
    static var scenarioDatabase: String {
        FileManager.default.temporaryDirectory.appendingPathComponent("delivery-courier-statistics-\(getpid()).sqlite")
            .path
    }

    /// The statistics as `delivery run` left them: the projection stops with the run, and
    /// may not have read the last events (the checkpoint says how far it got).
    static func scenarioSummary() async -> [String] {
        do {
            let database = try CourierStatisticsDatabase(path: scenarioDatabase)
            return ["courier statistics (a second read model; applied up to stored event #\(try await database.checkpoint())):"]
                + (try await database.statistics()).map { "  " + line($0) }
                + ["  delivery stats --print --db \(scenarioDatabase)"]
        } catch {
            return ["courier statistics: \(error)"]
        }
    }

    static func line(_ courier: CourierStatistics) -> String {
        "courier \(courier.courierID): \(courier.deliveries) deliveries, "
            + String(format: "%.2f km", courier.distanceKilometres) + ", median delivery "
            + (courier.medianDeliverySeconds.map { String(format: "%.1f s", $0) } ?? "unknown")
    }

    func validate() throws {
        if print, !PostgresLocation.isURL(db), !FileManager.default.fileExists(atPath: db) {
            throw ValidationError("no courier statistics at \(db)")
        }
    }

    func run() async throws {
        if print {
            for courier in try await openCourierStatistics(db).statistics() { say(Self.line(courier)) }
            return
        }
        try await runService("stats") { context in
            let database = try await openCourierStatistics(db)
            let projection = CourierStatisticsProjection(
                context: context, addresses: endpoints.addresses, database: database)
            report("stats: following the store's feed from \(try await database.checkpoint()); \(db)")
            try await projection.run()
        }
    }
}
