import Foundation
import ZeroMQ

/// A reply type that can carry a failure, so a responder answers every
/// request, even one it cannot read.
public protocol FailableReply: Codable, Sendable {
    static func failure(reason: String) -> Self
}

/// The calling side of a synchronous call to a known handler (REQ): the
/// **command and query** style. The caller waits for the answer, is coupled to
/// the handler's address, and fails when the handler is down.
///
/// Each call is bounded: after `timeout` it throws ``DeliveryError/timedOut(service:endpoint:after:)``
/// and starts a new socket, since a REQ socket that never got its reply cannot
/// send again. Like any socket, a requester belongs to one task.
public final class Requester<Request: Encodable & Sendable, Reply: FailableReply> {
    private let context: Context
    private let endpoint: String
    private let service: String
    private let timeout: Duration
    private var socket: Socket

    public init(context: Context, connect endpoint: String, service: String, timeout: Duration = .seconds(5)) throws {
        self.context = context
        self.endpoint = endpoint
        self.service = service
        self.timeout = timeout
        socket = try Requester.connect(context, endpoint)
    }

    deinit { socket.close(linger: .zero) }

    private static func connect(_ context: Context, _ endpoint: String) throws -> Socket {
        let socket = try context.socket(.req)
        try socket.set(.linger, .zero)
        try socket.connect(endpoint)
        return socket
    }

    /// Sends `request` and waits for the reply.
    public func call(_ request: Request) async throws -> Reply {
        try await socket.send(try JSONEncoder().encode(request))
        guard try await socket.waitFor(.readable, deadline: .now + timeout) else {
            socket.close(linger: .zero)
            socket = try Requester.connect(context, endpoint)
            throw DeliveryError.timedOut(service: service, endpoint: endpoint, after: timeout)
        }
        let reply = try await socket.receive()
        do {
            return try JSONDecoder().decode(Reply.self, from: reply.data)
        } catch {
            throw DeliveryError.invalid("\(service) sent a reply that is not a \(Reply.self): \(error)")
        }
    }
}

/// The handling side of a command or query (REP): answers each request, one at
/// a time, until the task is cancelled or the context shut down. A request
/// that does not decode is answered with a failure and never stops the service.
public func serveRequests<Request: Decodable & Sendable, Reply: FailableReply>(
    context: Context, bind endpoint: String, _ request: Request.Type,
    handle: (Request) async -> Reply
) async throws {
    let socket = try context.socket(.rep)
    defer { socket.close(linger: .zero) }
    try socket.bind(endpoint)
    for try await frames in socket.messages {
        let reply: Reply
        do {
            reply = await handle(try JSONDecoder().decode(Request.self, from: frames.first?.data ?? Data()))
        } catch {
            reply = Reply.failure(reason: "could not read the request as \(Request.self): \(error)")
        }
        try await socket.send(try JSONEncoder().encode(reply))
    }
}
