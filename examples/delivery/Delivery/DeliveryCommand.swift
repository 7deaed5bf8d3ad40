import ArgumentParser
import DeliveryKit
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
        subcommands: [Run.self] + roles.map { $0 as any ParsableCommand.Type } + [HistoryCommand.self],
        defaultSubcommand: Run.self)

    /// Every role, each a subcommand (`delivery NAME`) that runs it as a process of its
    /// own. A new role is three files: its service in DeliveryKit, its command here
    /// (a ``DeliveryRoleCommand`` whose `scenarioRole` puts it into `delivery run`),
    /// and its line in this list.
    static let roles: [any DeliveryRoleCommand.Type] = [
        BusRole.self, StoreRole.self, OrdersRole.self, DispatcherRole.self, CourierRole.self, TrackingRole.self,
        NotifierRole.self, StatsRole.self,
    ]
}

/// A role's subcommand: runs the role as a process of its own; its
/// `scenarioRole`, if any, is what `delivery run` runs in its one process
/// beside the built-in roles.
protocol DeliveryRoleCommand: AsyncParsableCommand {
    static var scenarioRole: ScenarioRole? { get }
    /// Lines for `delivery run`'s report, once its scenario has ended.
    static func scenarioSummary() async -> [String]
}

extension DeliveryRoleCommand {
    /// None: a built-in role, which ``Scenario`` runs itself.
    static var scenarioRole: ScenarioRole? { nil }
    /// None: the scenario's own report covers the built-in roles.
    static func scenarioSummary() async -> [String] { [] }
}

/// Log lines go to stderr, from `level` up (lifecycle at info; problems at warning and above).
func startLogging(level: Logger.Level) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
