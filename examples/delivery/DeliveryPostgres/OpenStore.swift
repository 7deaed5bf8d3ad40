import DeliveryKit
import Logging

extension EventStore {
    /// The event store at `location`: a PostgreSQL URL
    /// (`postgresql://USER@HOST:PORT/DATABASE`, which several store processes
    /// may share) or an SQLite file path.
    public static func open(_ location: String, logger: Logger = Logger(label: "delivery.store")) async throws
        -> EventStore
    {
        guard PostgresLocation.isURL(location) else { return try EventStore(path: location) }
        let database = try await PostgresPool(try PostgresLocation(url: location), logger: logger)
        return EventStore(log: try await PostgresEventLog(database, logger: logger))
    }
}
