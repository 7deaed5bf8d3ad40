import CBaseline
import MallocCounter
import ZeroMQ

/// The Swift counterpart of the C baseline's `cb_queue_costs` (see
/// `queue_cost.c`): on the calling thread, a PUSH sends `count` messages into
/// an inproc PULL nobody reads yet, then the PULL receives them all into one
/// reused `Message`. No second thread competes, so the difference to C is the
/// cost of the Swift layer itself.
struct SwiftQueueCost {
    var size: Int
    var count: Int
    var sendPath = SendPath.rawBuffer

    /// Nanoseconds per message and allocations of the send loop and of the receive loop.
    func run() -> cb_queue_cost {
        let buffer = messageBuffer(size: size)
        defer { buffer.deallocate() }
        let bytes = UnsafeRawBufferPointer(buffer)
        let array = [UInt8](bytes)
        do {
            let context = try Context()
            let endpoint = uniqueInprocName("queue")
            let pull = try context.socket(.pull)
            try pull.set(.receiveHighWaterMark, 0)
            try pull.bind(endpoint)
            let push = try context.socket(.push)
            try push.set(.sendHighWaterMark, 0)
            try push.connect(endpoint)

            var cost = cb_queue_cost()
            var allocations = mc_count()
            var start = cb_now_ns()
            switch sendPath {
            case .rawBuffer: for _ in 0..<count { try push.send(bytes) }
            case .byteArray: for _ in 0..<count { try push.send(array) }
            }
            cost.send_ns = Double(cb_now_ns() - start) / Double(count)
            cost.send_allocations = mc_count() - allocations

            let message = Message()
            allocations = mc_count()
            start = cb_now_ns()
            for _ in 0..<count { _ = try pull.receive(into: message) }
            cost.receive_ns = Double(cb_now_ns() - start) / Double(count)
            cost.receive_allocations = mc_count() - allocations
            return cost
        } catch {
            fail(error, in: "queue cost")
        }
    }
}
