import CZeroMQ

extension Socket {
    /// Receives one frame. The corresponding C function is `zmq_msg_recv`.
    ///
    /// - Returns: the frame (check ``Message/hasMore`` for multipart), or `nil`
    ///   when `.dontWait` was given (or ``SocketOption/receiveTimeout`` expired)
    ///   and no message was waiting.
    /// - Throws: ``ZMQError``, for example `ETERM` after ``Context/shutdown()``.
    public func receive(flags: ReceiveFlags = []) throws(ZMQError) -> Message? {
        let message = Message()
        return try receive(into: message, flags: flags) ? message : nil
    }

    /// Receives one frame into `message`, replacing its content; reusing one
    /// message this way allocates nothing in Swift.
    /// The corresponding C function is `zmq_msg_recv`.
    ///
    /// - Returns: `false` when `.dontWait` was given (or the receive timeout
    ///   expired) and no message was waiting.
    public func receive(into message: Message, flags: ReceiveFlags = []) throws(ZMQError) -> Bool {
        let handle = try liveHandle("receive")
        return try zmqCallUnlessWouldBlock("receive on \(type)") {
            zmq_msg_recv(message.raw, handle, flags.rawValue)
        } != nil
    }

    /// Receives one frame into `buffer`, the way `zmq_recv` does: bytes past the
    /// buffer's end are dropped and reported by ``ReceivedSize/isTruncated``.
    /// The corresponding C function is `zmq_recv`.
    ///
    /// - Returns: `nil` when `.dontWait` was given and no message was waiting.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, flags: ReceiveFlags = []) throws(ZMQError)
        -> ReceivedSize?
    {
        let handle = try liveHandle("receive")
        guard
            let size = try zmqCallUnlessWouldBlock(
                "receive(into \(buffer.count)-byte buffer) on \(type)",
                {
                    zmq_recv(handle, buffer.baseAddress, buffer.count, flags.rawValue)
                })
        else { return nil }
        return ReceivedSize(messageSize: Int(size), bufferSize: buffer.count)
    }

    /// Receives one frame and copies it into an array.
    /// The corresponding C function is `zmq_msg_recv`.
    public func receiveBytes(flags: ReceiveFlags = []) throws(ZMQError) -> [UInt8]? {
        try receive(flags: flags)?.bytes
    }

    /// Receives one frame as UTF-8 text (invalid sequences are replaced with U+FFFD).
    /// The corresponding C function is `zmq_msg_recv`.
    public func receiveString(flags: ReceiveFlags = []) throws(ZMQError) -> String? {
        try receive(flags: flags).map { message in
            message.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Receives every frame of one multipart message.
    /// The corresponding C function is `zmq_msg_recv`, repeated while `ZMQ_RCVMORE`.
    ///
    /// - Returns: `nil` when `.dontWait` was given and no message was waiting.
    ///   libzmq delivers multipart messages atomically, so once the first frame is
    ///   here the rest are too.
    public func receiveMultipart(flags: ReceiveFlags = []) throws(ZMQError) -> [Message]? {
        var frames: [Message] = []
        return try receiveMultipart(into: &frames, flags: flags).map { _ in frames }
    }

    /// Receives every frame of one multipart message into the messages of
    /// `frames`, from the first, adding messages when there are more frames
    /// than messages, up to `keeping` of them. A reader that keeps its array
    /// allocates nothing per message once the array has grown to the
    /// messages' frame count.
    ///
    /// Frames past the first `keeping` are received and released at once,
    /// one at a time: a peer that sends a message of a million frames to a
    /// reader that wants three costs it neither a million messages nor a
    /// large frame held until the next message of that size.
    ///
    /// - Returns: how many frames the message had (more than `keeping` when
    ///   some were released); `nil` when `.dontWait` was given and no message was waiting.
    // `package`: part of the fast path ZeroMQChannels' consumers and producers take
    // per message (a plain call, inlinable where marked); `@_spi` cannot be used
    // from their `@inlinable` code. Visible to this package's targets, never to users.
    @usableFromInline
    package func receiveMultipart(into frames: inout [Message], keeping: Int = .max, flags: ReceiveFlags = [])
        throws(ZMQError) -> Int?
    {
        if frames.isEmpty { frames.append(Message()) }
        guard try receive(into: frames[0], flags: flags) else { return nil }
        var count = 1
        var last = frames[0]
        var released: Message? = nil
        while last.hasMore {
            if count < keeping {
                if count == frames.count { frames.append(Message()) }
                last = frames[count]
            } else {
                if released == nil { released = Message() }
                last = released!
            }
            guard try receive(into: last) else {
                throw ZMQError(code: .wouldBlock, operation: "receiveMultipart frame \(count) on \(type)")
            }
            count += 1
        }
        return count
    }

    /// Whether the frame last received has more frames after it.
    /// The corresponding C function is `zmq_getsockopt(ZMQ_RCVMORE)`.
    public var hasMore: Bool {
        get throws(ZMQError) { try get(.receiveMore) }
    }
}

/// The outcome of ``Socket/receive(into:flags:)-(UnsafeMutableRawBufferPointer,_)``: how big the message was
/// and whether it fit.
public struct ReceivedSize: Sendable, Equatable {
    /// The size of the message as sent.
    public let messageSize: Int
    /// The size of the buffer it was received into.
    public let bufferSize: Int

    /// The number of bytes written to the buffer: the smaller of the two sizes.
    public var count: Int { min(messageSize, bufferSize) }
    /// Whether the message was larger than the buffer and its tail dropped.
    public var isTruncated: Bool { messageSize > bufferSize }

    /// Describes a receive of a `messageSize`-byte message into a `bufferSize`-byte buffer.
    public init(messageSize: Int, bufferSize: Int) {
        self.messageSize = messageSize
        self.bufferSize = bufferSize
    }
}
