import Histogram
import ZMQOutput
/// What a benchmark measured, and how it is written: a summary for people on
/// standard output, or one JSON object with `--json`.
enum BenchReport {
    /// Messages through one socket pair.
    struct Throughput {
        let pattern: String
        let transport: String
        let role: String
        let secured: Bool
        let size: Int
        let count: Int
        let elapsed: Duration

        var messagesPerSecond: Double { Double(count) / max(elapsed.seconds, 1e-9) }
        var megabytesPerSecond: Double { messagesPerSecond * Double(size) / 1e6 }
    }

    /// Round trips of one request and its reply.
    struct Latency {
        let transport: String
        let role: String
        let secured: Bool
        let size: Int
        /// Every round trip's time in nanoseconds, in an HdrHistogram: its
        /// size does not grow with the number of round trips, and each figure
        /// read from it is within 0.1% (three significant digits).
        let roundTrips: Histogram<UInt64>

        /// The percentile `fraction` (0.5 for the median), in microseconds.
        func percentile(_ fraction: Double) -> Double {
            roundTrips.totalCount == 0 ? 0 : Double(roundTrips.valueAtPercentile(fraction * 100)) / 1_000
        }

        var count: UInt64 { roundTrips.totalCount }
        var min: Double { count == 0 ? 0 : Double(roundTrips.min) / 1_000 }
        var max: Double { count == 0 ? 0 : Double(roundTrips.max) / 1_000 }
        var mean: Double { count == 0 ? 0 : roundTrips.mean / 1_000 }
    }

    static func text(_ result: Throughput) -> String {
        let seconds = format(result.elapsed.seconds, decimals: 3)
        return """
            \(result.pattern) over \(result.transport)\(note(result.role, result.secured)): \(result.count) messages of \(result.size) bytes in \(seconds) s
              \(format(result.messagesPerSecond, decimals: 0)) msg/s, \(format(result.megabytesPerSecond, decimals: 1)) MB/s (\(format(result.megabytesPerSecond * 8, decimals: 1)) Mbit/s)

            """
    }

    static func json(_ result: Throughput) -> String {
        var object = JSONObjectWriter()
        object.add("mode", string: "throughput")
        object.add("pattern", string: result.pattern)
        object.add("transport", string: result.transport)
        object.add("role", string: result.role)
        object.add("curve", bool: result.secured)
        object.add("size", number: result.size)
        object.add("count", number: result.count)
        object.add("seconds", number: result.elapsed.seconds)
        object.add("messages_per_second", number: result.messagesPerSecond)
        object.add("megabytes_per_second", number: result.megabytesPerSecond)
        object.add("megabits_per_second", number: result.megabytesPerSecond * 8)
        return String(decoding: object.finish(), as: UTF8.self) + "\n"
    }

    static func text(_ result: Latency) -> String {
        func us(_ value: Double) -> String { "\(format(value, decimals: 1)) µs" }
        return """
            req/rep over \(result.transport)\(note(result.role, result.secured)): \(result.count) round trips of \(result.size) bytes
              median \(us(result.percentile(0.5))), p90 \(us(result.percentile(0.9))), p99 \(us(result.percentile(0.99))), max \(us(result.max)) (mean \(us(result.mean)))

            """
    }

    static func json(_ result: Latency) -> String {
        var times = JSONObjectWriter()
        times.add("min", number: result.min)
        times.add("median", number: result.percentile(0.5))
        times.add("p90", number: result.percentile(0.9))
        times.add("p99", number: result.percentile(0.99))
        times.add("max", number: result.max)
        times.add("mean", number: result.mean)
        var object = JSONObjectWriter()
        object.add("mode", string: "latency")
        object.add("pattern", string: "reqrep")
        object.add("transport", string: result.transport)
        object.add("role", string: result.role)
        object.add("curve", bool: result.secured)
        object.add("size", number: result.size)
        object.add("count", number: Int(result.count))
        object.addRaw("round_trip_us", times.finish())
        return String(decoding: object.finish(), as: UTF8.self) + "\n"
    }

    private static func note(_ role: String, _ secured: Bool) -> String {
        (secured ? " with CURVE" : "") + (role == "local" ? "" : " (\(role))")
    }

    /// `value` with `decimals` digits after the point.
    static func format(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if decimals == 0 { return String(Int64(rounded)) }
        let whole = Int64(rounded.rounded(.towardZero))
        var fraction = String(Int64((abs(rounded - Double(whole)) * scale).rounded()))
        fraction = String(repeating: "0", count: max(0, decimals - fraction.count)) + fraction
        return "\(rounded < 0 && whole == 0 ? "-" : "")\(whole).\(fraction)"
    }
}
