import ArgumentParser
import DeliveryKit

/// Where the other parts of the system are, for a role running on its own.
struct EndpointOptions: ParsableArguments {
    @Option(help: "The event bus: producers publish to this endpoint, consumers subscribe at the next port.")
    var bus = Addresses.tcp().bus
    @Option(help: "The event store: queries at this endpoint, facts in (acknowledged) at the next port.")
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
        Addresses(
            bus: bus, store: store, orders: orderService, dispatcher: dispatcher, tracking: tracking,
            bindsAllInterfaces: exposed)
    }
}

/// Where a producer keeps the facts the store has not acknowledged yet.
struct OutboxOptions: ParsableArguments {
    @Option(help: "The outbox file: facts not yet acknowledged by the store, sent again after a restart.")
    var outbox: String?
    @Flag(help: "Keep unacknowledged facts in memory only (a crash of this process loses them).")
    var noOutbox = false

    func path(default name: String) -> String? { noOutbox ? nil : outbox ?? name }

    func describe(_ path: String?) -> String {
        path.map { "outbox \($0)" } ?? "no outbox"
    }
}
