import Foundation
import Synchronization
import TestSupport
import ZeroMQ

/// Ports already handed out in this run: tests run in parallel, and the
/// kernel may offer a port again as soon as it is free.
private let portsGiven = Mutex<Set<Int>>([])

/// This test process's folder for `ipc://` socket files (libzmq leaves them
/// behind), removed when the process exits.
private let ipcFolder: String = {
    let path = NSTemporaryDirectory() + "zmq-tool-tests-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: ipcFolder) }
    return path
}()

/// A fresh `ipc://` endpoint in ``ipcFolder``, unique to one test.
func ipcEndpoint(_ name: String = #function) -> String {
    let tag = name.filter { $0.isLetter }.prefix(24)
    return "ipc://\(ipcFolder)/\(tag)-\(UUID().uuidString.prefix(8))"
}

/// A TCP port nothing listens on right now, below the ephemeral range (see
/// `freeLoopbackPorts`), and not handed to another test of this run.
func freeTCPPort() throws -> Int {
    while true {
        let port = try freeLoopbackPorts()
        if portsGiven.withLock({ $0.insert(port).inserted }) { return port }
    }
}

/// `tcp://127.0.0.1:PORT` on a free port.
func tcpEndpoint() throws -> String { "tcp://127.0.0.1:\(try freeTCPPort())" }
