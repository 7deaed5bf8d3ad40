import CBaseline
import Synchronization

/// The socket pair of a one-way stream benchmark.
enum Pattern: CaseIterable {
    /// PUSH connects and sends, PULL binds and receives.
    case pushPull
    /// PUB connects and sends, SUB (subscribed to everything) binds and receives.
    case pubSub

    /// The matching `CB_*` constant of the C baseline.
    var cValue: Int32 {
        switch self {
        case .pushPull: Int32(CB_PUSH_PULL)
        case .pubSub: Int32(CB_PUB_SUB)
        }
    }

    /// The label used in the tables.
    var label: String {
        switch self {
        case .pushPull: "PUSH/PULL"
        case .pubSub: "PUB/SUB"
        }
    }
}

/// Where the two sockets of a scenario meet.
enum Transport: CaseIterable {
    case tcp
    case inproc

    /// The label used in the tables.
    var label: String {
        switch self {
        case .tcp: "tcp"
        case .inproc: "inproc"
        }
    }

    /// An endpoint to bind for one run: a free loopback port for TCP (the
    /// binder reads the real one back), a name used by no other run for inproc.
    func freshEndpoint(_ purpose: String) -> String {
        switch self {
        case .tcp: "tcp://127.0.0.1:*"
        case .inproc: uniqueInprocName(purpose)
        }
    }
}

private let nextInprocID = Atomic<Int>(0)

/// An `inproc://` name that no other run of this process uses.
func uniqueInprocName(_ purpose: String) -> String {
    "inproc://swift-\(purpose)-\(nextInprocID.add(1, ordering: .relaxed).newValue)"
}

/// A `size`-byte buffer filled with "x" to send from, 64-byte aligned like the
/// C baseline's (`cb_message_buffer`), so memcpy sees the same alignment in both.
func messageBuffer(size: Int) -> UnsafeMutableRawBufferPointer {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
    buffer.initializeMemory(as: UInt8.self, repeating: UInt8(ascii: "x"))
    return buffer
}
