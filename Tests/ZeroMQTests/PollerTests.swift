import Foundation
import Testing
import ZeroMQ

@Suite("Poller and capabilities")
struct PollerTests {
    @Test func pollReportsWhichSocketIsReadable() throws {
        let context = try Context()
        let endpoint = uniqueInproc()
        let pull = try context.boundedSocket(.pull)
        try pull.bind(endpoint)
        let idle = try context.boundedSocket(.pull)
        try idle.bind(uniqueInproc("idle"))
        let push = try context.boundedSocket(.push)
        try push.connect(endpoint)

        var poller = Poller()
        let busyItem = poller.add(pull, for: .readable)
        let idleItem = poller.add(idle, for: .readable)
        #expect(try poller.poll(timeout: .milliseconds(20)).isEmpty)

        try push.send("wake up")
        let ready = try poller.poll(timeout: testTimeout)
        #expect(ready[busyItem] == .readable)
        #expect(ready[idleItem].isEmpty)
        #expect(try pull.receiveString(flags: .dontWait) == "wake up")
    }

    @Test func pollWatchesPlainFileDescriptorsToo() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var poller = Poller()
        let item = poller.add(fileDescriptor: fds[0], for: .readable)
        #expect(try poller.poll(timeout: .zero).isEmpty)
        #expect(write(fds[1], "x", 1) == 1)
        #expect(try poller.poll(timeout: testTimeout)[item] == .readable)
    }

    @Test func writableMeansASendWillNotBlock() throws {
        let context = try Context()
        let (pull, push) = try context.connectedPair(.pull, .push)
        var poller = Poller()
        let item = poller.add(push, for: [.readable, .writable])
        #expect(try poller.poll(timeout: testTimeout)[item] == .writable)
        #expect(try push.events.contains(.writable))
        withExtendedLifetime(pull) {}  // the peer stays connected throughout
    }

    @Test func aSocketClosedAfterBeingAddedIsSkipped() throws {
        let context = try Context()
        let socket = try context.socket(.pull)
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var poller = Poller()
        let closed = poller.add(socket, for: .readable)
        let pipeItem = poller.add(fileDescriptor: fds[0], for: .readable)
        socket.close()
        #expect(write(fds[1], "x", 1) == 1)
        let ready = try poller.poll(timeout: testTimeout)
        #expect(ready[closed].isEmpty)
        #expect(ready[pipeItem] == .readable)
    }

    @Test func versionAndCapabilitiesComeFromLibzmq() {
        let version = LibZMQ.version
        #expect(version.major == 4)
        #expect(LibZMQ.versionString == "\(version.major).\(version.minor).\(version.patch)")
        #expect(LibZMQ.has(.ipc))
        #expect(LibZMQ.has(.curve))  // Debian builds libzmq with libsodium
        #expect(!LibZMQ.has(.init(rawValue: "no-such-capability")))
    }
}
