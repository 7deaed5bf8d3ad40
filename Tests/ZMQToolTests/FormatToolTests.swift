import Foundation
import Testing
import ZeroMQ
import ZeroMQChannels

/// Bytes that are hard to print: NUL, a byte that is never UTF-8, a lone
/// continuation byte, the escape character, control characters, and text.
let awkwardBytes: [UInt8] = [0x00, 0xFF, 0x80, UInt8(ascii: "a"), UInt8(ascii: "\\"), 0x09, 0x0A, 0x1B, 0xC3, 0xA9]

extension ZMQToolSuite {
    @Suite("Output formats", .timeLimit(.minutes(3)))
    struct FormatToolTests {
        @Test func textEscapesWhatIsNotPrintableText() async throws {
            let result = try await receiveFromTestPublisher([Array("bin".utf8), awkwardBytes], format: "text")
            #expect(result.output == "bin\t\\x00\\xff\\x80a\\\\\\t\\n\\x1bé\n")
            #expect(try unescapeText(result.lines[0].split(separator: "\t")[1]) == awkwardBytes)
        }

        @Test func jsonSaysWhichFramesAreTextAndWhichBase64() async throws {
            let result = try await receiveFromTestPublisher([Array("bin".utf8), awkwardBytes], format: "json")
            #expect(result.lines.count == 1)
            let message = try jsonObject(result.lines[0])
            #expect(message["topic"] as? String == "bin")
            #expect(message["frame_count"] as? Int == 2)
            #expect(message["size"] as? Int == 3 + awkwardBytes.count)
            #expect(message["received_at"] is String)
            let frames = message["frames"] as? [[String: Any]] ?? []
            #expect(frames[0]["text"] as? String == "bin")
            let encoded = frames.count > 1 ? frames[1]["base64"] as? String ?? "" : ""
            #expect(Data(base64Encoded: encoded).map(Array.init) == awkwardBytes)
        }

        @Test func jsonKeepsTextWithNULAsText() async throws {
            let result = try await receiveFromTestPublisher(
                [Array("t".utf8), Array("a\u{0}b\"c\n".utf8)], format: "json")
            let message = try jsonObject(result.lines[0])
            #expect(texts(of: message) == ["t", "a\u{0}b\"c\n"])
        }

        @Test func hexDumpsEachFrame() async throws {
            let result = try await receiveFromTestPublisher([Array("bin".utf8), awkwardBytes], format: "hex")
            #expect(
                result.output == """
                    frame 1/2: 3 bytes
                    00000000  62 69 6e                                          |bin|
                    frame 2/2: 10 bytes
                    00000000  00 ff 80 61 5c 09 0a 1b  c3 a9                    |...a\\.....|


                    """)
        }

        @Test func rawWritesThePayloadAfterTheTopicAndNothingElse() async throws {
            let result = try await receiveFromTestPublisher([Array("bin".utf8), awkwardBytes], format: "raw")
            #expect(Array(result.stdout) == awkwardBytes)
        }

        @Test func jsonDecodesTheEnvelopeOfChannelMessages() async throws {
            struct OrderPlaced: Codable, Sendable { var id: Int; var item: String }
            let context = try Context()
            let publisher = try Publisher<OrderPlaced>(context: context, .bind(ipcEndpoint()))
            let sub = try ToolProcess(["sub", publisher.endpoint, "orders.", "--count", "1", "--format", "json"])
            try await publisher.waitForSubscribers(1, timeout: .seconds(20))
            let envelope = try #require(try publisher.publish(OrderPlaced(id: 42, item: "pizza"), to: "orders.placed"))
            let result = await sub.finish()
            #expect(result.status == 0)
            let message = try jsonObject(try #require(result.lines.first))
            #expect(message["topic"] as? String == "orders.placed")
            #expect(message["frame_count"] as? Int == 3)
            let decoded = try #require(message["envelope"] as? [String: Any])
            #expect(decoded["event_type"] as? String == "OrderPlaced")
            #expect(decoded["sequence"] as? Int == 1)
            #expect(decoded["codec"] as? String == "json")
            #expect(decoded["event_id"] as? String == envelope.eventID.uuidString.lowercased())
            #expect(decoded["publisher_id"] as? String == publisher.publisherID.uuidString.lowercased())
            let event = try #require(message["event"] as? [String: Any])
            #expect(event["id"] as? Int == 42)
            #expect(event["item"] as? String == "pizza")
        }

        @Test func rawOfAChannelMessageIsItsPayload() async throws {
            let envelope = EventEnvelope(
                eventID: UUID(), eventType: "Ping", publisherID: UUID(), sequence: 1, timestampNanoseconds: 0,
                schemaVersion: 1, codecID: 1)
            let payload = Array(#"{"ping":true}"#.utf8)
            let result = try await receiveFromTestPublisher(
                [Array("ping.".utf8), envelope.encoded(), payload], format: "raw")
            #expect(Array(result.stdout) == payload)
        }
    }
}

extension ZMQToolSuite {
    /// One message of 10 MiB through each format: the output runs to 50 MB.
    @Suite("A 10 MiB message in every format", .timeLimit(.minutes(5)))
    struct LargeMessageToolTests {
        /// 10 MiB of every byte value, NUL and invalid UTF-8 included.
        static let tenMebibytes: [UInt8] = {
            let block = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(10 << 20)
            for _ in 0..<160 { bytes += block }
            return bytes
        }()

        @Test(arguments: ["text", "json", "hex", "raw"])
        func tenMebibyteMessagePrintsWhole(format: String) async throws {
            // Generous: a debug build, let alone a sanitized one, takes seconds to escape 10 MiB.
            let result = try await receiveFromTestPusher([Self.tenMebibytes], format: format, timeout: .seconds(150))
            #expect(result.status == 0)
            let output = Array(result.stdout)
            let payload: [UInt8]
            switch format {
            case "text":
                #expect(output.last == UInt8(ascii: "\n"))
                #expect(output.dropLast().contains(UInt8(ascii: "\n")) == false)
                payload = try unescapeText(output.dropLast())
            case "json":
                let message = try jsonObject(result.output.trimmingCharacters(in: .newlines))
                #expect(message["size"] as? Int == 10 << 20)
                let frames = message["frames"] as? [[String: Any]] ?? []
                payload = Array(Data(base64Encoded: frames.first?["base64"] as? String ?? "") ?? Data())
            case "hex":
                payload = parseHexDump(output)
            default:
                payload = output
            }
            #expect(payload.count == Self.tenMebibytes.count)
            #expect(payload == Self.tenMebibytes)
        }
    }
}

/// Runs `zmq sub ENDPOINT --count 1 --format FORMAT` against an XPUB this test
/// binds, which sends `frames` once the subscription arrived.
func receiveFromTestPublisher(_ frames: [[UInt8]], format: String) async throws -> ToolResult {
    let context = try Context()
    let pub = try context.socket(.xpub)
    try pub.set(.receiveTimeout, processTimeout)
    try pub.set(.linger, .seconds(5))
    let endpoint = try pub.bind(ipcEndpoint())
    let sub = try ToolProcess(["sub", endpoint, "--count", "1", "--format", format])
    let subscription = try await pub.waitFor(.readable, deadline: .now + processTimeout)
    #expect(subscription, "the subscriber never subscribed")
    try pub.sendMultipart(frames, flags: [])
    return await sub.finish()
}

/// Runs `zmq pull ENDPOINT --count 1 --format FORMAT` against a PUSH this test binds.
func receiveFromTestPusher(
    _ frames: [[UInt8]], format: String, timeout: Duration = processTimeout
) async throws -> ToolResult {
    let context = try Context()
    let push = try context.socket(.push)
    try push.set(.sendTimeout, processTimeout)
    try push.set(.linger, .seconds(5))
    let endpoint = try push.bind(ipcEndpoint())
    let pull = try ToolProcess(["pull", endpoint, "--count", "1", "--format", format])
    // Blocks until the puller has connected (bounded by the send timeout).
    try push.sendMultipart(frames, flags: [])
    return await pull.finish(timeout: timeout)
}

/// Undoes the text format's escaping of one frame.
func unescapeText(_ text: Substring) throws -> [UInt8] {
    try unescapeText(Array(text.utf8)[...])
}

/// Undoes the text format's escaping of one frame, given as bytes.
func unescapeText(_ text: ArraySlice<UInt8>) throws -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.count)
    var index = text.startIndex
    while index < text.endIndex {
        guard text[index] == UInt8(ascii: "\\") else {
            bytes.append(text[index])
            index += 1
            continue
        }
        let kind = text[index + 1]
        switch kind {
        case UInt8(ascii: "x"):
            bytes.append(try hexValue(text[index + 2]) << 4 | hexValue(text[index + 3]))
            index += 4
            continue
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        default: bytes.append(kind)
        }
        index += 2
    }
    return bytes
}

/// The value of one hexadecimal digit.
func hexValue(_ digit: UInt8) throws -> UInt8 {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
    default: throw HexDumpError(byte: digit)
    }
}

struct HexDumpError: Error { let byte: UInt8 }

/// The bytes of a hex dump: for each line that starts with an offset, the
/// pairs of hex digits between it and the `|`.
func parseHexDump(_ dump: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(dump.count / 5)
    var lineStart = 0
    while lineStart < dump.count {
        let lineEnd = dump[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? dump.count
        let line = dump[lineStart..<lineEnd]
        // A dump line: eight hex digits, then groups of " xx" up to "  |".
        if line.count > 10, line.prefix(8).allSatisfy({ (try? hexValue($0)) != nil }),
            let bar = line.firstIndex(of: UInt8(ascii: "|"))
        {
            var index = lineStart + 8
            while index + 2 < bar {
                if dump[index] == 0x20 {
                    index += 1
                    continue
                }
                bytes.append((try! hexValue(dump[index])) << 4 | (try! hexValue(dump[index + 1])))
                index += 2
            }
        }
        lineStart = lineEnd + 1
    }
    return bytes
}
