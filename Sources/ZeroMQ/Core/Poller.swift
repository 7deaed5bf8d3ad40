import CZeroMQ

/// Waits until any of several sockets or file descriptors is ready.
///
/// ```swift
/// var poller = Poller()
/// let jobs = poller.add(pull, for: .readable)
/// let control = poller.add(fileDescriptor: pipe, for: .readable)
/// let ready = try poller.poll(timeout: .seconds(1))
/// if ready[jobs].contains(.readable) { ... }
/// ```
/// The corresponding C function is `zmq_poll`. A poller holds its sockets
/// strongly and, like them, belongs to one thread at a time.
public struct Poller {
    private var items: [zmq_pollitem_t] = []
    private var sockets: [Socket?] = []

    /// Creates an empty poller; add sockets and descriptors to it.
    public init() {}

    /// Identifies an item added to a ``Poller``.
    public struct Item: Hashable, Sendable {
        /// The position of the item in the order it was added.
        public let index: Int
    }

    /// Watches `socket` for `events`; returns the item to look up after ``poll(timeout:)``.
    /// A socket closed later is skipped, and reported ready for nothing.
    @discardableResult
    public mutating func add(_ socket: Socket, for events: PollEvents) -> Item {
        var item = zmq_pollitem_t()
        item.socket = socket.unsafeHandle
        item.events = events.rawValue
        items.append(item)
        sockets.append(socket)
        return Item(index: items.count - 1)
    }

    /// Watches a plain file descriptor (a pipe, a TCP socket of your own) for `events`.
    @discardableResult
    public mutating func add(fileDescriptor: Int32, for events: PollEvents) -> Item {
        var item = zmq_pollitem_t()
        item.fd = fileDescriptor
        item.events = events.rawValue
        items.append(item)
        sockets.append(nil)
        return Item(index: items.count - 1)
    }

    /// The number of items watched (sockets and descriptors).
    public var count: Int { items.count }

    /// Waits until at least one item is ready or `timeout` passes (`nil`: no limit,
    /// `.zero`: just look). The corresponding C function is `zmq_poll`.
    ///
    /// - Returns: each item's ready events; empty when the timeout passed.
    public mutating func poll(timeout: Duration?) throws(ZMQError) -> Readiness {
        for (index, socket) in sockets.enumerated() {
            if let socket {
                // A socket closed since it was added is skipped: poll ignores a
                // NULL socket with a negative descriptor.
                items[index].socket = socket.unsafeHandle
                if socket.isClosed { items[index].fd = -1 }
            }
            items[index].revents = 0
        }
        let milliseconds: Int
        if let timeout {
            milliseconds = Int(clamping: max(0, wholeUnits(timeout, per: 1_000)))
        } else {
            milliseconds = -1
        }
        let count = items.count
        try items.withUnsafeMutableBufferPointer { (buffer) throws(ZMQError) in
            _ = try zmqCall("zmq_poll(\(count) items)") {
                zmq_poll(buffer.baseAddress, Int32(count), milliseconds)
            }
        }
        return Readiness(events: items.map { PollEvents(rawValue: $0.revents) })
    }

    /// Which items a ``Poller/poll(timeout:)`` found ready.
    public struct Readiness: Sendable {
        let events: [PollEvents]

        /// The events `item` is ready for; empty when none.
        public subscript(item: Item) -> PollEvents { events[item.index] }

        /// Whether no item was ready (the timeout passed).
        public var isEmpty: Bool { events.allSatisfy { $0.isEmpty } }
    }
}
