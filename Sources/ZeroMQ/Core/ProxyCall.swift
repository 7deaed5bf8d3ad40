import CZeroMQ

extension Socket {
    /// Runs libzmq's built-in proxy on the calling thread, with this socket as
    /// the frontend: what arrives on either side is sent out of the other, and a
    /// copy of every frame goes to `capture` when there is one.
    /// The corresponding C function is `zmq_proxy_steerable`.
    ///
    /// This call blocks its thread for the proxy's whole life, so make it only
    /// on a thread you own, never on Swift's cooperative pool (``Proxy`` does
    /// that for you). All four sockets belong to that thread while it runs.
    ///
    /// `control` (a PAIR is the type that works with every command in libzmq
    /// 4.3.4) steers the proxy with the single-frame commands `PAUSE`, `RESUME`,
    /// `TERMINATE` and `STATISTICS`; only `STATISTICS` is answered, with eight
    /// 8-byte frames. libzmq 4.3.4 aborts the process on any other command, and
    /// copies each command to `capture` too.
    ///
    /// It returns normally once `TERMINATE` arrived on `control`.
    /// - Throws: ``ZMQError``: `ETERM` once the context is shut down, or the
    ///   failure of a send or receive inside the proxy.
    public func runProxy(backend: Socket, capture: Socket? = nil, control: Socket? = nil) throws(ZMQError) {
        let frontendHandle = try liveHandle("zmq_proxy_steerable frontend")
        let backendHandle = try backend.liveHandle("zmq_proxy_steerable backend")
        let captureHandle = try capture.map { (socket) throws(ZMQError) in
            try socket.liveHandle("zmq_proxy_steerable capture")
        }
        let controlHandle = try control.map { (socket) throws(ZMQError) in
            try socket.liveHandle("zmq_proxy_steerable control")
        }
        // zmqCall restarts the proxy after EINTR (a signal), which also resets
        // its statistics and un-pauses it: that beats ending it.
        try zmqCall("zmq_proxy_steerable(\(type) frontend, \(backend.type) backend)") {
            zmq_proxy_steerable(frontendHandle, backendHandle, captureHandle, controlHandle)
        }
    }
}
