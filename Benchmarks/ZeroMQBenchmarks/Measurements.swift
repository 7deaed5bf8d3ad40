import Foundation
import CBaseline
import MallocCounter

/// Writes a progress line to stderr (stdout carries only the report).
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Measures every throughput row of `plan`.
func measureThroughput(_ plan: Plan) -> [ThroughputRow] {
    var rows: [ThroughputRow] = []
    for pattern in Pattern.allCases {
        for transport in Transport.allCases {
            for size in plan.throughputSizes {
                let count = plan.throughputCount(transport, size: size)
                let results = interleaved(
                    reps: plan.reps,
                    c: { cb_throughput(pattern.cValue, cEndpoint(transport, "thr"), size, count) },
                    swift: {
                        SwiftStream(
                            pattern: pattern, endpoint: transport.freshEndpoint("thr"), size: size, count: count
                        )
                        .throughput()
                    }
                )
                let row = ThroughputRow(
                    pattern: pattern, transport: transport, size: size, c: results.c, swift: results.swift)
                progress(
                    "throughput \(pattern.label) \(transport.label) \(size) B × \(count): "
                        + "C \(formatRate(median(row.c))), Swift \(formatRate(median(row.swift))) msgs/s"
                )
                rows.append(row)
            }
        }
    }
    return rows
}

/// Measures every latency row of `plan` (REQ/REP over TCP).
func measureLatency(_ plan: Plan) -> [LatencyRow] {
    plan.latencySizes.map { size in
        let results = interleaved(
            reps: plan.reps,
            c: { () -> (median: Double, p99: Double) in
                var samples = [UInt64](repeating: 0, count: plan.latencyRoundtrips)
                _ = cb_latency("tcp://127.0.0.1:*", size, plan.latencyWarmup, plan.latencyRoundtrips, &samples)
                return latencySummary(samples)
            },
            swift: {
                SwiftLatency(
                    endpoint: "tcp://127.0.0.1:*", size: size,
                    warmup: plan.latencyWarmup, roundtrips: plan.latencyRoundtrips
                ).run()
            }
        )
        let row = LatencyRow(
            size: size,
            cMedian: results.c.map(\.median), swiftMedian: results.swift.map(\.median),
            cP99: results.c.map(\.p99), swiftP99: results.swift.map(\.p99)
        )
        progress(
            "latency tcp \(size) B × \(plan.latencyRoundtrips): median C \(formatMicros(median(row.cMedian))), "
                + "Swift \(formatMicros(median(row.swiftMedian))) µs"
        )
        return row
    }
}

/// Counts heap allocations on the sending and the receiving thread of a
/// PUSH/PULL stream, for C and for each Swift send path.
func measureAllocations(_ plan: Plan) -> [AllocationRow] {
    var rows: [AllocationRow] = []
    let warmup = plan.allocationWarmup
    let count = plan.allocationCount
    for transport in Transport.allCases {
        for size in plan.allocationSizes {
            var cSend: UInt64 = 0
            var cReceive: UInt64 = 0
            cb_allocations(
                Pattern.pushPull.cValue, cEndpoint(transport, "alloc"), size, warmup, count, mc_count,
                &cSend, &cReceive
            )
            func swiftRun(_ path: SendPath) -> StreamMeasurement {
                SwiftStream(
                    pattern: .pushPull, endpoint: transport.freshEndpoint("alloc"), size: size,
                    warmup: warmup, count: count, sendPath: path, countAllocations: true
                ).run()
            }
            let raw = swiftRun(.rawBuffer)
            let array = swiftRun(.byteArray)
            func row(_ path: String, _ messages: Int, _ c: UInt64, _ swift: UInt64) -> AllocationRow {
                AllocationRow(transport: transport, size: size, path: path, messages: messages, c: c, swift: swift)
            }
            rows += [
                row("sender: `send(UnsafeRawBufferPointer)`", count, cSend, raw.sendAllocations),
                row("sender: `send([UInt8])`", count, cSend, array.sendAllocations),
                row("receiver: `receive(into: Message)`", count - 1, cReceive, raw.receiveAllocations),
            ]
            progress("allocations \(transport.label) \(size) B × \(count) done")
        }
    }
    return rows
}

/// Measures the single-thread cost of each message path, C and Swift interleaved.
func measureQueueCosts(_ plan: Plan) -> [QueueCostRow] {
    var rows: [QueueCostRow] = []
    for size in plan.queueCostSizes {
        let count = plan.queueCostCount(size: size)
        let results = interleaved(
            reps: plan.reps,
            c: { cb_queue_costs(size, count, mc_count) },
            swift: {
                (
                    raw: SwiftQueueCost(size: size, count: count, sendPath: .rawBuffer).run(),
                    array: SwiftQueueCost(size: size, count: count, sendPath: .byteArray).run()
                )
            }
        )
        let raw = results.swift.map(\.raw)
        let array = results.swift.map(\.array)
        func row(_ path: String, _ c: [cb_queue_cost], _ swift: [cb_queue_cost], sending: Bool) -> QueueCostRow {
            QueueCostRow(
                path: path, size: size, messages: count,
                c: c.map { sending ? $0.send_ns : $0.receive_ns },
                swift: swift.map { sending ? $0.send_ns : $0.receive_ns },
                cAllocations: c.map { sending ? $0.send_allocations : $0.receive_allocations },
                swiftAllocations: swift.map { sending ? $0.send_allocations : $0.receive_allocations }
            )
        }
        rows += [
            row("send(UnsafeRawBufferPointer)", results.c, raw, sending: true),
            row("send([UInt8])", results.c, array, sending: true),
            row("receive(into: Message)", results.c, raw, sending: false),
        ]
        progress("path costs \(size) B × \(count) done")
    }
    return rows
}

/// A fresh endpoint for one C baseline run.
private func cEndpoint(_ transport: Transport, _ purpose: String) -> String {
    switch transport {
    case .tcp: "tcp://127.0.0.1:*"
    case .inproc: uniqueInprocName("c-\(purpose)")
    }
}
