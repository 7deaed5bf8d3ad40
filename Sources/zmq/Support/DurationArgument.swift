/// Durations on the command line: a number and a unit, as in `500ms`, `2s`,
/// `1.5s`, `1m` or `1h` (also `us` for microseconds).
enum DurationArgument {
    /// Why a duration argument was refused; ArgumentParser shows it after the
    /// value and the option's name.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// The units accepted, with their length in nanoseconds, longest suffix first.
    private static let units: [(suffix: String, nanoseconds: Double)] = [
        ("us", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3_600e9),
    ]

    /// Parses `text`; the `transform` of every duration option.
    static func parse(_ text: String) throws -> Duration {
        let hint = "expected a number and a unit, as in 500ms, 2s, 1.5s or 1m"
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) && !isLongerUnit(text, $0.suffix) }) else {
            throw Invalid(description: hint)
        }
        let number = text.dropLast(unit.suffix.count)
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(number), value.isFinite, value >= 0
        else {
            throw Invalid(description: hint)
        }
        let nanoseconds = value * unit.nanoseconds
        guard nanoseconds < 1e18 else { throw Invalid(description: "too long a duration") }
        return .nanoseconds(Int64(nanoseconds.rounded()))
    }

    /// Whether `text` ends with a longer unit than `suffix` (`ms` ends with `s` too).
    private static func isLongerUnit(_ text: String, _ suffix: String) -> Bool {
        suffix == "s" && (text.hasSuffix("ms") || text.hasSuffix("us"))
    }

    /// `duration` written back the way the options take it: `2s`, `500ms`, `1.5s`.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return seconds % 60 == 0 && seconds > 0 ? "\(seconds / 60)m" : "\(seconds)s" }
        let milliseconds = Double(seconds) * 1_000 + Double(attoseconds) / 1e15
        if milliseconds < 1_000 {
            return milliseconds == milliseconds.rounded() ? "\(Int(milliseconds))ms" : "\(milliseconds)ms"
        }
        return "\(milliseconds / 1_000)s"
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
