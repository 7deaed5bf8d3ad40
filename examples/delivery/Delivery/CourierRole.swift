import ArgumentParser
import DeliveryKit

/// `delivery courier`: one courier.
struct CourierRole: DeliveryRoleCommand {
    static let configuration = CommandConfiguration(commandName: "courier", abstract: "Run one courier.")

    @OptionGroup var endpoints: EndpointOptions
    @OptionGroup var outbox: OutboxOptions
    @Option(help: "The courier's number.") var id: Int
    @Option(help: "Milliseconds between two location updates.") var paceMs = 200
    @Option(help: "Crash (exit 3) after this many pickups, holding the order.") var crashAfterPickups: Int?

    func run() async throws {
        try await runService("courier \(id)") { context in
            var courier = Courier(id: id, context: context, addresses: endpoints.addresses)
            courier.pace = .milliseconds(paceMs)
            courier.crashAfterPickups = crashAfterPickups
            courier.outbox = outbox.path(default: "delivery-courier-\(id).outbox")
            report("courier \(id): pulling jobs from \(endpoints.addresses.jobs); \(outbox.describe(courier.outbox))")
            if case .crashed(let order) = try await courier.run() {
                fail("courier \(id) crashed holding order #\(order)")
            }
        }
    }
}
