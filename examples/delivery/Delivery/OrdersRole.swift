import ArgumentParser
import DeliveryKit

/// `delivery orders`: the order service (command side).
struct OrdersRole: DeliveryRoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders", abstract: "Run the order service: PlaceOrder commands over REQ/REP at --order-service.")

    @OptionGroup var endpoints: EndpointOptions
    @OptionGroup var outbox: OutboxOptions

    func run() async throws {
        try await runService("orders") { context in
            var service = OrderService(context: context, addresses: endpoints.addresses)
            service.outbox = outbox.path(default: "delivery-orders.outbox")
            report("orders: taking PlaceOrder commands at \(endpoints.orderService); \(outbox.describe(service.outbox))")
            try await service.run()
        }
    }
}
