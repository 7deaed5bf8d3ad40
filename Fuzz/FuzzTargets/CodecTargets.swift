import Foundation
import ZeroMQ
import ZeroMQChannels

/// The binary codec, differentially: the same bytes go to the direct decoder
/// (`BinaryPayloadCodable`) and the `Codable` one. Both must fail, or both
/// give the same value, which encodes back to bytes that decode to it again.
let binaryPayloadTarget = FuzzTarget(
    name: "binary-payload", summary: "the binary payload reader and decoder, direct and Codable, compared",
    run: { bytes in
        let codec = BinaryEventCodec()
        var direct = codec.makeDecoder(for: FuzzRecord.self)
        var codable = codec.makeDecoder(for: FuzzCodableRecord.self)
        let viaDirect = Result { () throws(ChannelError) in try direct.decode(from: bytes) }
        let viaCodable = Result { () throws(ChannelError) in try codable.decode(from: bytes) }
        switch (viaDirect, viaCodable) {
        case (.success(let record), .success(let other)):
            precondition(record == other.record, "the direct and Codable decoders read different values")
            let encoded = try! codec.encode(record)
            let again = try! encoded.withUnsafeBytes { try direct.decode(from: $0) }
            precondition(again == record, "a decoded record does not survive encoding")
        case (.failure(let error), .failure):
            precondition(isSafeLine(error.description), "a decoding error is not one safe line")
        default:
            preconditionFailure("one decoder accepted bytes the other refused: \(viaDirect), \(viaCodable)")
        }
        // The reader on its own, value by value, as a hand-written `read` uses it.
        var reader = BinaryPayloadReader(bytes)
        while !reader.isAtEnd {
            if (try? reader.read(String.self)) == nil, (try? reader.read([Int64].self)) == nil { break }
        }
    },
    seeds: {
        let codec = BinaryEventCodec()
        var other = FuzzRecord.sample
        other.note = "note"
        other.counts = []
        return [try! codec.encode(FuzzRecord.sample), try! codec.encode(other), [], [6]]
    }
)

/// The JSON codec: any bytes decode or throw; what decodes encodes back to
/// JSON that decodes to the same value.
let jsonCodecTarget = FuzzTarget(
    name: "json-codec", summary: "the JSON codec's decode path",
    run: { bytes in
        let codec = JSONEventCodec()
        var decoder = codec.makeDecoder(for: FuzzCodableRecord.self)
        do throws(ChannelError) {
            let record = try decoder.decode(from: bytes)
            let encoded = try codec.encode(record)
            let again = encoded.withUnsafeBytes { payload in
                Result { () throws(ChannelError) in try codec.decode(FuzzCodableRecord.self, from: payload) }
            }
            precondition((try? again.get()) == record, "a decoded record does not survive encoding")
        } catch {
            precondition(isSafeLine(error.description), "a decoding error is not one safe line")
        }
    },
    seeds: {
        let codec = JSONEventCodec()
        let record = FuzzCodableRecord(
            id: 1, small: 2, name: "x", flag: false, note: "n", counts: [1],
            parts: [FuzzCodablePart(label: "p", value: 3)])
        return [try! codec.encode(record), Array(#"{"id":1}"#.utf8), Array("\u{FEFF}{}".utf8)]
    }
)
