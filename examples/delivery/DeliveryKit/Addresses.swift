/// Where the parts of the delivery system listen. One base endpoint per
/// service; a service that needs several sockets uses the next ports
/// (`tcp://host:5550`, `:5551`, …) or suffixed names (`inproc://bus-1`, …).
public struct Addresses: Sendable, Hashable {
    /// The event bus: producers publish into `bus`, consumers subscribe from
    /// `bus + 1`, and the capture tap is `bus + 2`.
    public var bus: String
    /// The event store: queries (REQ/REP) at `store`, facts in over the
    /// acknowledged channel at `store + 1`.
    public var store: String
    /// The order service's command endpoint (REQ/REP): `zmq req` can place orders here.
    public var orders: String
    /// The dispatcher: jobs are pushed from `dispatcher`, acknowledgements pulled at `dispatcher + 1`.
    public var dispatcher: String
    /// The tracking projection's query endpoint (REQ/REP).
    public var tracking: String
    /// Whether the services bind TCP endpoints on every interface
    /// (`tcp://*:port`), so that other hosts can connect: see ``bindable(_:)``.
    public var bindsAllInterfaces: Bool

    public init(
        bus: String, store: String, orders: String, dispatcher: String, tracking: String,
        bindsAllInterfaces: Bool = false
    ) {
        self.bus = bus
        self.store = store
        self.orders = orders
        self.dispatcher = dispatcher
        self.tracking = tracking
        self.bindsAllInterfaces = bindsAllInterfaces
    }

    /// Everything on loopback TCP from `firstPort` (the bus) upwards, ten ports apart.
    public static func tcp(host: String = "127.0.0.1", firstPort: Int = 5550) -> Addresses {
        Addresses(
            bus: "tcp://\(host):\(firstPort)", store: "tcp://\(host):\(firstPort + 10)",
            orders: "tcp://\(host):\(firstPort + 20)", dispatcher: "tcp://\(host):\(firstPort + 30)",
            tracking: "tcp://\(host):\(firstPort + 40)")
    }

    /// Everything in-process, under names unique to `name`.
    public static func inproc(_ name: String) -> Addresses {
        Addresses(
            bus: "inproc://\(name)-bus", store: "inproc://\(name)-store", orders: "inproc://\(name)-orders",
            dispatcher: "inproc://\(name)-dispatcher", tracking: "inproc://\(name)-tracking")
    }

    /// Where producers publish: the bus's XSUB side.
    public var busPublish: String { bus }
    /// Where consumers subscribe: the bus's XPUB side.
    public var busSubscribe: String { Addresses.next(bus, 1) }
    /// The bus's capture tap (PUB): a copy of all traffic.
    public var busTap: String { Addresses.next(bus, 2) }
    /// Where producers send the store its facts: the acknowledged channel's receiver.
    public var storeIngest: String { Addresses.next(store, 1) }
    /// Where couriers pull jobs.
    public var jobs: String { dispatcher }
    /// Where couriers push acknowledgements.
    public var acks: String { Addresses.next(dispatcher, 1) }

    /// `endpoint` moved `offset` ports up (TCP) or suffixed with `-offset` (other transports).
    public static func next(_ endpoint: String, _ offset: Int) -> String {
        if endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":"),
            let port = Int(endpoint[endpoint.index(after: colon)...])
        {
            return "\(endpoint[..<colon]):\(port + offset)"
        }
        return "\(endpoint)-\(offset)"
    }

    /// The endpoint a service binds for `endpoint`, one of these addresses:
    /// with ``bindsAllInterfaces``, a TCP host becomes `*`, so that other
    /// hosts can connect.
    public func bindable(_ endpoint: String) -> String {
        guard bindsAllInterfaces, endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else {
            return endpoint
        }
        return "tcp://*\(endpoint[colon...])"
    }
}
