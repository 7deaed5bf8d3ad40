import Histogram
import ZeroMQ

/// The socket patterns `zmq bench` measures throughput with.
enum BenchPattern: String, CaseIterable {
    case pushpull, pubsub
}

/// The two ends of each benchmark, each run on a thread of its own (or, with
/// `--role`, alone against a remote peer). Every wait is bounded by `timeout`.
struct BenchSides: Sendable {
    let context: Context
    let size: Int
    let count: Int
    let timeout: Duration
    /// The CURVE setup of the receiving and echoing side, if secured.
    var serving: CurveSetup? = nil
    /// The CURVE setup of the sending and requesting side, if secured.
    var connecting: CurveSetup? = nil

    /// Receives `count` messages; returns when the first and the last arrived.
    func receive(
        _ pattern: BenchPattern, at endpoint: EndpointArgument, counter: SharedCounter, ready: Handoff<String>? = nil
    ) throws(ToolError) -> (first: ContinuousClock.Instant, last: ContinuousClock.Instant) {
        let socket = try make(pattern == .pubsub ? .sub : .pull, serving) { (socket) throws(ZMQError) in
            try socket.set(.receiveHighWaterMark, 0)
            try socket.set(.receiveTimeout, timeout)
            if pattern == .pubsub { try socket.subscribe() }
        }
        let bound = try endpoint.attach(socket, announce: ready == nil)
        ready?.post(bound)
        let message = Message()
        var first = ContinuousClock.now
        for index in 0..<count {
            try receive(into: message, on: socket, from: endpoint, index: index)
            if index == 0 { first = .now }
            counter.add()
        }
        return (first, .now)
    }

    /// Sends `count` messages of `size` bytes; returns when sending started.
    func send(_ pattern: BenchPattern, to endpoint: EndpointArgument) throws(ToolError) -> ContinuousClock.Instant {
        let socket = try make(pattern == .pubsub ? .xpub : .push, connecting) { (socket) throws(ZMQError) in
            try socket.set(.sendHighWaterMark, 0)
            try socket.set(.sendTimeout, timeout)
            try socket.set(.receiveTimeout, timeout)
        }
        try endpoint.attach(socket)
        if pattern == .pubsub {
            // A publisher drops what it sends before a subscriber joined: wait for one.
            let subscription: Message?
            do { subscription = try socket.receive() } catch {
                throw ToolError.zmq(error, while: "wait for a subscriber")
            }
            guard subscription != nil else {
                throw .failure("no subscriber joined \(endpoint) within \(DurationArgument.format(timeout))")
            }
        }
        let payload = [UInt8](repeating: 0x5A, count: size)
        let start = ContinuousClock.now
        for _ in 0..<count {
            let sent: Bool
            do { sent = try socket.send(payload) } catch { throw ToolError.zmq(error, while: "send to \(endpoint)") }
            guard sent else {
                throw .failure("no peer took a message on \(endpoint) within \(DurationArgument.format(timeout))")
            }
        }
        return start
    }

    /// Answers `count` requests with the request itself.
    func echo(at endpoint: EndpointArgument, ready: Handoff<String>? = nil) throws(ToolError) {
        let socket = try make(.rep, serving) { (socket) throws(ZMQError) in try socket.set(.receiveTimeout, timeout) }
        let bound = try endpoint.attach(socket, announce: ready == nil)
        ready?.post(bound)
        let message = Message()
        for index in 0..<count {
            try receive(into: message, on: socket, from: endpoint, index: index)
            do { try socket.send(message) } catch { throw ToolError.zmq(error, while: "reply on \(endpoint)") }
        }
    }

    /// Makes `count` round trips of `size` bytes; returns their times in nanoseconds.
    func roundTrips(to endpoint: EndpointArgument, counter: SharedCounter) throws(ToolError) -> Histogram<UInt64> {
        let socket = try make(.req, connecting) { (socket) throws(ZMQError) in try socket.set(.receiveTimeout, timeout)
        }
        try endpoint.attach(socket)
        let payload = [UInt8](repeating: 0x5A, count: size)
        let reply = Message()
        // Up to a minute a round trip (the receive timeout is shorter), to within 0.1%.
        var times = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        times.autoResize = true
        for index in 0..<count {
            let start = ContinuousClock.now
            do { try socket.send(payload) } catch { throw ToolError.zmq(error, while: "send a request to \(endpoint)") }
            try receive(into: reply, on: socket, from: endpoint, index: index)
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            _ = times.record(UInt64(clamping: seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
            counter.add()
        }
        return times
    }

    private func make(
        _ type: SocketType, _ security: CurveSetup?, _ configure: (Socket) throws(ZMQError) -> Void
    ) throws(ToolError) -> Socket {
        do {
            let socket = try context.socket(type)
            try security?.apply(to: socket)
            try configure(socket)
            return socket
        } catch {
            throw .zmq(error, while: "set up a \(type) socket")
        }
    }

    private func receive(into message: Message, on socket: Socket, from endpoint: EndpointArgument, index: Int)
        throws(ToolError)
    {
        let received: Bool
        do { received = try socket.receive(into: message) } catch {
            throw .zmq(error, while: "receive from \(endpoint)")
        }
        guard received else {
            throw .failure(
                "\(index == 0 ? "nothing arrived" : "only \(index) of \(count) messages arrived") on \(endpoint) within \(DurationArgument.format(timeout))"
            )
        }
    }
}
