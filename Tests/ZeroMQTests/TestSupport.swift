import Foundation
import Synchronization
import Logging
import Testing
import TestSupport
import ZeroMQ
import ZeroMQChannels

/// Every wait in these tests is bounded by this, so no test can hang.
let testTimeout: Duration = .seconds(10)

/// Whether this process runs under ThreadSanitizer (`swift test --sanitize=thread`),
/// where everything costs several times more: the heaviest tests send less
/// there, since what that run looks for is data races, not volume.
let underThreadSanitizer = dlsym(nil, "__tsan_init") != nil

/// Polls `condition` every 10 ms, for at most `timeout`, without holding a thread.
func eventually(within timeout: Duration = stallTolerantTimeout, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}

/// A unique `inproc://` endpoint so tests running in parallel never collide.
func uniqueInproc(_ name: String = #function) -> String {
    "inproc://\(name.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString)"
}

extension Context {
    /// A socket with bounded send and receive timeouts and no linger: a test
    /// using it fails instead of hanging.
    func boundedSocket(_ type: SocketType, timeout: Duration = testTimeout) throws -> Socket {
        let socket = try self.socket(type)
        try socket.set(.receiveTimeout, timeout)
        try socket.set(.sendTimeout, timeout)
        try socket.set(.linger, .zero)
        return socket
    }
}

extension Context {
    /// A bounded socket of type `bound` bound to a unique inproc endpoint, and a
    /// bounded socket of type `connected` connected to it.
    func connectedPair(
        _ bound: SocketType, _ connected: SocketType, name: String = #function
    ) throws -> (Socket, Socket) {
        let endpoint = uniqueInproc(name)
        let first = try boundedSocket(bound)
        try first.bind(endpoint)
        let second = try boundedSocket(connected)
        try second.connect(endpoint)
        return (first, second)
    }
}

extension Socket {
    /// Receives one frame as text, failing the test on timeout.
    func expectString(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let text = try receiveString()
        return try #require(text, "timed out waiting for a message", sourceLocation: sourceLocation)
    }

    /// Receives a multipart message as strings, failing the test on timeout.
    func expectStrings(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let frames = try #require(
            try receiveMultipart(), "timed out waiting for a message", sourceLocation: sourceLocation)
        return frames.map { String(decoding: $0.bytes, as: UTF8.self) }
    }
}

/// Runs blocking socket work on a thread of its own, never on Swift's
/// cooperative pool, and returns its result.
func onThread<T: Sendable>(
    _ name: String = "zmq-test", _ body: @escaping @Sendable () throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.name = name
        thread.start()
    }
}

/// Encodes an integer as 8 little-endian bytes, to number test messages.
func frame(_ value: Int) -> [UInt8] {
    withUnsafeBytes(of: UInt64(value).littleEndian) { Array($0) }
}

/// Decodes ``frame(_:)``.
func number(_ message: Message) -> Int {
    message.withUnsafeBytes { buffer in
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer.prefix(8))) }
        return Int(UInt64(littleEndian: value))
    }
}

/// A channel producer driven by hand: a raw socket that a typed end connects
/// to, so a test can send what a `Publisher` or `Pusher` never would (gaps,
/// duplicates, garbage, wrong frame counts).
struct HandMadeChannel {
    let raw: Socket
    let endpoint: String

    /// A raw XPUB for a `Subscriber`: it reports subscriptions, so a test can wait for them.
    static func publisher(_ context: Context, name: String = #function) throws -> HandMadeChannel {
        let raw = try context.boundedSocket(.xpub)
        try raw.set(.xpubVerbose, true)
        return HandMadeChannel(raw: raw, endpoint: try raw.bind(uniqueInproc(name)))
    }

    /// A raw PUSH for a `Puller`.
    static func pusher(_ context: Context, name: String = #function) throws -> HandMadeChannel {
        let raw = try context.boundedSocket(.push)
        return HandMadeChannel(raw: raw, endpoint: try raw.bind(uniqueInproc(name)))
    }

    /// Waits until one `Subscriber` of every topic has joined: its join
    /// subscription and its subscription to everything.
    func awaitSubscriber() throws {
        _ = try #require(try raw.receive(flags: []))
        _ = try #require(try raw.receive(flags: []))
    }

    /// Sends `order` as a JSON channel message: `topicFrame` (the `orders` topic
    /// by default), an envelope with `sequence` from `publisherID`, the payload.
    func send(
        _ order: OrderPlaced, sequence: UInt64, publisherID: UUID, topicFrame: [UInt8] = Topic("orders").wireBytes
    ) async throws {
        let payload = try JSONEncoder().encode(order)
        try await raw.sendMultipart([
            topicFrame, Self.envelope(sequence: sequence, publisherID: publisherID), Array(payload),
        ])
    }

    /// An envelope frame with the fields a test varies; the JSON codec's id by default.
    static func envelope(
        sequence: UInt64, publisherID: UUID = UUID(), codecID: UInt8 = JSONEventCodec().id,
        eventType: String = "OrderPlaced"
    ) -> [UInt8] {
        EventEnvelope(
            eventID: UUID(), eventType: eventType, publisherID: publisherID, sequence: sequence,
            timestampNanoseconds: 0, schemaVersion: 1, codecID: codecID
        ).encoded()
    }
}

/// A logger whose lines a test can read: each record as `LEVEL message
/// key=value…`, metadata values as they are, the way a stream handler writes them.
final class LogRecorder: Sendable {
    private let recorded = Mutex<[String]>([])

    /// The lines logged so far.
    var lines: [String] { recorded.withLock { $0 } }

    /// A logger that records here.
    var logger: Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let pairs = (metadata.merging(event.metadata ?? [:]) { $1 }).sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            recorder.recorded.withLock { $0.append("\(event.level) \(event.message) \(pairs)") }
        }
    }
}

/// The code of the ``ZMQError`` `body` throws; `nil` when it throws nothing or another error.
func thrownCode(_ body: () throws -> Any) -> ZMQError.Code? {
    do {
        _ = try body()
        return nil
    } catch {
        return (error as? ZMQError)?.code
    }
}
