/// The measured rows of each table, and how repetitions are scheduled and summarised.

/// Runs `c` and `swift` once each untimed (to warm the heap, caches and
/// libzmq for this row), then alternately, `reps` times each, in the order C,
/// S, S, C, C, S, … so slow drifts of the machine, and whatever one run leaves
/// behind for the next (heap, TIME_WAIT sockets, caches), hit both sides alike.
func interleaved<C, S>(reps: Int, c: () -> C, swift: () -> S) -> (c: [C], swift: [S]) {
    _ = c()
    _ = swift()
    var results: (c: [C], swift: [S]) = ([], [])
    for rep in 0..<reps {
        if rep % 2 == 0 {
            results.c.append(c())
            results.swift.append(swift())
        } else {
            results.swift.append(swift())
            results.c.append(c())
        }
    }
    return results
}

/// The median over repetitions of `swift[i] / c[i]`. Repetition i of C and of
/// Swift ran back to back, so each ratio compares runs that saw the same
/// machine state; slow drifts (another process starting, the host getting
/// busier) cancel out in a ratio but not in the ratio of two medians.
func pairedRatio(_ c: [Double], _ swift: [Double]) -> Double {
    median(zip(c, swift).map { $1 / $0 })
}

/// The median over repetitions of `swift[i] - c[i]`, paired like ``pairedRatio(_:_:)``.
func pairedDifference(_ c: [Double], _ swift: [Double]) -> Double {
    median(zip(c, swift).map { $1 - $0 })
}

/// The median of `values` (the mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// One row of the throughput table: every repetition's messages per second.
struct ThroughputRow {
    var pattern: Pattern
    var transport: Transport
    var size: Int
    var c: [Double]
    var swift: [Double]
}

/// One row of the latency table: every repetition's median and p99 in µs.
struct LatencyRow {
    var size: Int
    var cMedian: [Double]
    var swiftMedian: [Double]
    var cP99: [Double]
    var swiftP99: [Double]
}

/// One row of the allocation table: heap allocations made by one thread
/// over `messages` messages.
struct AllocationRow {
    var transport: Transport
    var size: Int
    var path: String
    var messages: Int
    var c: UInt64
    var swift: UInt64
}

/// One row of the single-thread path cost table: every repetition's ns/msg
/// and allocation count over `messages` messages.
struct QueueCostRow {
    var path: String
    var size: Int
    var messages: Int
    var c: [Double]
    var swift: [Double]
    var cAllocations: [UInt64]
    var swiftAllocations: [UInt64]
}
