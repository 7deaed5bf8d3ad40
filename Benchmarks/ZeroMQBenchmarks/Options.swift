/// The command line: `zeromq-benchmarks [--quick] [--reps N] [--only TABLE]`.
struct Options {
    /// The tables of the report, in the order they are measured and printed.
    enum Table: String, CaseIterable {
        case throughput, latency, allocations, paths, channels, ingest
    }

    /// Much smaller counts and one repetition: a smoke test, not a measurement.
    var quick = false
    /// Repetitions of each C and each Swift measurement, or `nil` for the plan's default.
    var reps: Int?
    /// The tables to measure (all unless `--only` was given).
    var tables = Set(Table.allCases)

    static let usage = """
        usage: zeromq-benchmarks [--quick] [--reps N] [--only TABLE]
          --quick       small message counts and 1 repetition (smoke test)
          --reps N      run C and Swift N times each per row, interleaved (default 9)
          --only TABLE  measure one table: throughput, latency, allocations, paths, channels or ingest
        """

    /// Parses `arguments` (without the program name); `nil` on a usage error or `--help`.
    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--quick":
                options.quick = true
            case "--reps":
                guard let value = remaining.popFirst().flatMap({ Int($0) }), value > 0 else { return nil }
                options.reps = value
            case "--only":
                guard let table = remaining.popFirst().flatMap({ Table(rawValue: $0) }) else { return nil }
                options.tables = [table]
            default:
                return nil
            }
        }
        return options
    }
}
