import Foundation

/// Async send and receive: the Swift 6 way to use a socket from a task.
///
/// These wait on readiness, never by blocking a thread of Swift's cooperative
/// pool: each tries the non-blocking operation, and when it would block waits
/// for the socket's `ZMQ_FD` on the module's reactor thread. `ZMQ_FD` is
/// edge-triggered and only says "something changed", so after every wake-up
/// the socket's `ZMQ_EVENTS` is read again before deciding to wait more (the
/// rule `man zmq_getsockopt` gives for `ZMQ_FD`, and what pyzmq's asyncio does).
///
/// In async code, `socket.receive()` and `socket.send(x)` resolve to these
/// suspending versions; pass `flags:` (`socket.receive(flags: [])`) to call the
/// blocking ones on a thread you own.
///
/// The socket must be used by one task at a time, like every `Socket`: own it in
/// one task, or pass it from task to task. Cancelling the task ends a pending
/// wait promptly with `CancellationError`; ``Context/shutdown()`` ends it with a
/// ``ZMQError`` whose ``ZMQError/isTerminated`` is true.
extension Socket {
    /// Receives one frame, suspending (not blocking) until one arrives.
    /// The corresponding C function is `zmq_msg_recv` with `ZMQ_DONTWAIT`.
    ///
    /// - Throws: ``ZMQError`` (for example `ETERM`), or `CancellationError`.
    public func receive() async throws -> Message {
        let message = Message()
        try await receive(into: message)
        return message
    }

    /// Receives one frame into `message`, reusing it.
    /// The corresponding C function is `zmq_msg_recv` with `ZMQ_DONTWAIT`.
    public func receive(into message: Message) async throws {
        try await whenReady(.readable) { () throws(ZMQError) in try receive(into: message, flags: .dontWait) }
    }

    /// Receives every frame of one multipart message, suspending until it arrives.
    public func receiveMultipart() async throws -> [Message] {
        var frames: [Message] = []
        _ = try await receiveMultipart(into: &frames)
        return frames
    }

    /// Receives every frame of one multipart message into the messages of
    /// `frames`, reusing them; see ``receiveMultipart(into:flags:)``.
    /// - Returns: how many of `frames`, from the first, hold the message.
    // `package`: part of the fast path ZeroMQChannels' consumers and producers take
    // per message (a plain call, inlinable where marked); `@_spi` cannot be used
    // from their `@inlinable` code. Visible to this package's targets, never to users.
    @usableFromInline
    package func receiveMultipart(into frames: inout [Message], keeping: Int = .max) async throws -> Int {
        try await retry(.readable) { () throws(ZMQError) in
            try receiveMultipart(into: &frames, keeping: keeping, flags: .dontWait)
        }
    }

    /// Sends `bytes` as one frame, suspending while the socket cannot queue it
    /// (for example PUSH at its high-water mark).
    /// The corresponding C function is `zmq_send` with `ZMQ_DONTWAIT`.
    public func send(_ bytes: some ContiguousBytes & Sendable, more: Bool = false) async throws {
        try await whenReady(.writable) { () throws(ZMQError) in try send(bytes, flags: .dontWait(more: more)) }
    }

    /// Sends the UTF-8 bytes of `string` as one frame, suspending while the socket cannot queue it.
    public func send(_ string: String, more: Bool = false) async throws {
        try await whenReady(.writable) { () throws(ZMQError) in try send(string, flags: .dontWait(more: more)) }
    }

    /// Sends `message` without copying it, suspending while the socket cannot queue it.
    /// The corresponding C function is `zmq_msg_send` with `ZMQ_DONTWAIT`.
    public func send(_ message: Message, more: Bool = false) async throws {
        try await whenReady(.writable) { () throws(ZMQError) in try send(message, flags: .dontWait(more: more)) }
    }

    /// Sends `frames` as one multipart message, suspending until the first frame
    /// can be queued; the rest follow at once (libzmq's atomic multipart).
    public func sendMultipart<Frames: Collection & Sendable>(_ frames: Frames) async throws
    where Frames.Element: ContiguousBytes {
        try await whenReady(.writable) { () throws(ZMQError) in try sendMultipart(frames, flags: .dontWait) }
    }

    /// Sends strings as one multipart message, suspending until it can be queued.
    public func sendMultipart(_ frames: [String]) async throws {
        try await whenReady(.writable) { () throws(ZMQError) in try sendMultipart(frames, flags: .dontWait) }
    }

    /// Tries the non-blocking `attempt` until it returns a value, waiting for
    /// `wanted` readiness in between: the one loop behind every async call.
    private func retry<Result>(
        _ wanted: PollEvents, _ attempt: () throws(ZMQError) -> Result?
    ) async throws -> Result {
        while true {
            try Task.checkCancellation()
            if let result = try attempt() { return result }
            try await waitFor(wanted)
        }
    }

    /// ``retry(_:_:)`` for operations that answer "done" (`true`) or "would block" (`false`).
    // `package`: part of the fast path ZeroMQChannels' consumers and producers take
    // per message (a plain call, inlinable where marked); `@_spi` cannot be used
    // from their `@inlinable` code. Visible to this package's targets, never to users.
    @usableFromInline
    package func whenReady(_ wanted: PollEvents, _ attempt: () throws(ZMQError) -> Bool) async throws {
        try await retry(wanted) { () throws(ZMQError) in try attempt() ? () : nil }
    }

    /// Receives the next multipart message into `frames` (see
    /// ``receiveMultipart(into:)``), or returns `nil` once the context is shut
    /// down or the socket closed: how every async sequence over a socket ends.
    ///
    /// Inlinable, and a message already waiting is taken without a further
    /// async call, because a busy consumer calls this once per message.
    // `package`: part of the fast path ZeroMQChannels' consumers and producers take
    // per message (a plain call, inlinable where marked); `@_spi` cannot be used
    // from their `@inlinable` code. Visible to this package's targets, never to users.
    @inlinable
    package func receiveMultipartUnlessEnded(into frames: inout [Message], keeping: Int = .max) async throws -> Int? {
        do {
            try Task.checkCancellation()
            if let count = try receiveMultipart(into: &frames, keeping: keeping, flags: .dontWait) { return count }
            // Nothing was waiting: wait before trying again, rather than try twice.
            try await waitFor(.readable)
            return try await receiveMultipart(into: &frames, keeping: keeping)
        } catch let error as ZMQError where error.isTerminated || error.code == .notSocket {
            return nil
        }
    }

    /// Suspends until the socket is ready for `wanted` (``events`` contains it)
    /// and returns `true`, or returns `false` once `deadline` passes.
    /// Reads `ZMQ_EVENTS` before every wait, because `ZMQ_FD` only signals edges.
    /// The corresponding C function is `zmq_getsockopt` (`ZMQ_FD`, `ZMQ_EVENTS`).
    @discardableResult
    public func waitFor(_ wanted: PollEvents, deadline: ContinuousClock.Instant? = nil) async throws -> Bool {
        let fd = try get(.fileDescriptor)
        while try !events.contains(wanted) {
            try Task.checkCancellation()
            guard try await ReadinessReactor.shared.waitUntilReadable(fd, deadline: deadline) else {
                return try events.contains(wanted)
            }
        }
        return true
    }

    /// The messages arriving on this socket, each a multipart message's frames,
    /// as an async sequence. It ends (returns `nil`) when the context is shut
    /// down or the socket closed, and throws other errors and `CancellationError`.
    ///
    /// ```swift
    /// for try await frames in socket.messages { handle(frames) }
    /// ```
    public var messages: Messages { Messages(socket: self) }

    /// An `AsyncSequence` of the multipart messages a socket receives.
    public struct Messages: AsyncSequence {
        public typealias Element = [Message]
        let socket: Socket

        public func makeAsyncIterator() -> Iterator { Iterator(socket: socket) }

        /// Receives the next message when asked.
        public struct Iterator: AsyncIteratorProtocol {
            let socket: Socket

            public mutating func next() async throws -> [Message]? {
                var frames: [Message] = []
                return try await socket.receiveMultipartUnlessEnded(into: &frames).map { _ in frames }
            }
        }
    }
}
