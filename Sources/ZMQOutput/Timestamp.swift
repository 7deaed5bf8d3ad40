#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A wall-clock time, written as ISO 8601 in UTC with microseconds
/// (`2025-01-31T12:00:00.123456Z`), as the JSON output shows times.
package struct Timestamp {
    /// Nanoseconds since 1970-01-01 UTC.
    package let nanosecondsSince1970: Int64

    /// The time `nanosecondsSince1970` after 1970-01-01 UTC.
    package init(nanosecondsSince1970: Int64) { self.nanosecondsSince1970 = nanosecondsSince1970 }

    /// The current time.
    package static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(nanosecondsSince1970: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    /// The ISO 8601 text. Any `Int64` formats: a peer's envelope may carry
    /// any timestamp, so the split into seconds and nanoseconds never
    /// multiplies (which overflows near `Int64.min`).
    package var iso8601: String {
        var (whole, nanos) = nanosecondsSince1970.quotientAndRemainder(dividingBy: 1_000_000_000)
        if nanos < 0 {
            whole -= 1
            nanos += 1_000_000_000
        }
        var seconds = time_t(whole)
        let micros = Int(nanos / 1_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = String(micros)
        let padded = String(repeating: "0", count: 6 - fraction.count) + fraction
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(padded)Z"
    }
}
