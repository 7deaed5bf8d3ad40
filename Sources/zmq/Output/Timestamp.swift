#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A wall-clock time, written as ISO 8601 in UTC with microseconds
/// (`2025-01-31T12:00:00.123456Z`), as the JSON output shows times.
struct Timestamp {
    /// Nanoseconds since 1970-01-01 UTC.
    let nanosecondsSince1970: Int64

    /// The current time.
    static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(nanosecondsSince1970: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    /// The ISO 8601 text.
    var iso8601: String {
        var seconds = time_t(nanosecondsSince1970.floorDivided(by: 1_000_000_000))
        let micros = Int(nanosecondsSince1970 - Int64(seconds) * 1_000_000_000) / 1_000
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = String(micros)
        let padded = String(repeating: "0", count: 6 - fraction.count) + fraction
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(padded)Z"
    }
}

extension Int64 {
    /// Division rounding toward negative infinity, so times before 1970 format too.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}
