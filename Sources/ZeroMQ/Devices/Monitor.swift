import Foundation

/// The connection events of one socket, made by ``Socket/monitor(events:)``.
///
/// Read them as an async sequence, or one at a time from a thread:
/// ```swift
/// let monitor = try server.monitor(events: [.accepted, .disconnected])
/// Task {
///     for try await event in monitor.events { print(event) }
/// }
/// ```
/// The sequence ends after ``SocketEvent/monitorStopped(endpoint:)`` (sent when
/// the monitored socket calls ``Socket/stopMonitor()`` or is closed) and when
/// the context is shut down. A message that is not a well-formed event throws
/// ``ZMQError`` with ``ZMQError/Code/malformedEvent``; the next call reads the next event.
///
/// ## Threads
/// A monitor reads its own PAIR socket, not the monitored one, so it can live
/// on another task or thread than the socket it watches: ``Socket/monitor(events:)``
/// returns it ready to hand over. Like a ``Socket`` it is not `Sendable`: one
/// task or thread reads it at a time.
///
/// ## Memory
/// libzmq sends each event blocking, so with the usual high-water mark a
/// reader 1000 events behind would stall the monitored socket. A monitor
/// therefore queues unread events without limit: read them, or stop monitoring.
///
/// ## Closing
/// Stop monitoring from the socket's side with ``Socket/stopMonitor()`` (or by
/// closing the socket) and read to the end. Closing or releasing a monitor
/// earlier is safe too: see ``close()``.
public final class Monitor {
    /// The `inproc://` endpoint libzmq publishes this monitor's events on.
    public let endpoint: String
    private let socket: Socket

    /// Whether the monitor has ended: ``SocketEvent/monitorStopped(endpoint:)``
    /// was delivered, the context was shut down, or ``close()`` was called.
    /// Reading an ended monitor returns `nil`.
    public private(set) var isFinished = false
    private var isClosed = false

    init(socket: Socket, endpoint: String) {
        self.socket = socket
        self.endpoint = endpoint
    }

    /// Waits for the next event, suspending (not blocking) the task.
    /// Built on ``Socket/receiveMultipart()``.
    ///
    /// - Returns: the event, or `nil` once the monitor has ended (see ``isFinished``).
    /// - Throws: ``ZMQError`` (``ZMQError/Code/malformedEvent`` for a message that is not an event) or `CancellationError`.
    public func next() async throws -> SocketEvent? {
        guard !isFinished else { return nil }
        let frames: [Message]
        do {
            frames = try await socket.receiveMultipart()
        } catch let error as ZMQError where Self.endsMonitoring(error) {
            isFinished = true
            return nil
        }
        return try decode(frames)
    }

    /// Waits up to `timeout` for the next event, blocking the calling thread;
    /// for code running on a thread of its own. `nil` waits without limit.
    ///
    /// - Returns: the event, or `nil` when the timeout passed or the monitor
    ///   has ended (see ``isFinished``).
    /// - Throws: ``ZMQError`` (``ZMQError/Code/malformedEvent`` for a message that is not an event).
    public func next(timeout: Duration?) throws(ZMQError) -> SocketEvent? {
        guard !isFinished, let frames = try receive(within: timeout) else { return nil }
        return try decode(frames)
    }

    /// One monitor message, or `nil` when none arrived within `timeout` or
    /// monitoring has ended.
    private func receive(within timeout: Duration?) throws(ZMQError) -> [Message]? {
        var poller = Poller()
        let item = poller.add(socket, for: .readable)
        do throws(ZMQError) {
            guard try poller.poll(timeout: timeout)[item].contains(.readable) else { return nil }
            return try socket.receiveMultipart(flags: .dontWait)
        } catch {
            guard Self.endsMonitoring(error) else { throw error }
            isFinished = true
            return nil
        }
    }

    /// Stops reading; later reads return `nil`. Calling it again does nothing.
    ///
    /// The monitored socket keeps publishing until it calls
    /// ``Socket/stopMonitor()`` or is closed, and libzmq sends each event
    /// blocking: a socket that stopped reading would stall it. So until
    /// ``SocketEvent/monitorStopped(endpoint:)`` has arrived, the monitor's
    /// socket is handed to a module thread that drains and discards the events
    /// and closes it then. Releasing an unfinished monitor does the same.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        if isFinished {
            socket.close(linger: .zero)
        } else {
            isFinished = true
            OrphanedMonitors.shared.adopt(socket)
        }
    }

    deinit {
        if !isFinished && !isClosed { OrphanedMonitors.shared.adopt(socket) }
    }

    /// The events as an async sequence of ``SocketEvent``; see ``Monitor``.
    public var events: Events { Events(monitor: self) }

    /// An `AsyncSequence` of a monitor's events.
    public struct Events: AsyncSequence {
        public typealias Element = SocketEvent
        let monitor: Monitor

        public func makeAsyncIterator() -> Iterator { Iterator(monitor: monitor) }

        /// Reads the next event when asked.
        public struct Iterator: AsyncIteratorProtocol {
            let monitor: Monitor

            public mutating func next() async throws -> SocketEvent? {
                try await monitor.next()
            }
        }
    }

    private func decode(_ frames: [Message]) throws(ZMQError) -> SocketEvent {
        let event = try SocketEvent(frames: frames.map(\.bytes))
        if case .monitorStopped = event { isFinished = true }
        return event
    }

    /// A shut-down context or a closed monitor socket means no event can come.
    private static func endsMonitoring(_ error: ZMQError) -> Bool {
        error.isTerminated || error.code == .notSocket
    }
}
