/// One start-to-stop life of a ``ZAPAuthenticator``: a ``DeviceThread`` that
/// creates the ZAP handler socket, binds it and answers requests until asked
/// to stop. Stopping is prompt: the thread polls its handler together with
/// the device thread's wake-up pipe, which ``requestStop()`` writes to.
final class ZAPHandlerThread: Sendable {
    private let thread: DeviceThread<Void, Void>

    private init(thread: DeviceThread<Void, Void>) { self.thread = thread }

    /// Starts a handler thread and returns once its socket is bound at
    /// ``ZAPAuthenticator/endpoint``.
    ///
    /// - Throws: why the handler could not be bound, such as `EADDRINUSE` when
    ///   another handler already serves this context.
    static func launch(context: Context, decisions: ZAPDecisionMaker) throws(ZMQError) -> ZAPHandlerThread {
        let thread = try DeviceThread<Void, Void>.start(name: "zeromq-zap") { thread in
            main(context: context, decisions: decisions, thread: thread)
        }
        // Binding an inproc endpoint does not block, so the report comes at once.
        if case .failure(let failure) = thread.waitUntilReady(timeout: .seconds(Int64.max)) {
            thread.waitUntilEnded()
            throw failure
        }
        return ZAPHandlerThread(thread: thread)
    }

    /// Whether ``requestStop()`` has been called.
    var isStopRequested: Bool { thread.isStopRequested }

    /// Whether the thread has ended, because it was stopped or its context shut down.
    var isFinished: Bool { thread.hasEnded }

    /// Asks the thread to stop, without waiting; calling it again does nothing.
    func requestStop() { thread.requestStop() }

    /// Suspends the task, holding no thread, until the thread has ended.
    func untilFinished() async { _ = await thread.untilEnded() }

    /// Waits until the thread has ended and unbound its handler. Returns at
    /// once when called on the handler thread itself (from a decision
    /// callback), which would otherwise wait for itself forever.
    func waitUntilFinished() { thread.waitUntilEnded() }

    private static func main(context: Context, decisions: ZAPDecisionMaker, thread: DeviceThread<Void, Void>) {
        let handler: Socket
        do {
            handler = try context.socket(.rep)
            try handler.set(.linger, .zero)
            try handler.set(.sendTimeout, .seconds(1))
            try handler.bind(ZAPAuthenticator.endpoint)
        } catch {
            thread.reportReady(.failure(error))
            return
        }
        thread.reportReady(.success(()))
        serve(handler, decisions: decisions, thread: thread)
        // Unbinding an inproc endpoint takes effect at once, while closing frees
        // it later on libzmq's reaper thread: unbind so a new handler can bind
        // as soon as this one is stopped.
        try? handler.unbind(ZAPAuthenticator.endpoint)
        handler.close()
    }

    /// Answers requests until a stop is requested or the context shuts down.
    private static func serve(_ handler: Socket, decisions: ZAPDecisionMaker, thread: DeviceThread<Void, Void>) {
        var poller = Poller()
        let requests = poller.add(handler, for: .readable)
        let wakeUps = poller.add(fileDescriptor: thread.wakeDescriptor, for: .readable)
        do {
            while !thread.isStopRequested {
                let ready = try poller.poll(timeout: nil)
                if !ready[wakeUps].isEmpty { thread.drainWakeUps() }
                if ready[requests].contains(.readable) { try answerWaitingRequests(handler, decisions) }
            }
        } catch {
            // ETERM after Context.shutdown(), or a broken handler socket:
            // either way this handler is done.
        }
    }

    private static func answerWaitingRequests(_ handler: Socket, _ decisions: ZAPDecisionMaker) throws(ZMQError) {
        while let frames = try handler.receiveMultipart(flags: .dontWait) {
            let reply = decisions.answer(frames.map(\.bytes))
            guard try handler.sendMultipart(reply) else {
                throw ZMQError(code: .wouldBlock, operation: "ZAP reply")
            }
        }
    }
}
