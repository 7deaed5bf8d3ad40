import ArgumentParser

/// The command line: `zeromq-benchmarks [--quick] [--reps <n>] [--only <table>]` (`--help` for more).
struct Options: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zeromq-benchmarks",
        abstract: "Measures the Swift API against plain C calls of libzmq in one run; Markdown tables on stdout.")

    /// The tables of the report, in the order they are measured and printed.
    enum Table: String, CaseIterable, ExpressibleByArgument {
        case throughput, latency, allocations, paths, channels, ingest
    }

    @Flag(help: "Small message counts and 1 repetition: a smoke test, not a measurement.")
    var quick = false

    @Option(help: ArgumentHelp("Run C and Swift N times each per row, interleaved (default 9, 1 with --quick).", valueName: "n"))
    var reps: Int?

    @Option(help: ArgumentHelp("Measure one table only.", valueName: "table"))
    var only: Table?

    /// The tables to measure.
    var tables: Set<Table> { only.map { [$0] } ?? Set(Table.allCases) }

    mutating func validate() throws {
        if let reps, reps < 1 { throw ValidationError("--reps must be at least 1") }
    }
}
