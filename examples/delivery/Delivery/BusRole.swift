import ArgumentParser
import DeliveryKit

/// `delivery bus`: the XSUB/XPUB event bus with its capture tap.
struct BusRole: DeliveryRoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus",
        abstract: "Run the event bus (publish at --bus, subscribe at the next port, tap at the one after).")

    @OptionGroup var endpoints: EndpointOptions

    func run() async throws {
        try await runService("bus") { context in
            let addresses = endpoints.addresses
            let bus = try EventBus(context: context, addresses: addresses)
            defer { bus.stop() }
            report(
                "bus: publish to \(bus.endpoints.frontend), subscribe at \(bus.endpoints.backend), tap at \(bus.endpoints.capture ?? "-")"
            )
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
