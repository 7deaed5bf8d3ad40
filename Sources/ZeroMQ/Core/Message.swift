import CZeroMQ
import Foundation

/// One frame of a ZeroMQ message, owning a `zmq_msg_t`.
///
/// A `Message` is what libzmq hands you on receive, with no copy: read it
/// through ``withUnsafeBytes(_:)`` while it lives, or copy it out with
/// ``bytes``, ``data`` or ``string``. To send without a copy, build it with
/// ``init(bytes:)`` or ``init(takingOwnershipOf:deallocator:)``: libzmq then
/// reads your buffer directly and frees it, through a callback, once sent.
///
/// Sending a message moves its content to libzmq and leaves it empty, so a
/// message object can be reused for the next receive or send with no
/// allocation. Like ``Socket``, it is not `Sendable`: transfer it, don't share it.
public final class Message {
    /// The `zmq_msg_t`, at a fixed address: libzmq keeps small messages inside
    /// it, so pointers to their bytes point into this storage.
    let raw: UnsafeMutablePointer<zmq_msg_t>
    /// Whether the content is memory lent by a Swift array (``init(bytes:)``),
    /// which must be copied before anybody writes to it.
    private var isBorrowed = false

    /// An empty message, ready to receive into. The corresponding C function is `zmq_msg_init`.
    public init() {
        raw = .allocate(capacity: 1)
        zmq_msg_init(raw)
    }

    /// A message of `count` uninitialized bytes to fill through ``withUnsafeMutableBytes(_:)``.
    /// The corresponding C function is `zmq_msg_init_size`.
    public init(count: Int) throws(ZMQError) {
        raw = .allocate(capacity: 1)
        let raw = self.raw
        guard count >= 0 else {
            zmq_msg_init(raw)
            throw ZMQError(code: .invalidArgument, operation: "zmq_msg_init_size(\(count)): negative size")
        }
        do {
            try zmqCall("zmq_msg_init_size(\(count))") { zmq_msg_init_size(raw, count) }
        } catch {
            zmq_msg_init(raw)  // a failed init_size leaves nothing zmq_msg_close can free
            throw error
        }
    }

    /// A message holding a copy of `bytes`. The corresponding C function is `zmq_msg_init_size`.
    public convenience init(copying bytes: some ContiguousBytes) throws(ZMQError) {
        let count = bytes.withUnsafeBytes { $0.count }
        try self.init(count: count)
        bytes.withUnsafeBytes { source in
            guard let base = source.baseAddress, count > 0 else { return }
            zmq_msg_data(raw).copyMemory(from: base, byteCount: count)
        }
    }

    /// A message holding the UTF-8 bytes of `string`, copied.
    /// The corresponding C function is `zmq_msg_init_size`.
    public convenience init(_ string: String) throws(ZMQError) {
        try self.init(copying: Array(string.utf8))
    }

    /// A message that lends `bytes` to libzmq without copying them: the array is
    /// kept alive until libzmq has sent it, then released.
    /// The corresponding C function is `zmq_msg_init_data`.
    public convenience init(bytes: [UInt8]) throws(ZMQError) {
        guard !bytes.isEmpty else {
            self.init()
            return
        }
        let owner = Unmanaged.passRetained(ArrayOwner(bytes))
        let start = owner.takeUnretainedValue().start
        try self.init(
            data: start, count: bytes.count, hint: owner.toOpaque(),
            free: { _, hint in
                if let hint { Unmanaged<ArrayOwner>.fromOpaque(hint).release() }
            },
            onFailure: { owner.release() }
        )
        isBorrowed = true
    }

    /// A message over memory you allocated, without copying it. libzmq calls
    /// `deallocator` with the buffer once it no longer needs it, on one of its
    /// I/O threads. The corresponding C function is `zmq_msg_init_data`.
    public convenience init(
        takingOwnershipOf buffer: UnsafeMutableRawBufferPointer,
        deallocator: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Void
    ) throws(ZMQError) {
        guard let base = buffer.baseAddress else {
            deallocator(buffer)
            self.init()
            return
        }
        let owner = Unmanaged.passRetained(BufferOwner(buffer: buffer, deallocator: deallocator))
        try self.init(
            data: base, count: buffer.count, hint: owner.toOpaque(),
            free: { _, hint in
                if let hint { Unmanaged<BufferOwner>.fromOpaque(hint).takeRetainedValue().free() }
            },
            onFailure: { owner.takeRetainedValue().free() }
        )
    }

    private init(
        data: UnsafeMutableRawPointer, count: Int, hint: UnsafeMutableRawPointer,
        free: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void,
        onFailure: () -> Void
    ) throws(ZMQError) {
        raw = .allocate(capacity: 1)
        let rc = zmq_msg_init_data(raw, data, count, free, hint)
        if rc != 0 {
            let error = ZMQError(errno: zmq_errno(), operation: "zmq_msg_init_data(\(count) bytes)")
            onFailure()
            zmq_msg_init(raw)
            throw error
        }
    }

    deinit {
        zmq_msg_close(raw)
        raw.deallocate()
    }

    /// The size in bytes. The corresponding C function is `zmq_msg_size`.
    public var count: Int { zmq_msg_size(raw) }

    /// Whether more frames of the same multipart message follow this one.
    /// The corresponding C function is `zmq_msg_more`.
    public var hasMore: Bool { zmq_msg_more(raw) != 0 }

    /// Calls `body` with the message's bytes, without copying them.
    /// The corresponding C function is `zmq_msg_data`.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(unsafeBytes)
    }

    /// The message's bytes, valid until the message is next received into,
    /// sent or released: for the module's own readers, which need no closure.
    // `package`: part of the fast path ZeroMQChannels' consumers and producers take
    // per message (a plain call, inlinable where marked); `@_spi` cannot be used
    // from their `@inlinable` code. Visible to this package's targets, never to users.
    @usableFromInline
    package var unsafeBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: zmq_msg_data(raw), count: zmq_msg_size(raw))
    }

    /// Calls `body` with the message's bytes for writing, for example after
    /// ``init(count:)``; a message lent by an array (``init(bytes:)``) is copied
    /// first, so the array never changes. Don't write to a message you received
    /// and also forwarded or copied: libzmq may share its content.
    /// The corresponding C function is `zmq_msg_data`.
    public func withUnsafeMutableBytes<R, E: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        if isBorrowed { stopBorrowing() }
        return try body(UnsafeMutableRawBufferPointer(start: zmq_msg_data(raw), count: zmq_msg_size(raw)))
    }

    /// Replaces lent content with a private copy.
    private func stopBorrowing() {
        let count = zmq_msg_size(raw)
        var copy = zmq_msg_t()
        guard zmq_msg_init_size(&copy, count) == 0 else { preconditionFailure("out of memory copying \(count) bytes") }
        zmq_msg_data(&copy).copyMemory(from: zmq_msg_data(raw), byteCount: count)
        zmq_msg_close(raw)
        zmq_msg_init(raw)
        zmq_msg_move(raw, &copy)
        isBorrowed = false
    }

    /// A copy of the bytes. The corresponding C function is `zmq_msg_data`.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// A copy of the bytes as `Data`. The corresponding C function is `zmq_msg_data`.
    public var data: Data { withUnsafeBytes { Data($0) } }

    /// The bytes as UTF-8 text, or `nil` when they are not valid UTF-8.
    /// The corresponding C function is `zmq_msg_data`.
    public var string: String? {
        withUnsafeBytes { String(validating: $0.bindMemory(to: UInt8.self), as: UTF8.self) }
    }

    /// A metadata property of a received message, such as `"Socket-Type"`,
    /// `"Routing-Id"`, `"Peer-Address"` or `"User-Id"`; `nil` when absent.
    /// The corresponding C function is `zmq_msg_gets`.
    public func metadata(_ property: String) -> String? {
        guard let value = zmq_msg_gets(raw, property) else { return nil }
        return String(cString: value)
    }

    /// A second message sharing this one's content (reference-counted, no copy).
    /// The corresponding C function is `zmq_msg_copy`.
    public func copy() throws(ZMQError) -> Message {
        let copy = Message()
        try zmqCall("zmq_msg_copy") { zmq_msg_copy(copy.raw, raw) }
        copy.isBorrowed = isBorrowed
        return copy
    }
}

/// Keeps an array's storage alive while libzmq reads it.
private final class ArrayOwner {
    let bytes: [UInt8]
    let start: UnsafeMutableRawPointer

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        // A non-empty native array's storage stays put while this owner holds
        // the only reference libzmq depends on and nobody mutates it.
        start = UnsafeMutableRawPointer(mutating: bytes.withUnsafeBytes { $0.baseAddress! })
    }
}

/// Frees a caller-owned buffer once libzmq is done with it.
private final class BufferOwner {
    let buffer: UnsafeMutableRawBufferPointer
    let deallocator: @Sendable (UnsafeMutableRawBufferPointer) -> Void

    init(
        buffer: UnsafeMutableRawBufferPointer, deallocator: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Void
    ) {
        self.buffer = buffer
        self.deallocator = deallocator
    }

    func free() { deallocator(buffer) }
}
