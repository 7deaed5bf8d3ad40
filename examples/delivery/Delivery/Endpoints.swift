import ArgumentParser
import DeliveryKit

/// Where the other parts of the system are, for a role running on its own.
struct EndpointOptions: ParsableArguments {
    @Option(help: "The event bus: producers publish to this endpoint, consumers subscribe at the next port.")
    var bus = Addresses.tcp().bus
    @Option(help: "The event store service's query endpoint.")
    var store = Addresses.tcp().store
    @Option(help: "The order service's command endpoint.")
    var orderService = Addresses.tcp().orders
    @Option(help: "The dispatcher: jobs at this endpoint, acknowledgements at the next port.")
    var dispatcher = Addresses.tcp().dispatcher
    @Option(help: "The tracking projection's query endpoint.")
    var tracking = Addresses.tcp().tracking
    @Flag(help: "Bind on all interfaces (tcp://*:port), so that other hosts can connect.")
    var exposed = false

    var addresses: Addresses {
        Addresses(bus: bus, store: store, orders: orderService, dispatcher: dispatcher, tracking: tracking)
    }
}
