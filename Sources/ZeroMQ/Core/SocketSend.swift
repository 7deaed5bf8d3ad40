import CZeroMQ
import Foundation

extension Socket {
    /// Sends one frame copied from `buffer`.
    /// The corresponding C function is `zmq_send`.
    ///
    /// - Returns: `true` once queued; `false` when `.dontWait` was given (or
    ///   ``SocketOption/sendTimeout`` expired) and the message could not be queued.
    /// - Throws: ``ZMQError`` for every other failure, such as `EFSM` on a REQ
    ///   socket out of turn or `ETERM` after ``Context/shutdown()``.
    @discardableResult
    public func send(_ buffer: UnsafeRawBufferPointer, flags: SendFlags = []) throws(ZMQError) -> Bool {
        let handle = try liveHandle("send")
        return try zmqCallUnlessWouldBlock("send(\(buffer.count) bytes) on \(type)") {
            zmq_send(handle, buffer.baseAddress, buffer.count, flags.rawValue)
        } != nil
    }

    /// Sends one frame copied from `bytes` (`[UInt8]`, `Data`, …) without any
    /// intermediate copy. The corresponding C function is `zmq_send`.
    ///
    /// - Returns: `false` when `.dontWait` was given and the message could not be queued.
    // Inlinable so `[UInt8]` and `Data` callers get a specialized `withUnsafeBytes`.
    @inlinable
    @discardableResult
    public func send(_ bytes: some ContiguousBytes, flags: SendFlags = []) throws(ZMQError) -> Bool {
        // withUnsafeBytes only rethrows untyped errors, so the outcome crosses it as a Result.
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(ZMQError) in try send(buffer, flags: flags) }
        }.get()
    }

    /// Sends the UTF-8 bytes of `string` as one frame. The corresponding C function is `zmq_send`.
    ///
    /// - Returns: `false` when `.dontWait` was given and the message could not be queued.
    @discardableResult
    public func send(_ string: String, flags: SendFlags = []) throws(ZMQError) -> Bool {
        var string = string
        return try string.withUTF8 { utf8 in
            Result { () throws(ZMQError) in try send(UnsafeRawBufferPointer(utf8), flags: flags) }
        }.get()
    }

    /// Sends `message` without copying it; on success its content now belongs to
    /// libzmq and `message` is empty, ready to reuse.
    /// The corresponding C function is `zmq_msg_send`.
    ///
    /// - Returns: `false` when `.dontWait` was given and the message could not be
    ///   queued; `message` is then unchanged.
    @discardableResult
    public func send(_ message: Message, flags: SendFlags = []) throws(ZMQError) -> Bool {
        let handle = try liveHandle("send")
        return try zmqCallUnlessWouldBlock("send(message of \(message.count) bytes) on \(type)") {
            zmq_msg_send(message.raw, handle, flags.rawValue)
        } != nil
    }

    /// Sends `frames` as one multipart message: peers receive all of them or none.
    /// If a later frame fails (say `ETERM` during shutdown), the frames already
    /// queued stay pending and are never delivered alone; close the socket then.
    /// The corresponding C function is `zmq_send` with `ZMQ_SNDMORE`.
    ///
    /// - Returns: `false` when `.dontWait` was given and the first frame could not
    ///   be queued; nothing was sent then. Once the first frame is queued, libzmq
    ///   accepts the rest, so they are sent without `.dontWait`.
    @discardableResult
    public func sendMultipart<Frames: Collection>(
        _ frames: Frames, flags: SendFlags = []
    ) throws(ZMQError) -> Bool where Frames.Element: ContiguousBytes {
        var position = frames.startIndex
        return try sendFrames(frames.count, flags) { (_, frameFlags) throws(ZMQError) -> Bool in
            defer { position = frames.index(after: position) }
            return try send(frames[position], flags: frameFlags)
        }
    }

    /// Sends strings as the frames of one multipart message.
    /// The corresponding C function is `zmq_send` with `ZMQ_SNDMORE`.
    @discardableResult
    public func sendMultipart(_ frames: [String], flags: SendFlags = []) throws(ZMQError) -> Bool {
        try sendFrames(frames.count, flags) { (index, frameFlags) throws(ZMQError) -> Bool in
            try send(frames[index], flags: frameFlags)
        }
    }

    /// Sends messages as the frames of one multipart message, without copying them.
    /// The corresponding C function is `zmq_msg_send` with `ZMQ_SNDMORE`.
    @discardableResult
    public func sendMultipart(_ frames: [Message], flags: SendFlags = []) throws(ZMQError) -> Bool {
        try sendFrames(frames.count, flags) { (index, frameFlags) throws(ZMQError) -> Bool in
            try send(frames[index], flags: frameFlags)
        }
    }

    /// Sends `count` frames as one multipart message, `sendOne` sending each
    /// with the flags given: `.sendMore` on all but the last, and `.dontWait`
    /// (if asked) on the first only, since libzmq queues the rest of a message
    /// whose first frame it took. `false` when the first frame would block.
    // `package`: part of the fast path ZeroMQChannels' consumers and producers take
    // per message (a plain call, inlinable where marked); `@_spi` cannot be used
    // from their `@inlinable` code. Visible to this package's targets, never to users.
    @usableFromInline
    package func sendFrames(
        _ count: Int, _ flags: SendFlags, _ sendOne: (Int, SendFlags) throws(ZMQError) -> Bool
    ) throws(ZMQError) -> Bool {
        guard count > 0 else {
            throw ZMQError(code: .invalidArgument, operation: "sendMultipart of no frames on \(type)")
        }
        var laterFlags = flags
        laterFlags.remove(.dontWait)
        for index in 0..<count {
            var frameFlags = index == 0 ? flags : laterFlags
            if index < count - 1 { frameFlags.insert(.sendMore) }
            let sent = try sendOne(index, frameFlags)
            if !sent {
                if index == 0 { return false }
                // Cannot happen with libzmq's atomic multipart guarantee, but
                // never report a half-sent message as unsent.
                throw ZMQError(code: .wouldBlock, operation: "sendMultipart frame \(index) of \(count) on \(type)")
            }
        }
        return true
    }
}
