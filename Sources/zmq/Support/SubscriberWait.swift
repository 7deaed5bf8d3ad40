import ZeroMQ
import ZeroMQChannels

/// `pub --wait-subscribers N`: waits, before the first message, until N
/// subscribers have joined, so none of them misses the start (ZeroMQ's "slow
/// joiner" problem).
///
/// The publisher is an XPUB with `xpubVerbose`, so every subscription reaches
/// it as a message, and its connections are watched through a monitor. A
/// subscriber counts once it is connected and has subscribed. `zmq sub` and
/// the library's channel `Subscriber` also subscribe to a private
/// `_zmq.join.<id>.` topic, which counts them exactly, even behind a proxy;
/// plain SUB sockets are counted by their subscriptions.
struct SubscriberWait {
    let socket: Socket
    /// The publisher's connections, watched since before it bound or connected.
    let watch: PeerWatch
    let wanted: Int
    let timeout: Duration?

    /// Returns once `wanted` subscribers have joined.
    ///
    /// - Returns: `false` if the run was interrupted (SIGINT or SIGTERM) meanwhile.
    /// - Throws: ``ToolError`` when `timeout` passes first.
    func run() throws(ToolError) -> Bool {
        let endpoint = watch.endpoint
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var joinIDs = Set<[UInt8]>()
        var subscriptions = 0
        var poller = Poller()
        poller.add(socket, for: .readable)
        func joined() -> Int { max(joinIDs.count, subscriptions) }
        do {
            while true {
                try watch.update()
                let peers = watch.peers
                while let frame = try socket.receive(flags: .dontWait) {
                    let bytes = frame.bytes
                    if let change = JoinTopic.change(in: bytes) {
                        if change.joined { joinIDs.insert(change.subscriber) } else { joinIDs.remove(change.subscriber) }
                    } else if bytes.first == 1 {
                        subscriptions += 1
                    }
                }
                // A bound publisher sees each subscriber connect; a connected one sees only its peer (a proxy).
                if joined() >= wanted && (!endpoint.binds || peers >= wanted) {
                    // The other subscriptions of a peer that just joined are on their way; let them land.
                    _ = try poller.poll(timeout: .milliseconds(20))
                    while try socket.receive(flags: .dontWait) != nil {}
                    return true
                }
                if let deadline, ContinuousClock.now >= deadline {
                    let seen = endpoint.binds ? min(joined(), peers) : joined()
                    throw ToolError.failure(
                        "only \(seen) of \(wanted) subscribers joined \(endpoint) within \(DurationArgument.format(timeout!))"
                    )
                }
                _ = try poller.poll(timeout: .milliseconds(10))
            }
        } catch let error as ToolError {
            throw error
        } catch let error as ZMQError {
            if error.endsRun { return false }
            throw .zmq(error, while: "wait for subscribers on \(endpoint)")
        } catch {
            throw .failure("cannot wait for subscribers on \(endpoint): \(error)")
        }
    }
}
