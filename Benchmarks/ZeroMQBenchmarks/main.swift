// zeromq-benchmarks: measures the Swift ZeroMQ API against a plain C baseline
// (libzmq called directly) in one process and one run, and prints Markdown
// tables to stdout; progress goes to stderr.

import Foundation
import MallocCounter

let options = Options.parseOrExit()
let plan = Plan(options: options)

/// Proves that the allocation counter is linked in and sees this thread's
/// allocations, from C and from the Swift runtime, so a row of zeros in the
/// allocation table means something.
func checkAllocationCounter() {
    final class Probe {}
    mc_reset()
    let pointer = mc_escape(malloc(100))
    let afterMalloc = mc_count()
    free(pointer)
    let probe = Unmanaged.passRetained(Probe())
    let afterObject = mc_count()
    mc_escape(probe.toOpaque()).map { Unmanaged<Probe>.fromOpaque($0).release() }
    guard afterMalloc == 1, afterObject == 2 else {
        progress(
            "MallocCounter is not counting: expected 1 then 2 allocations, counted \(afterMalloc) then \(afterObject)")
        exit(1)
    }
}
checkAllocationCounter()

print("# swift-zeromq benchmarks: Swift API vs. plain C (libzmq 4.3 called directly)")
print()
print(machineHeader(plan))
if options.quick { print("\n**--quick: smoke-test counts, not a measurement.**") }

if options.tables.contains(.throughput) {
    let rows = measureThroughput(plan)
    print("\n## Throughput (one-way stream, SNDHWM/RCVHWM 0, msgs/s measured by the receiver)\n")
    print(throughputTable(rows))
}

if options.tables.contains(.latency) {
    let rows = measureLatency(plan)
    print("\n## REQ/REP round-trip latency over tcp://127.0.0.1 (\(plan.latencyRoundtrips) timed round trips)\n")
    print(latencyTable(rows))
}

if options.tables.contains(.allocations) {
    let rows = measureAllocations(plan)
    print(
        "\n## Heap allocations per message on the calling thread (two-thread PUSH/PULL stream, "
            + "\(plan.allocationCount) messages after \(plan.allocationWarmup) warm-up)\n\n"
            + "Whole allocations per message are libzmq's message content (sizes over 33 bytes). The fraction "
            + "(up to 1/256) is libzmq's 256-message pipe chunks: how many get allocated rather than recycled "
            + "depends on how far the sender runs ahead, so it varies from run to run for C and Swift alike. "
            + "The single-thread table below has exact counts.\n"
    )
    print(allocationTable(rows))
}

if options.tables.contains(.paths) {
    let rows = measureQueueCosts(plan)
    print(
        "\n## Per-message cost of each path on one thread (PUSH fills an unread inproc PULL, then PULL drains it; "
            + "no competing thread)\n"
    )
    print(queueCostTable(rows))
}

if options.tables.contains(.channels) {
    let rows = measureChannels(plan)
    print(
        "\n## Async and typed channels (inproc; awaiting receivers run on Swift's cooperative pool, "
            + "senders on threads)\n"
    )
    print(channelTable(rows))
    let costs = measureChannelCosts(plan)
    print(
        "\n## Per-event cost of a typed channel on one thread (a publisher fills an unread subscriber, "
            + "high-water marks 0, then the subscriber drains it with `next()`; baseline: raw 3-frame messages of "
            + "the same bytes, `sendMultipart` and async `receiveMultipart`)\n")
    print(channelCostTable(costs))
    let metered = measureMetricsCost(plan)
    print(
        "\n## Per-event cost of `ChannelMetrics` (the same one-thread measurement, metrics on both ends; "
            + "baseline: the same channel without metrics)\n")
    print(channelCostTable([metered], baseline: "no metrics", measured: "metrics"))
}

if options.tables.contains(.ingest) {
    let row = measureStoreIngest(plan)
    print(
        "\n## The delivery example's event store, end to end (facts per second from the first send until every "
            + "fact is acknowledged, i.e. committed)\n")
    print(channelTable([row]))
    print(
        "\n## The event store's appends and the tracking projection (per second; each row against plain SQLite "
            + "writes of the same rows in the same run)\n")
    print(channelTable(measureStoreAppends(plan)))
    if let rows = measurePostgresAppends(plan) {
        print(
            "\n## The same on PostgreSQL (a local server, `scripts/postgres.sh`: fsync off; each row against plain "
                + "statements on the same server in the same run)\n")
        print(channelTable(rows))
    }
}
