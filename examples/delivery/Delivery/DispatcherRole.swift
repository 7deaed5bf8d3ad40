import ArgumentParser
import DeliveryKit

/// `delivery dispatcher`: hands jobs to couriers and redelivers unacknowledged ones.
struct DispatcherRole: DeliveryRoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatcher",
        abstract: "Run the dispatcher: jobs pushed at --dispatcher, acknowledgements at the next port.")

    @OptionGroup var endpoints: EndpointOptions
    @OptionGroup var outbox: OutboxOptions
    @Option(help: "Milliseconds a courier has to accept a job.") var acceptMs = 1000
    @Option(help: "Milliseconds a courier has to complete an accepted job.") var completeMs = 3000

    func run() async throws {
        try await runService("dispatcher") { context in
            var dispatcher = Dispatcher(context: context, addresses: endpoints.addresses)
            dispatcher.acceptTimeout = .milliseconds(acceptMs)
            dispatcher.completeTimeout = .milliseconds(completeMs)
            dispatcher.outbox = outbox.path(default: "delivery-dispatcher.outbox")
            report("dispatcher: jobs at \(endpoints.addresses.jobs), acknowledgements at \(endpoints.addresses.acks)")
            try await dispatcher.run()
        }
    }
}
