import Foundation
import Logging
import ZeroMQ

/// Z85 and CURVE key parsing: text that decodes encodes back to itself;
/// keys parse or throw; a secret key's error never shows its text.
let z85Target = FuzzTarget(
    name: "z85", summary: "Z85 and CURVE key parsing",
    run: { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        if let decoded = try? Z85.decode(text) {
            precondition((try? Z85.encode(decoded)) == text, "Z85 text does not encode back to itself")
        }
        if let key = try? CurvePublicKey(z85: text) {
            precondition(key.z85 == text, "a public key does not write back its text")
        }
        do throws(ZMQError) {
            let secret = try CurveSecretKey(z85: text)
            precondition(secret.z85 == text, "a secret key does not write back its text")
            precondition(Array("\(secret)".utf8).firstRange(of: Array(text.utf8)) == nil, "a secret key shows itself")
        } catch {
            // The one error that quotes the text, a bad character as its code point, is never a secret key's.
            precondition(error.code == .invalidKey, "a secret key's text is refused as \(error.codeName)")
            precondition(!error.description.contains("U+"), "a secret key error shows its text")
            precondition(error.description.unicodeScalars.allSatisfy(\.isASCII), "a secret key error shows its text")
        }
        if let key = try? CurvePublicKey(bytes: Array(bytes)) {
            precondition(key.bytes == Array(bytes), "a public key does not keep its bytes")
        }
    },
    seeds: {
        let pair = try! CurveKeyPair.generate()
        return [pair.publicKey.z85, pair.secretKey.z85, "HelloWorld", "\u{1B}[2J" + String(repeating: "0", count: 36)]
            .map { Array($0.utf8) } + [pair.publicKey.bytes]
    }
)

/// The ZAP handler's request parsing and policy: any frames get a
/// well-formed reply, and what it keeps and logs of a decision is one safe,
/// capped line.
let zapRequestTarget = FuzzTarget(
    name: "zap-request", summary: "ZAP request parsing and the policy's decision",
    run: { bytes in
        var input = FuzzInput(bytes)
        let frames = input.frames(limit: 10)
        let decisions = ZAPDecisionMaker(
            policy: ZAPPolicy(deniedAddresses: ["10.0.0.1"], plainPasswords: ["admin": "secret"]),
            onDecision: nil, logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
        let reply = decisions.answer(frames)
        precondition(reply.count == 6 && reply[0] == Array("1.0".utf8), "a ZAP reply is malformed")
        precondition(["200", "400", "500"].contains(String(decoding: reply[2], as: UTF8.self)), "a bad ZAP status")
        for denial in decisions.recentDenials {
            precondition(isSafeLine(denial.description), "a ZAP decision is not one safe line")
            precondition(denial.description.utf8.count <= 4 * 1_024 + 64, "a ZAP decision is not capped")
        }
    },
    seeds: {
        func request(_ mechanism: String, _ credentials: [[UInt8]]) -> [UInt8] {
            FuzzInput.encode(
                frames: [Array("1.0".utf8), [1], [], Array("127.0.0.1".utf8), [], Array(mechanism.utf8)] + credentials)
        }
        return [
            request("PLAIN", [Array("admin\n\u{1B}[2Jallowed PLAIN peer admin".utf8), Array("x".utf8)]),
            request("PLAIN", [Array("admin".utf8), Array("secret".utf8)]),
            request("CURVE", [[UInt8](repeating: 7, count: 32)]),
            request("NULL", []),
            FuzzInput.encode(frames: [[0xFF]]),
        ]
    }
)
