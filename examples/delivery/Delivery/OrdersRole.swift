import ArgumentParser
import DeliveryKit

/// `delivery orders`: the order service (command side).
struct OrdersRole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders", abstract: "Run the order service: PlaceOrder commands over REQ/REP at --order-service.")

    @OptionGroup var endpoints: EndpointOptions
    @Option(help: "Wait for this many channel subscribers on the bus before taking orders.")
    var waitSubscribers = 2

    func run() async throws {
        try await runService("orders") { context in
            var service = OrderService(context: context, addresses: endpoints.addresses)
            service.waitForSubscribers = waitSubscribers
            service.bindAllInterfaces = endpoints.exposed
            report(
                "orders: taking PlaceOrder commands at \(endpoints.orderService) once \(waitSubscribers) subscribers joined"
            )
            try await service.run()
        }
    }
}
