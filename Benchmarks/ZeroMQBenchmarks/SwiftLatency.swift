import CBaseline
import ZeroMQ

/// One Swift REQ/REP latency run, the counterpart of the C baseline's
/// `cb_latency` (see `latency.c`): REP echoes each request back on one reused
/// `Message`; REQ sends from one reused buffer and receives the echo into one
/// reused `Message`, timing every round trip with `cb_now_ns`.
struct SwiftLatency: Sendable {
    var endpoint: String
    var size: Int
    var warmup: Int
    var roundtrips: Int

    /// The median and 99th percentile round trip in microseconds.
    func run() -> (median: Double, p99: Double) {
        let context: Context
        do { context = try Context() } catch { fail(error, in: "Context()") }
        let handoff = OneShot<String>()
        let samples = Locked<[UInt64]>([])
        runOnTwoThreads(
            { reply(context: context, handoff: handoff) },
            { request(context: context, handoff: handoff, samples: samples) }
        )
        return latencySummary(samples.withLock { $0 })
    }

    private func reply(context: Context, handoff: OneShot<String>) {
        do {
            let socket = try context.socket(.rep)
            handoff.post(try socket.bind(endpoint))
            let message = Message()
            for _ in 0..<(warmup + roundtrips) {
                _ = try socket.receive(into: message)
                try socket.send(message)
            }
        } catch {
            fail(error, in: "REP")
        }
    }

    private func request(context: Context, handoff: OneShot<String>, samples timed: Locked<[UInt64]>) {
        let buffer = messageBuffer(size: size)
        defer { buffer.deallocate() }
        let bytes = UnsafeRawBufferPointer(buffer)
        var samples = [UInt64](repeating: 0, count: roundtrips)
        do {
            let socket = try context.socket(.req)
            try socket.connect(handoff.wait(timeout: .seconds(60)) ?? "no endpoint posted within 60 s")
            let reply = Message()
            for _ in 0..<warmup {
                try socket.send(bytes)
                _ = try socket.receive(into: reply)
            }
            for index in 0..<roundtrips {
                let start = cb_now_ns()
                try socket.send(bytes)
                _ = try socket.receive(into: reply)
                samples[index] = cb_now_ns() - start
            }
        } catch {
            fail(error, in: "REQ")
        }
        timed.withLock { $0 = samples }
    }
}
