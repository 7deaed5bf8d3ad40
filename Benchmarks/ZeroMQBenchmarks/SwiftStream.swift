import CBaseline
import MallocCounter
import ZeroMQ

/// How the Swift sender hands each message to the socket.
enum SendPath: Sendable {
    /// `socket.send(_: UnsafeRawBufferPointer)` from one reused buffer.
    case rawBuffer
    /// `socket.send(_: some ContiguousBytes)` with one reused `[UInt8]`.
    case byteArray
}

/// One Swift stream run: what to send and whether to count allocations.
struct SwiftStream: Sendable {
    var pattern: Pattern
    var endpoint: String
    var size: Int
    var warmup = 0
    var count: Int
    var sendPath = SendPath.rawBuffer
    var countAllocations = false
}

/// What a stream run measured.
struct StreamMeasurement: Sendable {
    /// Nanoseconds from the first counted message received to the last.
    var elapsedNanoseconds: UInt64 = 0
    /// Allocations the sending thread made while sending the counted messages.
    var sendAllocations: UInt64 = 0
    /// Allocations the receiving thread made while receiving the counted messages after the first.
    var receiveAllocations: UInt64 = 0
}

extension SwiftStream {
    /// Runs the stream on a fresh context with the same protocol as the C
    /// baseline's `cb_throughput` (see `stream.c`): an empty warm-up message is
    /// repeated until the receiver acknowledges it over an inproc PAIR side
    /// channel, then `warmup + count` messages follow.
    func run() -> StreamMeasurement {
        let context: Context
        do { context = try Context() } catch { fail(error, in: "Context()") }
        let sideChannel = uniqueInprocName("side")
        let handoff = OneShot<String>()
        let result = Locked(StreamMeasurement())
        runOnTwoThreads(
            { receive(context: context, sideChannel: sideChannel, handoff: handoff, result: result) },
            { send(context: context, sideChannel: sideChannel, handoff: handoff, result: result) }
        )
        return result.withLock { $0 }
    }

    /// Messages per second of a run without warm-up or allocation counting.
    func throughput() -> Double {
        let measurement = run()
        return Double(count - 1) * 1e9 / Double(measurement.elapsedNanoseconds)
    }

    private func allocationCount() -> UInt64 {
        countAllocations ? UInt64(mc_count()) : 0
    }

    private func receive(
        context: Context, sideChannel: String, handoff: OneShot<String>, result: Locked<StreamMeasurement>
    ) {
        do {
            let socket = try context.socket(pattern == .pubSub ? .sub : .pull)
            try socket.set(.receiveHighWaterMark, 0)
            if pattern == .pubSub { try socket.subscribe() }
            let side = try context.socket(.pair)
            try side.bind(sideChannel)
            handoff.post(try socket.bind(endpoint))

            let message = Message()
            _ = try socket.receive(into: message)
            try side.send(UnsafeRawBufferPointer(start: nil, count: 0))
            while message.count == 0 { _ = try socket.receive(into: message) }

            for _ in 0..<warmup { _ = try socket.receive(into: message) }
            let start = cb_now_ns()
            let allocations = allocationCount()
            for _ in 1..<count { _ = try socket.receive(into: message) }
            let receiveAllocations = allocationCount() - allocations
            let elapsed = cb_now_ns() - start

            result.withLock {
                $0.elapsedNanoseconds = elapsed
                $0.receiveAllocations = receiveAllocations
            }
        } catch {
            fail(error, in: "\(pattern.label) receiver")
        }
    }

    private func send(
        context: Context, sideChannel: String, handoff: OneShot<String>, result: Locked<StreamMeasurement>
    ) {
        let buffer = messageBuffer(size: size)
        defer { buffer.deallocate() }
        let bytes = UnsafeRawBufferPointer(buffer)
        let array = [UInt8](bytes)
        do {
            let socket = try context.socket(pattern == .pubSub ? .pub : .push)
            try socket.set(.sendHighWaterMark, 0)
            try socket.connect(handoff.wait(timeout: .seconds(60)) ?? "no endpoint posted within 60 s")
            let side = try context.socket(.pair)
            try side.set(.receiveTimeout, .milliseconds(1))
            try side.connect(sideChannel)

            let empty = UnsafeRawBufferPointer(rebasing: bytes[0..<0])
            let acknowledgement = Message()
            repeat {
                try socket.send(empty)
            } while try !side.receive(into: acknowledgement)

            let sendAllocations: UInt64
            switch sendPath {
            case .rawBuffer:
                for _ in 0..<warmup { try socket.send(bytes) }
                let allocations = allocationCount()
                for _ in 0..<count { try socket.send(bytes) }
                sendAllocations = allocationCount() - allocations
            case .byteArray:
                for _ in 0..<warmup { try socket.send(array) }
                let allocations = allocationCount()
                for _ in 0..<count { try socket.send(array) }
                sendAllocations = allocationCount() - allocations
            }
            result.withLock { $0.sendAllocations = sendAllocations }
        } catch {
            fail(error, in: "\(pattern.label) sender")
        }
    }
}
