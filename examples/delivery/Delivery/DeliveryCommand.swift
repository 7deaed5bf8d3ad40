import ArgumentParser
import Logging

/// `delivery`: the delivery subsystem, whole (`delivery run`, the default) or
/// one role per process (`delivery bus`, `delivery courier --id 2`, …).
@main
struct DeliveryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delivery",
        abstract: "An event-driven delivery subsystem on ZeroMQ: orders, dispatch, couriers, tracking, notifications.",
        discussion: """
            `delivery run` runs everything in one process and prints a report. Each role can also run as its \
            own process, on any host: start `bus` and `store` first, then the others, pointing them at the \
            bus and the store with --bus and --store.
            """,
        subcommands: [
            Run.self, BusRole.self, StoreRole.self, OrdersRole.self, DispatcherRole.self, CourierRole.self,
            TrackingRole.self, NotifierRole.self, HistoryCommand.self,
        ],
        defaultSubcommand: Run.self)
}

/// Log lines go to stderr, from `level` up (lifecycle at info; problems at warning and above).
func startLogging(level: Logger.Level) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
