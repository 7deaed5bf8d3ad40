import Dispatch
import Foundation
import Synchronization

/// One start-to-stop life of a ``ZAPAuthenticator``: a thread of its own (never
/// one of Swift's cooperative pool) that creates the ZAP handler socket, binds
/// it and answers requests until asked to stop.
///
/// Stopping is prompt: the thread polls its handler together with a private
/// control socket, and ``requestStop()`` both sets a flag and sends a wake-up
/// message to that control socket. The poll also times out every
/// ``pollInterval``, so the flag alone ends the thread even if the wake-up cannot be sent.
final class ZAPHandlerThread: Sendable {
    /// The longest the thread waits before looking at its stop flag again.
    static let pollInterval: Duration = .milliseconds(250)
    private static let threadKey = "swift-zeromq.zap-handler"

    private let context: Context
    private let decisions: ZAPDecisionMaker
    private let id = UUID().uuidString
    private let controlEndpoint: String
    private let stopRequested = Atomic<Bool>(false)
    private let started = DispatchSemaphore(value: 0)
    private let startFailure = Locked<ZMQError?>(nil)
    private let finished = DispatchGroup()

    private init(context: Context, decisions: ZAPDecisionMaker) {
        self.context = context
        self.decisions = decisions
        controlEndpoint = "inproc://swift-zeromq.zap-control.\(id)"
    }

    /// Starts a handler thread and returns once its socket is bound at
    /// ``ZAPAuthenticator/endpoint``.
    ///
    /// - Throws: why the handler could not be bound, such as `EADDRINUSE` when
    ///   another handler already serves this context.
    static func launch(context: Context, decisions: ZAPDecisionMaker) throws(ZMQError) -> ZAPHandlerThread {
        let handlerThread = ZAPHandlerThread(context: context, decisions: decisions)
        handlerThread.finished.enter()
        let thread = Thread { handlerThread.main() }
        thread.name = "zeromq-zap"
        thread.start()
        handlerThread.started.wait()
        if let failure = handlerThread.startFailure.withLock({ $0 }) {
            handlerThread.finished.wait()
            throw failure
        }
        return handlerThread
    }

    /// Whether ``requestStop()`` has been called.
    var isStopRequested: Bool { stopRequested.load(ordering: .acquiring) }

    /// Whether the thread has ended, because it was stopped or its context shut down.
    var isFinished: Bool { finished.wait(timeout: .now()) == .success }

    /// Asks the thread to stop, without waiting; calling it again does nothing.
    func requestStop() {
        guard !stopRequested.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wakeUp()
    }

    /// Calls `body` on a Dispatch queue once the thread has ended (at once if it has).
    func onFinished(_ body: @escaping @Sendable () -> Void) {
        finished.notify(queue: .global(), execute: body)
    }

    /// Waits until the thread has ended and unbound its handler. Returns at
    /// once when called on the handler thread itself (from a decision
    /// callback), which would otherwise wait for itself forever.
    func waitUntilFinished() {
        guard (Thread.current.threadDictionary[Self.threadKey] as? String) != id else { return }
        finished.wait()
    }

    private func wakeUp() {
        // Fails only when the context is shut down, and then the thread has
        // already left its poll with ETERM; otherwise the poll timeout is the fallback.
        guard let waker = try? context.socket(.push) else { return }
        try? waker.set(.linger, .milliseconds(100))
        try? waker.connect(controlEndpoint)
        _ = try? waker.send([UInt8](), flags: .dontWait)
        waker.close()
    }

    private func main() {
        Thread.current.threadDictionary[Self.threadKey] = id
        defer { finished.leave() }
        let handler: Socket
        let control: Socket
        do {
            handler = try context.socket(.rep)
            try handler.set(.linger, .zero)
            try handler.set(.sendTimeout, .seconds(1))
            try handler.bind(ZAPAuthenticator.endpoint)
            control = try context.socket(.pull)
            try control.set(.linger, .zero)
            try control.bind(controlEndpoint)
        } catch {
            startFailure.withLock { $0 = error }
            started.signal()
            return
        }
        started.signal()
        serve(handler, until: control)
        // Unbinding an inproc endpoint takes effect at once, while closing frees
        // it later on libzmq's reaper thread: unbind so a new handler can bind
        // as soon as this one is stopped.
        try? handler.unbind(ZAPAuthenticator.endpoint)
        try? control.unbind(controlEndpoint)
        handler.close()
        control.close()
    }

    /// Answers requests until a stop is requested or the context shuts down.
    private func serve(_ handler: Socket, until control: Socket) {
        var poller = Poller()
        let requests = poller.add(handler, for: .readable)
        let wakeUps = poller.add(control, for: .readable)
        do {
            while !isStopRequested {
                let ready = try poller.poll(timeout: Self.pollInterval)
                if !ready[wakeUps].isEmpty { return }
                if ready[requests].contains(.readable) { try answerWaitingRequests(handler) }
            }
        } catch {
            // ETERM after Context.shutdown(), or a broken handler socket:
            // either way this handler is done.
        }
    }

    private func answerWaitingRequests(_ handler: Socket) throws(ZMQError) {
        while let frames = try handler.receiveMultipart(flags: .dontWait) {
            let reply = decisions.answer(frames.map(\.bytes))
            guard try handler.sendMultipart(reply) else {
                throw ZMQError(code: .wouldBlock, operation: "ZAP reply")
            }
        }
    }
}
