/// How much of each scenario to run: message counts are chosen so one
/// repetition takes roughly 0.2–0.5 s on a 2-core machine.
struct Plan {
    /// Repetitions of each C and each Swift measurement per row.
    var reps: Int
    /// Divides every message count (1 for the real run, larger for `--quick`).
    var scale: Int

    init(options: Options) {
        scale = options.quick ? 50 : 1
        reps = options.reps ?? (options.quick ? 1 : 9)
    }

    /// Message sizes of the throughput table, in bytes.
    let throughputSizes = [16, 64, 256, 1024, 8192, 65536]

    /// Messages per throughput repetition.
    func throughputCount(_ transport: Transport, size: Int) -> Int {
        let count: Int =
            switch (transport, size) {
            case (.inproc, ...16): 2_500_000
            case (.inproc, ...256): 1_500_000
            case (.inproc, ...1024): 600_000
            case (.inproc, ...8192): 100_000
            case (.inproc, _): 20_000
            case (.tcp, ...16): 1_000_000
            case (.tcp, ...64): 600_000
            case (.tcp, ...256): 300_000
            case (.tcp, ...1024): 100_000
            case (.tcp, ...8192): 15_000
            case (.tcp, _): 5_000
            }
        return scaled(count)
    }

    /// Message sizes of the latency table, in bytes.
    let latencySizes = [64, 1024]
    /// Untimed round trips before the timed ones.
    var latencyWarmup: Int { scaled(1_000) }
    /// Timed round trips per latency repetition.
    var latencyRoundtrips: Int { scaled(10_000) }

    /// Message sizes of the allocation table, in bytes (16 fits libzmq's
    /// inline "very small message"; larger ones are malloc'ed by libzmq).
    let allocationSizes = [16, 64, 1024]
    /// Uncounted messages sent before counting allocations.
    var allocationWarmup: Int { scaled(1_000) }
    /// Messages over which allocations are counted.
    var allocationCount: Int { scaled(10_000) }

    /// Message sizes of the single-thread path cost table, in bytes.
    let queueCostSizes = [16, 64, 1024]
    /// Messages queued and drained per path cost repetition.
    func queueCostCount(size: Int) -> Int { scaled(size <= 64 ? 200_000 : 30_000) }

    private func scaled(_ count: Int) -> Int { max(count / scale, 100) }
}
