import Foundation
import Synchronization

/// Reads the sockets of monitors closed or released while libzmq still
/// monitors: until MONITOR_STOPPED, then closes them.
///
/// libzmq 4.3.4 sends every event blocking, from whichever thread raises it
/// (the socket's owner, an I/O thread, or the reaper as the socket is
/// destroyed). Once the reading PAIR is gone that send never returns, so a
/// reader closed too early can hang a context's reaper for good. Handing it
/// here instead keeps it alive and drained; the ``DeviceThread`` runs only
/// while it has sockets to read, and a new arrival wakes it.
final class OrphanedMonitors: Sendable {
    static let shared = OrphanedMonitors()

    /// Carries a reader to this class's thread. Unchecked because ownership
    /// moves whole, under `state`'s lock: the old owner never touches it again.
    private final class Orphan: @unchecked Sendable {
        let reader: Socket
        init(_ reader: Socket) { self.reader = reader }
    }

    private struct State {
        var arrivals: [Orphan] = []
        /// The thread reading them, while there are any.
        var thread: DeviceThread<Void, Void>?
    }

    private let state = Locked(State())

    /// Takes over `reader`, which its previous owner must not use again.
    func adopt(_ reader: Socket) {
        let orphan = Orphan(reader)
        state.withLock { state in
            state.arrivals.append(orphan)
            if let thread = state.thread {
                thread.wake()
                return
            }
            do {
                state.thread = try DeviceThread.start(name: "zeromq-monitor-orphans") { [self] thread in run(thread) }
            } catch {
                // No descriptor for the thread's pipe: the reader is closed as it is. libzmq
                // then blocks raising this socket's next event; nothing else can be done here.
                state.arrivals.removeAll()
                reader.close(linger: .zero)
            }
        }
    }

    private func run(_ thread: DeviceThread<Void, Void>) {
        var readers: [Socket] = []
        while true {
            let arrivals = state.withLock { state -> [Orphan]? in
                if state.arrivals.isEmpty && readers.isEmpty {
                    state.thread = nil
                    return nil
                }
                defer { state.arrivals.removeAll() }
                return state.arrivals
            }
            guard let arrivals else { return }
            readers += arrivals.map(\.reader)
            readers.removeAll { reader in
                let done = drain(reader)
                if done { reader.close(linger: .zero) }
                return done
            }
            guard !readers.isEmpty else { continue }
            var poller = Poller()
            for reader in readers { poller.add(reader, for: .readable) }
            // A new arrival wakes the poll through the thread's pipe.
            let wakeUps = poller.add(fileDescriptor: thread.wakeDescriptor, for: .readable)
            if let ready = try? poller.poll(timeout: nil), !ready[wakeUps].isEmpty { thread.drainWakeUps() }
        }
    }

    /// Reads everything waiting on `reader`.
    ///
    /// - Returns: whether monitoring has ended: MONITOR_STOPPED arrived, or the
    ///   context was shut down.
    private func drain(_ reader: Socket) -> Bool {
        do throws(ZMQError) {
            while let frames = try reader.receiveMultipart(flags: .dontWait) {
                if (try? SocketEvent(frames: frames.map(\.bytes)))?.kind == .monitorStopped { return true }
            }
            return false
        } catch {
            return true
        }
    }
}
