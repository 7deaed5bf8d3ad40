import CZeroMQ

/// A socket option that can be read and written, typed by the Swift value it
/// holds: ``SocketOption/linger`` is a `Duration?`, ``SocketOption/routingID``
/// bytes, ``SocketOption/immediate`` a `Bool`.
///
/// Use it with `Socket.set(_:_:)` and `Socket.get(_:)`:
/// ```swift
/// try socket.set(.linger, .zero)
/// let hwm = try socket.get(.sendHighWaterMark)
/// ```
/// The corresponding C functions are `zmq_setsockopt` and `zmq_getsockopt`.
public struct SocketOption<Value>: Sendable {
    /// The libzmq option constant (`ZMQ_LINGER`, …).
    public let code: Int32
    /// The libzmq name of the option, used in error messages.
    public let name: String
    let codec: OptionCodec<Value>
}

/// A socket option that can only be written, such as ``WriteOnlySocketOption/subscribe``.
/// The corresponding C function is `zmq_setsockopt`.
public struct WriteOnlySocketOption<Value>: Sendable {
    /// The libzmq option constant.
    public let code: Int32
    /// The libzmq name of the option, used in error messages.
    public let name: String
    let codec: OptionCodec<Value>
}

/// A socket option that can only be read, such as ``ReadOnlySocketOption/type``.
/// The corresponding C function is `zmq_getsockopt`.
public struct ReadOnlySocketOption<Value>: Sendable {
    /// The libzmq option constant.
    public let code: Int32
    /// The libzmq name of the option, used in error messages.
    public let name: String
    let codec: OptionCodec<Value>
}

extension Socket {
    /// Sets a socket option. The corresponding C function is `zmq_setsockopt`.
    public func set<Value>(_ option: SocketOption<Value>, _ value: Value) throws(ZMQError) {
        try option.codec.write(liveHandle("set \(option.name)"), option.code, option.name, value)
    }

    /// Sets a write-only socket option. The corresponding C function is `zmq_setsockopt`.
    public func set<Value>(_ option: WriteOnlySocketOption<Value>, _ value: Value) throws(ZMQError) {
        try option.codec.write(liveHandle("set \(option.name)"), option.code, option.name, value)
    }

    /// Reads a socket option. The corresponding C function is `zmq_getsockopt`.
    public func get<Value>(_ option: SocketOption<Value>) throws(ZMQError) -> Value {
        try option.codec.read(liveHandle("get \(option.name)"), option.code, option.name)
    }

    /// Reads a read-only socket option. The corresponding C function is `zmq_getsockopt`.
    public func get<Value>(_ option: ReadOnlySocketOption<Value>) throws(ZMQError) -> Value {
        try option.codec.read(liveHandle("get \(option.name)"), option.code, option.name)
    }
}

// MARK: - Codecs: how a Swift value becomes the bytes zmq_setsockopt takes

/// How one kind of option value crosses `zmq_setsockopt`/`zmq_getsockopt`.
struct OptionCodec<Value>: Sendable {
    let read: @Sendable (UnsafeMutableRawPointer, Int32, String) throws(ZMQError) -> Value
    let write: @Sendable (UnsafeMutableRawPointer, Int32, String, Value) throws(ZMQError) -> Void

    /// A codec for values stored as another codec's values, such as `SocketType` over `Int32`.
    /// `fromValue` is given the option's name (`ZMQ_LINGER`) for the error it throws
    /// when a value has no stored form.
    func map<T>(
        read toValue: @escaping @Sendable (Value) -> T,
        write fromValue: @escaping @Sendable (T, _ name: String) throws(ZMQError) -> Value
    ) -> OptionCodec<T> {
        let read = self.read
        let write = self.write
        return OptionCodec<T>(
            read: { (socket, code, name) throws(ZMQError) in toValue(try read(socket, code, name)) },
            write: { (socket, code, name, value) throws(ZMQError) in
                try write(socket, code, name, try fromValue(value, name))
            }
        )
    }
}

private func setScalar<T: FixedWidthInteger>(
    _ socket: UnsafeMutableRawPointer, _ code: Int32, _ name: String, _ value: T
) throws(ZMQError) {
    var value = value
    try zmqCall("zmq_setsockopt(\(name), \(value))") {
        zmq_setsockopt(socket, code, &value, MemoryLayout<T>.size)
    }
}

private func setBytes(
    _ socket: UnsafeMutableRawPointer, _ code: Int32, _ name: String, _ value: [UInt8],
    _ shown: @autoclosure () -> String
) throws(ZMQError) {
    try zmqCall("zmq_setsockopt(\(name), \(shown()))") {
        // libzmq clears string options only when given NULL with length 0.
        value.isEmpty
            ? zmq_setsockopt(socket, code, nil, 0)
            : value.withUnsafeBytes { zmq_setsockopt(socket, code, $0.baseAddress, $0.count) }
    }
}

private func getScalar<T: FixedWidthInteger>(
    _ socket: UnsafeMutableRawPointer, _ code: Int32, _ name: String, as: T.Type
) throws(ZMQError) -> T {
    var value: T = 0
    var size = MemoryLayout<T>.size
    try zmqCall("zmq_getsockopt(\(name))") { zmq_getsockopt(socket, code, &value, &size) }
    return value
}

private func getBytes(
    _ socket: UnsafeMutableRawPointer, _ code: Int32, _ name: String, capacity: Int
) throws(ZMQError) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: capacity)
    var size = capacity
    try zmqCall("zmq_getsockopt(\(name))") {
        buffer.withUnsafeMutableBytes { zmq_getsockopt(socket, code, $0.baseAddress, &size) }
    }
    return Array(buffer.prefix(size))
}

private func outOfRange(_ name: String, _ value: some CustomStringConvertible) -> ZMQError {
    ZMQError(code: .invalidArgument, operation: "zmq_setsockopt(\(name), \(value)): value out of range")
}

extension OptionCodec where Value == Int32 {
    static let int32 = OptionCodec(
        read: { (s, c, n) throws(ZMQError) in try getScalar(s, c, n, as: Int32.self) },
        write: { (s, c, n, v) throws(ZMQError) in try setScalar(s, c, n, v) }
    )
}

extension OptionCodec where Value == Int64 {
    static let int64 = OptionCodec(
        read: { (s, c, n) throws(ZMQError) in try getScalar(s, c, n, as: Int64.self) },
        write: { (s, c, n, v) throws(ZMQError) in try setScalar(s, c, n, v) }
    )
}

extension OptionCodec where Value == UInt64 {
    static let uint64 = OptionCodec(
        read: { (s, c, n) throws(ZMQError) in try getScalar(s, c, n, as: UInt64.self) },
        write: { (s, c, n, v) throws(ZMQError) in try setScalar(s, c, n, v) }
    )
}

extension OptionCodec where Value == Int {
    /// An `int` option.
    static let int = OptionCodec<Int32>.int32.map(
        read: { Int($0) },
        write: { (v: Int, name) throws(ZMQError) -> Int32 in
            guard let value = Int32(exactly: v) else { throw outOfRange(name, v) }
            return value
        }
    )
}

extension OptionCodec where Value == Bool {
    /// An `int` option that holds 0 or 1.
    static let bool = OptionCodec<Int32>.int32.map(read: { $0 != 0 }, write: { value, _ in value ? 1 : 0 })
}

extension OptionCodec where Value == Duration {
    /// An `int` option in milliseconds.
    static let milliseconds = OptionCodec<Int32>.int32.map(
        read: { Duration.milliseconds($0) },
        write: { (v: Duration, name) throws(ZMQError) -> Int32 in try millisecondsValue(v, option: name) }
    )
}

extension OptionCodec where Value == Duration? {
    /// An `int` option in milliseconds where -1 means "forever" (`nil`).
    static let millisecondsOrForever = OptionCodec<Int32>.int32.map(
        read: { $0 < 0 ? nil : Duration.milliseconds($0) },
        write: { (v: Duration?, name) throws(ZMQError) -> Int32 in
            guard let v else { return -1 }
            return try millisecondsValue(v, option: name)
        }
    )

    /// An `int` option in seconds where -1 means "the operating system's default" (`nil`).
    static let secondsOrSystemDefault = OptionCodec<Int32>.int32.map(
        read: { $0 < 0 ? nil : Duration.seconds($0) },
        write: { (v: Duration?, name) throws(ZMQError) -> Int32 in
            guard let v else { return -1 }
            guard v > .zero, let value = Int32(exactly: wholeUnits(v, per: 1)) else { throw outOfRange(name, v) }
            return value
        }
    )
}

/// Whole milliseconds, rounded up so that a short timeout never becomes "don't wait";
/// `option` names the option being set, for the error.
private func millisecondsValue(_ duration: Duration, option: String) throws(ZMQError) -> Int32 {
    guard duration >= .zero, let value = Int32(exactly: wholeUnits(duration, per: 1_000)) else {
        throw outOfRange(option, duration)
    }
    return value
}

extension OptionCodec where Value == [UInt8] {
    /// A binary option of at most `capacity` bytes.
    static func bytes(capacity: Int) -> OptionCodec {
        OptionCodec(
            read: { (s, c, n) throws(ZMQError) in try getBytes(s, c, n, capacity: capacity) },
            write: { (s, c, n, v) throws(ZMQError) in try setBytes(s, c, n, v, "\(v.count) bytes") }
        )
    }
}

extension OptionCodec where Value == String {
    /// A NUL-terminated string option.
    static let string = OptionCodec(
        read: { (s, c, n) throws(ZMQError) in
            var bytes = try getBytes(s, c, n, capacity: 4096)
            if bytes.last == 0 { bytes.removeLast() }
            return String(decoding: bytes, as: UTF8.self)
        },
        write: { (s, c, n, v) throws(ZMQError) in try setBytes(s, c, n, Array(v.utf8), "\"\(v)\"") }
    )
}

extension OptionCodec where Value == String {
    /// A string option whose value never appears in an error message.
    static let secretString = OptionCodec(
        read: OptionCodec.string.read,
        write: { (s, c, n, v) throws(ZMQError) in
            try setBytes(s, c, n, Array(v.utf8), "<\(v.utf8.count) bytes hidden>")
        }
    )
}
