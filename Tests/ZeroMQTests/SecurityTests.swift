import Foundation
import Synchronization
import Testing
import TestSupport
import ZeroMQ

/// Z85, CURVE keys, CURVE and PLAIN over TCP, the ZAP authenticator, and
/// interop with pyzmq's CURVE.
@Suite("Security", .timeLimit(.minutes(1)))
struct SecurityTests {}

// MARK: - Z85

extension SecurityTests {
    @Suite("Z85") struct Z85Tests {
        @Test func encodesTheRFC32ExampleAsHelloWorld() throws {
            let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
            #expect(try Z85.encode(bytes) == "HelloWorld")
            #expect(try Z85.decode("HelloWorld") == bytes)
        }

        @Test func roundTripsEveryByteValue() throws {
            let bytes = (0...255).map { UInt8($0) }
            let text = try Z85.encode(bytes)
            #expect(text.count == 320)
            #expect(try Z85.decode(text) == bytes)
            #expect(try Z85.encode(Data(bytes)) == text)
        }

        @Test func largestAndSmallestGroupsDecode() throws {
            #expect(try Z85.decode("%nSc0") == [0xFF, 0xFF, 0xFF, 0xFF])
            #expect(try Z85.decode("00000") == [0, 0, 0, 0])
        }

        @Test func emptyInputIsEmptyOutput() throws {
            #expect(try Z85.encode([UInt8]()) == "")
            #expect(try Z85.decode("") == [])
        }

        @Test func alphabetHas85DistinctCharacters() {
            #expect(Z85.alphabet.count == 85)
            #expect(Set(Z85.alphabet).count == 85)
        }

        @Test(arguments: [1, 2, 3, 5, 31, 33])
        func refusesByteCountsThatAreNotMultiplesOfFour(count: Int) {
            expectZ85Error("Z85 encodes a multiple of 4 bytes, not \(count)") {
                try Z85.encode([UInt8](repeating: 7, count: count))
            }
        }

        @Test func refusesTextWhoseLengthIsNotAMultipleOfFive() {
            expectZ85Error("Z85 text is a multiple of 5 characters long, not 6") { try Z85.decode("HelloW") }
            expectZ85Error("Z85 text is a multiple of 5 characters long, not 4") { try Z85.decode("Hell") }
        }

        @Test func refusesCharactersOutsideTheAlphabet() {
            expectZ85Error("U+0020 at offset 5 is not a Z85 character") { try Z85.decode("Hello World") }
            expectZ85Error("U+0022 at offset 5 is not a Z85 character") { try Z85.decode("Hello\"orld") }
            expectZ85Error("U+00E9 at offset 1 is not a Z85 character") { try Z85.decode("Héllo") }
            expectZ85Error("U+0000 at offset 2 is not a Z85 character") { try Z85.decode("He\0lo") }
        }

        @Test func refusesGroupsLargerThanFourBytes() {
            expectZ85Error("the Z85 group at offset 0 is larger than 4 bytes can hold") { try Z85.decode("%nSc1") }
            expectZ85Error("the Z85 group at offset 5 is larger than 4 bytes can hold") { try Z85.decode("Hello#####") }
        }

        @Test func errorsDescribeTheProblemInOneLine() throws {
            let error = try #require(throws: ZMQError.self) { try Z85.decode("Hello World") }
            #expect(
                error.description
                    == "Z85-decode (U+0020 at offset 5 is not a Z85 character) failed: not valid Z85 (invalidZ85)")
            #expect(thrownCode { try Z85.decode("Hell") } == .invalidZ85)
        }

        /// Expects `body` to throw ``ZMQError/Code/invalidZ85`` naming `problem`.
        func expectZ85Error(
            _ problem: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Any
        ) {
            let error = #expect(throws: ZMQError.self, sourceLocation: sourceLocation) { _ = try body() }
            #expect(error?.code == .invalidZ85, sourceLocation: sourceLocation)
            #expect(error?.operation.contains("(\(problem))") == true, "\(String(describing: error))", sourceLocation: sourceLocation)
        }
    }
}

// MARK: - Keys

extension SecurityTests {
    /// The client and server test keys of `man zmq_curve`, in hexadecimal and Z85.
    enum ManPageKeys {
        static let clientPublicHex = "BB88471D65E2659B30C55A5321CEBB5AAB2B70A398645C26DCA2B2FCB43FC518"
        static let clientPublic = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
        static let clientSecret = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"
        static let serverPublic = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
        static let serverSecret = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
    }

    @Suite("CURVE keys") struct KeyTests {
        @Test func generatedPublicKeyIsTheOneDerivedFromTheSecretKey() throws {
            let pair = try CurveKeyPair.generate()
            #expect(try CurveKeyPair(secretKey: pair.secretKey).publicKey == pair.publicKey)
            #expect(pair.publicKey.bytes.count == 32)
            #expect(pair.secretKey.bytes.count == 32)
            #expect(pair.publicKey.z85.count == 40)
            #expect(try CurveKeyPair.generate() != pair)
        }

        @Test func keysRoundTripThroughBytesAndZ85() throws {
            let pair = try CurveKeyPair.generate()
            #expect(try CurvePublicKey(z85: pair.publicKey.z85) == pair.publicKey)
            #expect(try CurvePublicKey(bytes: pair.publicKey.bytes) == pair.publicKey)
            #expect(try CurveSecretKey(z85: pair.secretKey.z85) == pair.secretKey)
            #expect(try CurveKeyPair(publicKey: pair.publicKey.z85, secretKey: pair.secretKey.z85) == pair)
        }

        @Test func manPageTestKeysBelongTogether() throws {
            let client = try CurveKeyPair(publicKey: ManPageKeys.clientPublic, secretKey: ManPageKeys.clientSecret)
            let hex = client.publicKey.bytes.map { String(format: "%02X", $0) }.joined()
            #expect(hex == ManPageKeys.clientPublicHex)
            let server = try CurveKeyPair(secretKey: CurveSecretKey(z85: ManPageKeys.serverSecret))
            #expect(server.publicKey.z85 == ManPageKeys.serverPublic)
        }

        @Test func mismatchedKeysAreRefused() {
            let error = #expect(throws: ZMQError.self) {
                try CurveKeyPair(publicKey: ManPageKeys.serverPublic, secretKey: ManPageKeys.clientSecret)
            }
            #expect(error?.code == .invalidKey)
            #expect(error?.operation.contains("the public key does not belong to the secret key") == true)
        }

        @Test func keysOfTheWrongSizeOrTextAreRefused() {
            func keyError(_ body: () throws -> Any) -> String? {
                do {
                    _ = try body()
                    return nil
                } catch let error as ZMQError where error.code == .invalidKey {
                    return error.operation
                } catch {
                    return "\(error)"
                }
            }
            #expect(
                keyError { try CurvePublicKey(bytes: [UInt8](repeating: 1, count: 31)) }
                    == "make a CURVE public key (a CURVE key is 32 bytes, not 31)")
            #expect(
                keyError { try CurvePublicKey(z85: String(ManPageKeys.serverPublic.dropLast())) }
                    == "read a CURVE public key (a CURVE key in Z85 is 40 characters, not 39)")
            #expect(
                keyError { try CurvePublicKey(z85: String(ManPageKeys.serverPublic.dropLast()) + " ") }
                    == "read a CURVE public key (U+0020 at offset 39 is not a Z85 character)")
            // A secret key's error names where, never what: the character is part of the secret.
            #expect(
                keyError { try CurveSecretKey(z85: String(ManPageKeys.serverSecret.dropLast()) + "~") }
                    == "read a CURVE secret key (the character at offset 39 is not a Z85 character (not shown: it is secret))")
            let error = keyError { try CurveSecretKey(z85: "é" + String(ManPageKeys.serverSecret.dropFirst())) }
            #expect(error?.contains("é") == false && error?.contains("U+") == false)
        }

        @Test func descriptionsShowThePublicKeyAndNeverTheSecretKey() throws {
            let pair = try CurveKeyPair.generate()
            let secret = pair.secretKey.z85
            var dumped = ""
            dump(pair, to: &dumped)
            let shown = [
                "\(pair)", "\(pair.secretKey)", String(reflecting: pair), String(reflecting: pair.secretKey), dumped,
            ]
            for text in shown {
                #expect(!text.contains(secret), "secret key shown in \(text)")
            }
            #expect("\(pair.publicKey)" == pair.publicKey.z85)
            #expect("\(pair)".contains(pair.publicKey.z85))
        }
    }
}

// MARK: - CURVE over TCP

extension SecurityTests {
    @Suite("CURVE over TCP") struct CurveTests {
        @Test func allowedClientExchangesMessagesAndIsKnownByItsKey() throws {
            let context = try Context()
            let serverKeys = try CurveKeyPair.generate()
            let clientKeys = try CurveKeyPair.generate()
            let authenticator = ZAPAuthenticator(
                context: context, policy: ZAPPolicy(curveClients: .acceptOnly([clientKeys.publicKey])))
            try authenticator.start()

            let server = try context.boundedSocket(.rep)
            try server.makeCurveServer(serverKeys)
            let endpoint = try server.bind("tcp://127.0.0.1:*")
            let client = try context.boundedSocket(.req)
            try client.makeCurveClient(serverPublicKey: serverKeys.publicKey, keyPair: clientKeys)
            try client.connect(endpoint)

            try client.send("hello over CURVE")
            let request = try #require(try server.receive())
            #expect(request.string == "hello over CURVE")
            #expect(request.metadata("User-Id") == clientKeys.publicKey.z85)
            try server.send("welcome")
            #expect(try client.expectString() == "welcome")
            #expect(try server.get(.mechanism) == .curve)
            #expect(authenticator.allowedCount == 1)
            #expect(authenticator.deniedCount == 0)
        }

        @Test func clientWithAnUnknownKeyReceivesNothingAndIsDenied() throws {
            let context = try Context()
            let serverKeys = try CurveKeyPair.generate()
            let knownClient = try CurveKeyPair.generate()
            let stranger = try CurveKeyPair.generate()
            let authenticator = ZAPAuthenticator(
                context: context, policy: ZAPPolicy(curveClients: .acceptOnly([knownClient.publicKey])))
            try authenticator.start()

            let server = try context.boundedSocket(.push)
            try server.makeCurveServer(serverKeys)
            let endpoint = try server.bind("tcp://127.0.0.1:*")
            let client = try context.boundedSocket(.pull, timeout: shortWait)
            try client.makeCurveClient(serverPublicKey: serverKeys.publicKey, keyPair: stranger)
            try client.connect(endpoint)

            #expect(eventually { authenticator.deniedCount >= 1 })
            // A PUSH has a peer only once a handshake succeeded: it has none.
            #expect(try server.send("secret plans", flags: .dontWait) == false)
            #expect(try client.receive() == nil)
            #expect(authenticator.allowedCount == 0)
            let denial = try #require(authenticator.recentDenials.last)
            #expect(denial.status == .denied)
            #expect(denial.mechanism == .curve)
            #expect(denial.identity == stranger.publicKey.z85)
            #expect(denial.address == "127.0.0.1")
            #expect(denial.reason.contains("unknown CURVE client"))
        }

        @Test func clientWithTheWrongServerKeyNeverConnects() throws {
            let context = try Context()
            let serverKeys = try CurveKeyPair.generate()
            let impostorKeys = try CurveKeyPair.generate()
            let authenticator = ZAPAuthenticator(context: context, policy: ZAPPolicy(curveClients: .acceptAny))
            try authenticator.start()

            let server = try context.boundedSocket(.push)
            try server.makeCurveServer(serverKeys)
            let endpoint = try server.bind("tcp://127.0.0.1:*")
            let client = try context.boundedSocket(.pull, timeout: shortWait)
            try client.makeCurveClient(serverPublicKey: impostorKeys.publicKey, keyPair: try CurveKeyPair.generate())
            try client.connect(endpoint)

            #expect(try client.receive() == nil)
            #expect(try server.send("secret plans", flags: .dontWait) == false)
            // The server could not even open the client's HELLO, so it never asked ZAP.
            #expect(authenticator.allowedCount == 0)
        }

        @Test func withoutAnAuthenticatorAnyClientKnowingTheServerKeyGetsIn() throws {
            let context = try Context()
            let serverKeys = try CurveKeyPair.generate()
            let server = try context.boundedSocket(.rep)
            try server.makeCurveServer(serverKeys)
            let endpoint = try server.bind("tcp://127.0.0.1:*")
            let client = try context.boundedSocket(.req)
            try client.makeCurveClient(serverPublicKey: serverKeys.publicKey, keyPair: try CurveKeyPair.generate())
            try client.connect(endpoint)

            try client.send("anyone home?")
            #expect(try server.expectString() == "anyone home?")
        }
    }
}

// MARK: - PLAIN

extension SecurityTests {
    @Suite("PLAIN") struct PlainTests {
        static let policy = ZAPPolicy(plainPasswords: ["admin": "correct horse"])

        @Test func clientWithTheRightPasswordIsLetIn() throws {
            let context = try Context()
            let authenticator = ZAPAuthenticator(context: context, policy: Self.policy)
            try authenticator.start()
            let (server, client) = try connectedPlainPair(context, password: "correct horse", timeout: testTimeout)

            try client.send("let me in")
            let request = try #require(try server.receive())
            #expect(request.string == "let me in")
            #expect(request.metadata("User-Id") == "admin")
            try server.send("come in")
            #expect(try client.expectString() == "come in")
            #expect(authenticator.allowedCount == 1)
        }

        @Test func clientWithAWrongPasswordIsDenied() throws {
            let context = try Context()
            let decisions = Mutex<[AuthDecision]>([])
            let authenticator = ZAPAuthenticator(context: context, policy: Self.policy) { decision in
                decisions.withLock { $0.append(decision) }
            }
            try authenticator.start()
            let (server, client) = try connectedPlainPair(context, password: "battery staple", timeout: shortWait)

            try client.send("let me in")
            #expect(eventually { authenticator.deniedCount >= 1 })
            #expect(try server.receive() == nil)
            #expect(try client.receive() == nil)
            let denial = try #require(decisions.withLock { $0.first })
            #expect(denial.status == .denied)
            #expect(denial.mechanism == .plain)
            #expect(denial.identity == "admin")
            #expect(denial.reason == "wrong password for PLAIN user \"admin\"")
            #expect(!"\(denial)".contains("battery"))
            #expect(authenticator.allowedCount == 0)
        }

        @Test func unknownUserIsDenied() throws {
            let context = try Context()
            let authenticator = ZAPAuthenticator(context: context, policy: Self.policy)
            try authenticator.start()
            let (server, client) = try connectedPlainPair(
                context, username: "mallory", password: "correct horse", timeout: shortWait)

            try client.send("let me in")
            #expect(eventually { authenticator.deniedCount >= 1 })
            #expect(try server.receive() == nil)
            #expect(try client.receive() == nil)
            #expect(authenticator.recentDenials.first?.reason == "unknown PLAIN user \"mallory\"")
        }

        /// A PLAIN user name is the peer's text: a newline and an escape
        /// sequence in it once forged an "allowed" line in the log and cleared
        /// the terminal. The decision's description and the log are escaped.
        @Test func aUserNameCannotForgeALogLine() throws {
            let context = try Context()
            let log = LogRecorder()
            let authenticator = ZAPAuthenticator(context: context, policy: Self.policy, logger: log.logger)
            try authenticator.start()
            let forged = "mallory\n\u{1B}[2Jinfo allowed PLAIN peer admin"
            let (server, client) = try connectedPlainPair(context, username: forged, password: "x", timeout: shortWait)

            try client.send("let me in")
            #expect(eventually { authenticator.deniedCount >= 1 })
            #expect(try server.receive() == nil)
            let denial = try #require(authenticator.recentDenials.first)
            #expect(denial.identity == forged)
            #expect(denial.description.contains(#"mallory\n\x1b[2Jinfo allowed"#))
            let lines = log.lines.filter { $0.contains("denied") }
            #expect(lines.count == 1)
            for line in log.lines {
                #expect(!line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(line)")
            }
        }

        @Test func withoutAnAuthenticatorEveryPlainClientIsRefused() throws {
            let context = try Context()
            let (server, client) = try connectedPlainPair(context, password: "correct horse", timeout: shortWait)
            try client.send("let me in")
            #expect(try server.receive() == nil)
            #expect(try client.receive() == nil)
        }

        @Test func policyDescriptionHidesPasswords() {
            var dumped = ""
            dump(Self.policy, to: &dumped)
            for text in ["\(Self.policy)", String(reflecting: Self.policy), dumped] {
                #expect(!text.contains("correct horse"), "password shown in \(text)")
                #expect(text.contains("admin"))
            }
        }

        /// A PLAIN REP server and a REQ client logged in as `username`, connected over TCP.
        private func connectedPlainPair(
            _ context: Context, username: String = "admin", password: String, timeout: Duration
        ) throws -> (server: Socket, client: Socket) {
            let server = try context.boundedSocket(.rep, timeout: timeout)
            try server.makePlainServer()
            let endpoint = try server.bind("tcp://127.0.0.1:*")
            let client = try context.boundedSocket(.req, timeout: timeout)
            try client.makePlainClient(username: username, password: password)
            try client.connect(endpoint)
            return (server, client)
        }
    }
}

// MARK: - Address lists

extension SecurityTests {
    /// A mechanism a server and client can be set up with, for tests that must hold for each.
    enum Mechanism: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case null, plain, curve

        var testDescription: String { rawValue }

        /// A policy that lets this mechanism's test client in, before address checks.
        var policy: ZAPPolicy {
            switch self {
            case .null: ZAPPolicy()
            case .plain: ZAPPolicy(plainPasswords: ["user": "pass"])
            case .curve: ZAPPolicy(curveClients: .acceptAny)
            }
        }

        /// Sets up `server` and `client` to use this mechanism with each other.
        func configure(server: Socket, client: Socket) throws {
            switch self {
            case .null:
                // NULL handshakes reach ZAP only on sockets with a domain.
                try server.set(.zapDomain, "global")
            case .plain:
                try server.makePlainServer()
                try client.makePlainClient(username: "user", password: "pass")
            case .curve:
                let serverKeys = try CurveKeyPair.generate()
                try server.makeCurveServer(serverKeys)
                try client.makeCurveClient(serverPublicKey: serverKeys.publicKey, keyPair: try CurveKeyPair.generate())
            }
        }
    }

    @Suite("Address lists") struct AddressTests {
        @Test(arguments: Mechanism.allCases)
        func deniedAddressIsBlockedWhateverTheMechanism(mechanism: Mechanism) throws {
            var policy = mechanism.policy
            policy.deniedAddresses = ["127.0.0.1"]
            let outcome = try exchange(mechanism, policy)
            #expect(outcome.reply == nil)
            #expect(outcome.authenticator.deniedCount >= 1)
            #expect(outcome.authenticator.allowedCount == 0)
            let denial = try #require(outcome.authenticator.recentDenials.first)
            #expect(denial.reason == "address 127.0.0.1 is denied")
            #expect(denial.mechanism == SecurityMechanism(named: mechanism))
        }

        @Test(arguments: Mechanism.allCases)
        func sameMechanismPassesWhenTheAddressIsNotDenied(mechanism: Mechanism) throws {
            var policy = mechanism.policy
            policy.deniedAddresses = ["192.0.2.1"]
            let outcome = try exchange(mechanism, policy)
            #expect(outcome.reply == "pong")
            #expect(outcome.authenticator.allowedCount == 1)
        }

        @Test func addressMissingFromTheAllowListIsRefusedUntilAdded() throws {
            let context = try Context()
            let authenticator = ZAPAuthenticator(
                context: context, policy: ZAPPolicy(allowedAddresses: ["192.0.2.1"], curveClients: .acceptAny))
            try authenticator.start()
            #expect(try ping(.curve, context, expectingDenialBy: authenticator) == nil)
            #expect(authenticator.recentDenials.first?.reason == "address 127.0.0.1 is not on the allow list")

            authenticator.updatePolicy { $0.allowedAddresses.insert("127.0.0.1") }
            #expect(try ping(.curve, context) == "pong")
        }

        @Test func denyWinsOverAllow() throws {
            var policy = ZAPPolicy(curveClients: .acceptAny)
            policy.allowedAddresses = ["127.0.0.1"]
            policy.deniedAddresses = ["127.0.0.1"]
            let outcome = try exchange(.curve, policy)
            #expect(outcome.reply == nil)
            #expect(outcome.authenticator.recentDenials.first?.reason == "address 127.0.0.1 is denied")
        }

        /// Starts an authenticator with `policy` on a new context and pings a server through it.
        private func exchange(_ mechanism: Mechanism, _ policy: ZAPPolicy) throws
            -> (reply: String?, authenticator: ZAPAuthenticator)
        {
            let context = try Context()
            let authenticator = ZAPAuthenticator(context: context, policy: policy)
            try authenticator.start()
            let denied = policy.deniedAddresses.contains("127.0.0.1")
            let reply = try ping(mechanism, context, expectingDenialBy: denied ? authenticator : nil)
            return (reply, authenticator)
        }

        /// Sends "ping" from a client to a REP server that answers "pong", and
        /// returns the answer, or `nil` when none came.
        ///
        /// - Parameter authenticator: when given, the handshake is expected to be
        ///   refused: waits, with both sockets still open, for `authenticator` to
        ///   deny it, then gives the server only a short while to receive.
        private func ping(
            _ mechanism: Mechanism, _ context: Context, expectingDenialBy authenticator: ZAPAuthenticator? = nil
        ) throws -> String? {
            let timeout = authenticator == nil ? testTimeout : shortWait
            let deniedBefore = authenticator?.deniedCount ?? 0
            let server = try context.boundedSocket(.rep, timeout: timeout)
            let client = try context.boundedSocket(.req, timeout: timeout)
            try mechanism.configure(server: server, client: client)
            let endpoint = try server.bind("tcp://127.0.0.1:*")
            try client.connect(endpoint)
            try client.send("ping")
            if let authenticator {
                #expect(eventually { authenticator.deniedCount > deniedBefore })
            }
            guard try server.receiveString() == "ping" else { return nil }
            try server.send("pong")
            return try client.receiveString()
        }
    }
}

extension SecurityMechanism {
    /// The libzmq mechanism a test ``SecurityTests/Mechanism`` stands for.
    init(named mechanism: SecurityTests.Mechanism) {
        switch mechanism {
        case .null: self = .null
        case .plain: self = .plain
        case .curve: self = .curve
        }
    }
}

// MARK: - Authenticator lifecycle

extension SecurityTests {
    @Suite("ZAP authenticator lifecycle") struct AuthenticatorTests {
        @Test func stopIsPromptAndIdempotentAndRestartWorks() throws {
            let context = try Context()
            let authenticator = ZAPAuthenticator(context: context)
            try authenticator.start()
            try authenticator.start()  // already running: nothing happens
            #expect(authenticator.isRunning)

            let clock = ContinuousClock()
            let took = clock.measure { authenticator.stop() }
            // Typically well under a millisecond; generous for a loaded machine.
            #expect(took < .seconds(1), "stop took \(took)")
            #expect(!authenticator.isRunning)
            authenticator.stop()

            try authenticator.start()
            #expect(authenticator.isRunning)
            authenticator.stop()
        }

        @Test func stopWithoutStartDoesNothing() throws {
            let authenticator = ZAPAuthenticator(context: try Context())
            authenticator.stop()
            #expect(!authenticator.isRunning)
        }

        @Test func onlyOneAuthenticatorServesAContext() throws {
            let context = try Context()
            let first = ZAPAuthenticator(context: context)
            try first.start()
            let second = ZAPAuthenticator(context: context)
            #expect(throws: ZMQError.self) { try second.start() }
            #expect(!second.isRunning)
            #expect(first.isRunning)
        }

        @Test func releasingAnAuthenticatorStopsItAndFreesTheEndpoint() throws {
            let context = try Context()
            do {
                let authenticator = ZAPAuthenticator(context: context)
                try authenticator.start()
            }
            let next = ZAPAuthenticator(context: context)
            try next.start()
            #expect(next.isRunning)
        }

        @Test func contextShutdownEndsTheAuthenticator() throws {
            let context = try Context()
            let authenticator = ZAPAuthenticator(context: context)
            try authenticator.start()
            context.shutdown()
            #expect(eventually { !authenticator.isRunning })
            authenticator.stop()
            #expect(throws: ZMQError.self) { try authenticator.start() }
        }

        @Test func stoppingFromTheDecisionCallbackDoesNotDeadlock() throws {
            let context = try Context()
            let holder = Mutex<ZAPAuthenticator?>(nil)
            let authenticator = ZAPAuthenticator(context: context, policy: ZAPPolicy(curveClients: .acceptAny)) { _ in
                holder.withLock { $0 }?.stop()
            }
            holder.withLock { $0 = authenticator }
            try authenticator.start()

            let serverKeys = try CurveKeyPair.generate()
            let server = try context.boundedSocket(.rep)
            try server.makeCurveServer(serverKeys)
            let endpoint = try server.bind("tcp://127.0.0.1:*")
            let client = try context.boundedSocket(.req)
            try client.makeCurveClient(serverPublicKey: serverKeys.publicKey, keyPair: try CurveKeyPair.generate())
            try client.connect(endpoint)
            try client.send("stop it")
            #expect(try server.expectString() == "stop it")  // the decision was still answered
            #expect(eventually { !authenticator.isRunning })
            holder.withLock { $0 = nil }
        }
    }
}

// MARK: - Interop with pyzmq

extension SecurityTests {
    @Suite("CURVE interop with pyzmq") struct InteropTests {
        @Test func pyzmqKeyPairIsAcceptedAndItsPublicKeyDerivedHere() throws {
            let peer = try PythonPeer("keypair", script: "curve_peer.py")
            let publicText = try peer.readLine()
            let secretText = try peer.readLine()
            let pair = try CurveKeyPair(publicKey: publicText, secretKey: secretText)
            #expect(try CurveKeyPair(secretKey: pair.secretKey).publicKey.z85 == publicText)
            #expect(try peer.finish() == 0)
        }

        @Test func z85AgreesWithPyzmqsOwnCodec() throws {
            let bytes = (0..<64).map { _ in UInt8.random(in: 0...255) }
            let peer = try PythonPeer("z85", bytes.map { String(format: "%02x", $0) }.joined(), script: "curve_peer.py")
            let text = try peer.readLine()
            #expect(try Z85.encode(bytes) == text)
            #expect(try Z85.decode(text) == bytes)
            #expect(try peer.finish() == 0)
        }

        @Test func swiftCurveClientReceivesFromPyzmqCurveServer() throws {
            let serverKeys = try CurveKeyPair.generate()
            let peer = try PythonPeer(
                "server", serverKeys.publicKey.z85, serverKeys.secretKey.z85, "5", script: "curve_peer.py")
            let endpoint = try peer.readLine()
            let context = try Context()
            let pull = try context.boundedSocket(.pull)
            try pull.makeCurveClient(serverPublicKey: serverKeys.publicKey, keyPair: try CurveKeyPair.generate())
            try pull.connect(endpoint)
            for index in 0..<5 {
                #expect(try pull.expectString() == "curve \(index)")
            }
            #expect(try peer.readLine() == "sent")
            #expect(try peer.finish() == 0)
        }

        @Test func pyzmqCurveClientIsAuthenticatedBySwiftServer() throws {
            let context = try Context()
            let serverKeys = try CurveKeyPair.generate()
            let clientKeys = try CurveKeyPair.generate()
            let authenticator = ZAPAuthenticator(
                context: context, policy: ZAPPolicy(curveClients: .acceptOnly([clientKeys.publicKey])))
            try authenticator.start()
            let rep = try context.boundedSocket(.rep)
            try rep.makeCurveServer(serverKeys)
            let endpoint = try rep.bind("tcp://127.0.0.1:*")

            let peer = try PythonPeer(
                "client", serverKeys.publicKey.z85, clientKeys.publicKey.z85, clientKeys.secretKey.z85, endpoint, "5",
                script: "curve_peer.py")
            for _ in 0..<5 {
                let request = try #require(try rep.receive())
                #expect(request.metadata("User-Id") == clientKeys.publicKey.z85)
                try rep.send("swift says: \(request.string ?? "")")
            }
            #expect(try peer.readLine() == "ok")
            #expect(try peer.finish() == 0)
            #expect(authenticator.allowedCount == 1)
        }
    }
}

// MARK: - Helpers

/// How long a test waits for something that must not happen.
private let shortWait: Duration = .milliseconds(300)

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
private func eventually(within timeout: Duration = testTimeout, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return true
}
