import ZeroMQ

/// A role that `delivery run` runs beside the built-in ones, in the same
/// process: how a new role joins the one-command scenario without a change
/// to ``Scenario``. The `delivery` command collects them from its role
/// commands (`DeliveryRoleCommand.scenarioRole`); a test can add its own.
///
/// The built-in roles (store, tracking, notifier, dispatcher, order
/// service, couriers) are wired into ``Scenario`` itself, because its report
/// reads their state.
public struct ScenarioRole: Sendable {
    /// The role's name, as a failure of it is reported.
    public let name: String
    /// Makes the role's service on the scenario's context, with its addresses.
    public let make: @Sendable (Context, Addresses) throws -> any RoleService

    public init(_ name: String, make: @escaping @Sendable (Context, Addresses) throws -> any RoleService) {
        self.name = name
        self.make = make
    }
}

/// What a ``ScenarioRole`` runs: until it ends, or until it is cancelled
/// when the scenario shuts down (which is then no failure).
public protocol RoleService: Sendable {
    func run() async throws
}
