import Foundation
import Synchronization
import Testing
import ZeroMQ

@Suite("Messages and multipart", .timeLimit(.minutes(1)))
struct MessageTests {
    @Test func multipartArrivesWholeAndInOrder() throws {
        let context = try Context()
        let (pull, push) = try context.connectedPair(.pull, .push)
        let binary: [UInt8] = [0, 255, 0, 1, 0x80]
        try push.sendMultipart([Array("head".utf8), [], binary, Array("tail".utf8)])
        try push.send("single")
        let frames = try #require(try pull.receiveMultipart())
        #expect(frames.map(\.bytes) == [Array("head".utf8), [], binary, Array("tail".utf8)])
        #expect(frames.map(\.hasMore) == [true, true, true, false])
        #expect(try pull.receiveMultipart()?.map(\.bytes) == [Array("single".utf8)])
    }

    /// A multipart message is atomic: a subscriber never sees part of one, and
    /// a sender that stops midway (here: closes) delivers nothing of it.
    @Test func aHalfSentMultipartMessageIsNeverDelivered() throws {
        let context = try Context()
        let endpoint = uniqueInproc()
        let pull = try context.boundedSocket(.pull, timeout: .milliseconds(300))
        try pull.bind(endpoint)
        let push = try context.boundedSocket(.push)
        try push.connect(endpoint)
        try push.send("part 1", flags: .sendMore)
        try push.send("part 2", flags: .sendMore)
        push.close()
        #expect(try pull.receive() == nil)
    }

    @Test func aSixtyFourMebibyteMessageArrivesWholeOverTCP() async throws {
        let size = 64 * 1024 * 1024
        let context = try Context()
        let pull = try context.boundedSocket(.pull)
        let endpoint = try pull.bind("tcp://127.0.0.1:*")
        let sender = Task {
            try await onThread { () throws -> Bool in
                var payload = [UInt8](repeating: 0, count: size)
                for index in stride(from: 0, to: size, by: 4096) {
                    payload[index] = UInt8(truncatingIfNeeded: index / 4096)
                }
                payload[size - 1] = 0xEE
                let push = try context.boundedSocket(.push)
                try push.connect(endpoint)
                let sent = try push.send(Message(bytes: payload))
                push.close(linger: testTimeout)
                return sent
            }
        }
        let message = try await pull.receive()  // async: waits on readiness, bounded by the time limit
        #expect(try await sender.value)
        #expect(message.count == size)
        message.withUnsafeBytes { bytes in
            #expect(bytes[size - 1] == 0xEE)
            #expect(bytes[4096 * 7] == 7)
            #expect(bytes[4096 * 300] == UInt8(truncatingIfNeeded: 300))
        }
    }

    @Test func zeroCopyBufferIsFreedByLibzmqAfterSending() throws {
        let counter = FreeCounter()
        let context = try Context()
        let (pull, push) = try context.connectedPair(.pull, .push)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1000, alignment: 1)
        buffer.initializeMemory(as: UInt8.self, repeating: 42)
        let message = try Message(takingOwnershipOf: buffer) { buffer in
            buffer.deallocate()
            counter.freed.add(1, ordering: .releasing)
        }
        #expect(message.count == 1000)
        try push.send(message)
        #expect(message.count == 0)  // the content moved to libzmq
        do {
            let received = try #require(try pull.receive())
            #expect(received.bytes == [UInt8](repeating: 42, count: 1000))
            // Over inproc the receiver now holds the very same buffer: no copy was made.
            #expect(counter.freed.load(ordering: .acquiring) == 0)
        }
        #expect(counter.freed.load(ordering: .acquiring) == 1)
    }

    @Test func messageReuseAndCopiesShareContent() throws {
        let message = try Message("hello")
        #expect(message.string == "hello")
        #expect(message.data == Data("hello".utf8))
        let copy = try message.copy()
        #expect(copy.bytes == Array("hello".utf8))
        let sized = try Message(count: 4)
        sized.withUnsafeMutableBytes { $0.copyBytes(from: [1, 2, 3, 4]) }
        #expect(sized.bytes == [1, 2, 3, 4])
        #expect(try Message(copying: Data([9, 8])).bytes == [9, 8])
        #expect(try Message(bytes: []).count == 0)
        #expect(try Message(copying: [0xFF, 0xFE] as [UInt8]).string == nil)  // not UTF-8
        #expect(throws: ZMQError.self) { try Message(count: -1) }
    }

    @Test func writingToAMessageLentByAnArrayLeavesTheArrayAlone() throws {
        let original: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let message = try Message(bytes: original)
        message.withUnsafeMutableBytes { $0[0] = 99 }
        #expect(message.bytes.first == 99)
        #expect(original == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func receiveIntoABufferReportsTruncation() throws {
        let context = try Context()
        let (pull, push) = try context.connectedPair(.pull, .push)
        try push.send("0123456789")
        var storage = [UInt8](repeating: 0, count: 4)
        let result = try storage.withUnsafeMutableBytes { try pull.receive(into: $0) }
        #expect(result == ReceivedSize(messageSize: 10, bufferSize: 4))
        #expect(result?.isTruncated == true)
        #expect(storage == Array("0123".utf8))
        #expect(try storage.withUnsafeMutableBytes { try pull.receive(into: $0, flags: .dontWait) } == nil)
    }

    @Test func messageMetadataNamesThePeer() throws {
        let context = try Context()
        let pull = try context.boundedSocket(.pull)
        let endpoint = try pull.bind("tcp://127.0.0.1:*")
        let push = try context.boundedSocket(.push)
        try push.connect(endpoint)
        try push.send("who am I")
        let message = try #require(try pull.receive())
        #expect(message.metadata("Socket-Type") == "PUSH")
        #expect(message.metadata("Peer-Address") == "127.0.0.1")
        #expect(message.metadata("No-Such-Property") == nil)
    }
}

/// Counts the buffers libzmq has freed.
private final class FreeCounter: Sendable {
    let freed = Atomic<Int>(0)
}
