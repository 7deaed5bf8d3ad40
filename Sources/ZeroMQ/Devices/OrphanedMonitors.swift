import Foundation
import Synchronization

/// Reads the sockets of monitors closed or released while libzmq still
/// monitors: until MONITOR_STOPPED, then closes them.
///
/// libzmq 4.3.4 sends every event blocking, from whichever thread raises it
/// (the socket's owner, an I/O thread, or the reaper as the socket is
/// destroyed). Once the reading PAIR is gone that send never returns, so a
/// reader closed too early can hang a context's reaper for good. Handing it
/// here instead keeps it alive and drained; the thread runs only while it has
/// sockets to read.
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
        var isRunning = false
    }

    private let state = Locked(State())

    /// Takes over `reader`, which its previous owner must not use again.
    func adopt(_ reader: Socket) {
        let orphan = Orphan(reader)
        let mustStart = state.withLock { state -> Bool in
            state.arrivals.append(orphan)
            defer { state.isRunning = true }
            return !state.isRunning
        }
        guard mustStart else { return }
        let thread = Thread { [self] in run() }
        thread.name = "zeromq-monitor-orphans"
        thread.start()
    }

    private func run() {
        var readers: [Socket] = []
        while true {
            let arrivals = state.withLock { state -> [Orphan]? in
                if state.arrivals.isEmpty && readers.isEmpty {
                    state.isRunning = false
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
            // The timeout bounds how long a new arrival waits to be read.
            _ = try? poller.poll(timeout: .milliseconds(100))
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
