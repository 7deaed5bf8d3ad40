import Foundation
import Histogram
import ZeroMQ

/// Runs a benchmark's sides on threads, shows progress while they work, and
/// writes the report.
struct BenchRun {
    let sides: BenchSides
    let quiet: Bool
    let json: Bool

    /// Both ends in this process.
    func local(pattern: BenchPattern, transport: Bench.Transport, latency: Bool) throws(ToolError) -> String {
        let endpoint = try EndpointArgument(Self.localEndpoint(transport), binds: true)
        // libzmq leaves an IPC socket's file behind; this one is ours alone.
        defer { if transport == .ipc { unlink(String(endpoint.description.dropFirst("ipc://".count))) } }
        let ready = Handoff<String>()
        let counter = SharedCounter()
        let sides = sides
        if latency {
            let server = BenchThread("zmq-bench-rep") { () throws(ToolError) in
                try sides.shuttingDownOnFailure { () throws(ToolError) in try sides.echo(at: endpoint, ready: ready) }
            }
            let client = BenchThread("zmq-bench-req") { () throws(ToolError) -> Histogram<UInt64> in
                try sides.shuttingDownOnFailure { () throws(ToolError) -> Histogram<UInt64> in
                    try sides.roundTrips(to: try sides.peer(of: ready), counter: counter)
                }
            }
            let times = try watch(client, label: "round trips", counter: counter, alsoJoining: server)
            return report(
                .init(
                    transport: transport.rawValue, role: "local", secured: sides.serving != nil, size: sides.size,
                    roundTrips: times))
        }
        let receiver = BenchThread("zmq-bench-receiver") { () throws(ToolError) in
            try sides.shuttingDownOnFailure { () throws(ToolError) in
                try sides.receive(pattern, at: endpoint, counter: counter, ready: ready)
            }
        }
        let sender = BenchThread("zmq-bench-sender") { () throws(ToolError) in
            try sides.shuttingDownOnFailure { () throws(ToolError) in
                try sides.send(pattern, to: try sides.peer(of: ready))
            }
        }
        let (_, last) = try watch(receiver, label: "received", counter: counter, alsoJoining: sender)
        let start = try sender.join()
        return report(
            .init(
                pattern: pattern.rawValue, transport: transport.rawValue, role: "local", secured: sides.serving != nil,
                size: sides.size,
                count: sides.count, elapsed: last - start))
    }

    /// One end, against a peer in another process.
    func remote(_ role: Bench.Role, at endpoint: EndpointArgument, pattern: BenchPattern, latency: Bool) throws(ToolError)
        -> String
    {
        let counter = SharedCounter()
        let sides = sides
        let transport = endpoint.transport
        switch (role, latency) {
        case (.sender, true):
            let client = BenchThread("zmq-bench-req") { () throws(ToolError) in
                try sides.roundTrips(to: endpoint, counter: counter)
            }
            let times = try watch(client, label: "round trips", counter: counter)
            return report(
                .init(
                    transport: transport, role: "sender", secured: sides.serving != nil, size: sides.size,
                    roundTrips: times))
        case (.receiver, true):
            let server = BenchThread("zmq-bench-rep") { () throws(ToolError) in try sides.echo(at: endpoint) }
            try server.join()
            return json
                ? "{\"mode\":\"latency\",\"role\":\"receiver\",\"count\":\(sides.count)}\n"
                : "echoed \(sides.count) requests\n"
        case (.sender, false):
            let sender = BenchThread("zmq-bench-sender") { () throws(ToolError) in
                let start = try sides.send(pattern, to: endpoint)
                return ContinuousClock.now - start
            }
            let elapsed = try sender.join()
            return report(
                .init(
                    pattern: pattern.rawValue, transport: transport, role: "sender", secured: sides.serving != nil,
                    size: sides.size, count: sides.count,
                    elapsed: elapsed))
        case (.receiver, false):
            let receiver = BenchThread("zmq-bench-receiver") { () throws(ToolError) in
                try sides.receive(pattern, at: endpoint, counter: counter)
            }
            let (first, last) = try watch(receiver, label: "received", counter: counter)
            // Timed from the first message, so the wait for the sender to start does not count.
            return report(
                .init(
                    pattern: pattern.rawValue, transport: transport, role: "receiver", secured: sides.serving != nil,
                    size: sides.size,
                    count: sides.count, elapsed: last - first))
        }
    }

    /// Shows progress until `main` finishes, then joins it and `other`,
    /// reporting the first failure that is not just the other side's shutdown.
    private func watch<Result>(
        _ main: BenchThread<Result>, label: String, counter: SharedCounter,
        alsoJoining other: (any JoinableThread)? = nil
    ) throws(ToolError) -> Result {
        var progress = BenchProgress(label: label, total: sides.count, quiet: quiet)
        while !main.isFinished {
            progress.update(counter.current)
            Thread.sleep(forTimeInterval: 0.05)
        }
        progress.finish()
        let result: Swift.Result<Result, ToolError>
        do { result = .success(try main.join()) } catch { result = .failure(error) }
        var otherFailure: ToolError?
        if let other {
            do { try other.waitForEnd() } catch { otherFailure = error }
        }
        if case .failure(let error) = result, !error.isShutdown { throw error }
        if let otherFailure { throw otherFailure }
        return try result.get()
    }

    private func report(_ result: BenchReport.Throughput) -> String {
        json ? BenchReport.json(result) : BenchReport.text(result)
    }

    private func report(_ result: BenchReport.Latency) -> String {
        json ? BenchReport.json(result) : BenchReport.text(result)
    }

    private static func localEndpoint(_ transport: Bench.Transport) -> String {
        let unique = UUID().uuidString.lowercased()
        switch transport {
        case .tcp: return "tcp://127.0.0.1:*"
        case .ipc: return "ipc://\(NSTemporaryDirectory())zmq-bench-\(unique)"
        case .inproc: return "inproc://zmq-bench-\(unique)"
        }
    }
}

extension BenchSides {
    /// Runs `body`; if it fails, shuts the context down so the other side,
    /// blocked in a call, stops too instead of waiting for its timeout.
    func shuttingDownOnFailure<Result>(_ body: () throws(ToolError) -> Result) throws(ToolError) -> Result {
        do { return try body() } catch {
            context.shutdown()
            throw error
        }
    }

    /// The endpoint the local receiving side bound, to connect the other side to.
    func peer(of ready: Handoff<String>) throws(ToolError) -> EndpointArgument {
        guard let bound = ready.wait(timeout: timeout) else {
            throw .failure("the receiving side did not start within \(DurationArgument.format(timeout))")
        }
        return try EndpointArgument(bound, binds: false)
    }
}
