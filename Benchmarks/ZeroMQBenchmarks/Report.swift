import Foundation
import ZeroMQ

/// `1234567.8` as `1,234,568`.
func formatRate(_ value: Double) -> String {
    var digits = String(Int(value.rounded()))
    var grouped = ""
    while digits.count > 3 {
        grouped = "," + digits.suffix(3) + grouped
        digits.removeLast(3)
    }
    return digits + grouped
}

/// Microseconds with one decimal.
func formatMicros(_ value: Double) -> String {
    String(format: "%.1f", value)
}

/// Whole nanoseconds.
func formatNanoseconds(_ value: Double) -> String {
    String(format: "%.0f", value)
}

/// A ratio with two decimals.
func formatRatio(_ value: Double) -> String {
    String(format: "%.2f", value)
}

/// Allocations per message with four decimals.
func formatAllocations(_ value: Double) -> String {
    String(format: "%.4f", value)
}

/// The spread of repetitions, (max − min) / median.
func spread(_ values: [Double]) -> Double {
    guard let low = values.min(), let high = values.max() else { return 0 }
    return (high - low) / median(values)
}

/// The spread of repetitions as a percentage.
func formatSpread(_ values: [Double]) -> String {
    String(format: "%.0f%%", spread(values) * 100)
}

/// Rows whose C or Swift repetitions spread wider than this get a mark: their
/// runs fell into different regimes, and the ratio says little.
let noisySpread = 0.5

/// The marks of one table's noisy rows: each row's paired ratio, with † when
/// its repetitions spread over ``noisySpread``, and the note under the table.
struct NoisyRows {
    private(set) var any = false

    /// The paired ratio of `measured` to `baseline`, marked when either spreads too wide.
    mutating func ratio(_ baseline: [Double], _ measured: [Double]) -> String {
        let noisy = max(spread(baseline), spread(measured)) > noisySpread
        any = any || noisy
        return formatRatio(pairedRatio(baseline, measured)) + (noisy ? " †" : "")
    }

    /// The note for the table, `why` saying what the mark means there; empty when no row is marked.
    func note(_ why: String) -> [String] {
        any ? ["\n† Spread over \(Int(noisySpread * 100))%: \(why)"] : []
    }
}

/// The report's header: what machine, kernel and libzmq produced it, and when.
func machineHeader(_ plan: Plan) -> String {
    var system = utsname()
    uname(&system)
    let kernel = withUnsafeBytes(of: &system.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let cpu =
        (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n")
        .first { $0.hasPrefix("model name") }
        .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
    let date = ISO8601DateFormatter().string(from: Date())
    return """
        Machine: nproc \(ProcessInfo.processInfo.activeProcessorCount), \(cpu), Linux \(kernel), \
        libzmq \(LibZMQ.versionString), \(date). Each cell is the median of \(plan.reps) repetitions, \
        C and Swift interleaved (C, S, S, C, C, S, …) after one untimed run of each; \
        ratios and differences are the median over repetitions of Swift vs. the C run next to it; \
        spread is (max − min) / median.
        """
}

/// The throughput table, with a note under it when some rows are too noisy to compare.
func throughputTable(_ rows: [ThroughputRow]) -> String {
    var lines = [
        "| pattern | transport | size | C msgs/s | Swift msgs/s | Swift/C | spread C / Swift |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    var noisy = NoisyRows()
    for row in rows {
        let ratio = noisy.ratio(row.c, row.swift)
        lines.append(
            "| \(row.pattern.label) | \(row.transport.label) | \(row.size) | \(formatRate(median(row.c))) "
                + "| \(formatRate(median(row.swift))) | \(ratio) "
                + "| \(formatSpread(row.c)) / \(formatSpread(row.swift)) |"
        )
    }
    lines += noisy.note(
        "the repetitions of this row fell into different throughput "
            + "regimes (thread placement and wake-ups on 2 cores), so its ratio does not measure the Swift layer.")
    return lines.joined(separator: "\n")
}

/// The REQ/REP latency table.
func latencyTable(_ rows: [LatencyRow]) -> String {
    var lines = [
        "| size | C median µs | Swift median µs | ratio | C p99 µs | Swift p99 µs | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows {
        let (cMedian, swiftMedian) = (median(row.cMedian), median(row.swiftMedian))
        let (cP99, swiftP99) = (median(row.cP99), median(row.swiftP99))
        lines.append(
            "| \(row.size) | \(formatMicros(cMedian)) | \(formatMicros(swiftMedian)) "
                + "| \(formatRatio(pairedRatio(row.cMedian, row.swiftMedian))) "
                + "| \(formatMicros(cP99)) | \(formatMicros(swiftP99)) "
                + "| \(formatRatio(pairedRatio(row.cP99, row.swiftP99))) |"
        )
    }
    return lines.joined(separator: "\n")
}

/// The allocation table.
func allocationTable(_ rows: [AllocationRow]) -> String {
    var lines = [
        "| transport | size | thread: path | C allocs/msg | Swift allocs/msg | Swift − C (total allocations) |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for row in rows {
        let perMessage = { (total: UInt64) in formatAllocations(Double(total) / Double(row.messages)) }
        let difference = Int64(row.swift) - Int64(row.c)
        lines.append(
            "| \(row.transport.label) | \(row.size) | \(row.path) | \(perMessage(row.c)) | \(perMessage(row.swift)) "
                + "| \(difference >= 0 ? "+" : "")\(difference) of \(row.c) |"
        )
    }
    return lines.joined(separator: "\n")
}

/// The single-thread path cost table.
func queueCostTable(_ rows: [QueueCostRow]) -> String {
    var lines = [
        "| path | size | C ns/msg | Swift ns/msg | Swift − C ns | Swift/C | spread C / Swift "
            + "| C allocs/msg | Swift allocs/msg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows {
        let c = median(row.c)
        let swift = median(row.swift)
        lines.append(
            "| `\(row.path)` | \(row.size) | \(String(format: "%.1f", c)) | \(String(format: "%.1f", swift)) "
                + "| \(String(format: "%+.1f", pairedDifference(row.c, row.swift))) "
                + "| \(formatRatio(pairedRatio(row.c, row.swift))) "
                + "| \(formatSpread(row.c)) / \(formatSpread(row.swift)) "
                + "| \(formatAllocationRange(row.cAllocations, row.messages)) "
                + "| \(formatAllocationRange(row.swiftAllocations, row.messages)) |"
        )
    }
    return lines.joined(separator: "\n")
}

/// Allocations per message over all repetitions: one value when every
/// repetition counted the same, else `min–max`.
private func formatAllocationRange(_ totals: [UInt64], _ messages: Int) -> String {
    guard let low = totals.min(), let high = totals.max() else { return "-" }
    let perMessage = { (total: UInt64) in formatAllocations(Double(total) / Double(messages)) }
    return low == high ? perMessage(low) : "\(perMessage(low))–\(perMessage(high))"
}
