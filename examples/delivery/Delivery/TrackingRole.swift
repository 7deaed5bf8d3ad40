import ArgumentParser
import DeliveryKit

/// `delivery tracking`: the tracking projection (query side).
struct TrackingRole: DeliveryRoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracking", abstract: "Run the tracking projection: queries over REQ/REP at --tracking.")

    @OptionGroup var endpoints: EndpointOptions

    func run() async throws {
        try await runService("tracking") { context in
            let projection = TrackingProjection(
                context: context, addresses: endpoints.addresses)
            report("tracking: replaying the store, then live; queries at \(endpoints.tracking)")
            try await projection.run()
        }
    }
}
