import ArgumentParser
import DeliveryKit
import Foundation

/// `delivery run`: the whole system in one process, a seeded scenario, and a report.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every service in one process, place seeded orders, and report (exit 0 when all went right).")

    @Option(help: "How many orders to place.") var orders = 20
    @Option(help: "How many couriers ride.") var couriers = 3
    @Option(help: "The seed of the orders' contents.") var seed: UInt64 = 1
    @Flag(help: "Crash courier 1 after its first pickup: its jobs must be redelivered.") var failCourier = false
    @Option(help: "Every how-manyth order its customer cancels once a courier is assigned, racing the pickup (0: none).")
    var cancelEvery = 5
    @Option(help: "The event store's SQLite file (default: a new file in the temporary directory).") var db: String?
    @Flag(help: "Keep the event store in memory.") var inMemory = false
    @Option(
        help:
            "Use loopback TCP from this port (bus at it, store +10, orders +20, …) instead of inproc, to watch with `zmq sub`."
    )
    var tcp: Int?
    @Option(help: "Seconds to wait for the last delivery.") var timeout = 60
    @Option(help: "Milliseconds between two steps of a ride.") var paceMs = 10

    /// The tracking read model's database of `delivery run`, in the temporary directory.
    static var trackingDatabase: String {
        FileManager.default.temporaryDirectory.appendingPathComponent("delivery-tracking-\(getpid()).sqlite").path
    }

    func validate() throws {
        guard orders > 0, couriers > 0 else { throw ValidationError("--orders and --couriers must be positive") }
        guard !(failCourier && couriers < 2) else { throw ValidationError("--fail-courier needs at least 2 couriers") }
        guard cancelEvery >= 0 else { throw ValidationError("--cancel-every must not be negative") }
        guard timeout > 0, paceMs >= 0 else {
            throw ValidationError("--timeout must be positive, --pace-ms not negative")
        }
    }

    func run() async throws {
        startLogging(level: .warning)
        var scenario = Scenario()
        scenario.orders = orders
        scenario.couriers = couriers
        scenario.seed = seed
        scenario.failCourier = failCourier
        scenario.cancelEvery = cancelEvery > 0 ? cancelEvery : nil
        scenario.timeout = .seconds(timeout)
        scenario.pace = .milliseconds(paceMs)
        scenario.addresses = tcp.map { Addresses.tcp(firstPort: $0) } ?? .inproc("delivery-\(getpid())")
        scenario.extraRoles = DeliveryCommand.roles.compactMap { $0.scenarioRole }
        if !inMemory {
            let path =
                db ?? FileManager.default.temporaryDirectory.appendingPathComponent("delivery-\(getpid()).sqlite").path
            if db == nil { try? FileManager.default.removeItem(atPath: path) }
            scenario.databasePath = path
            scenario.trackingDatabasePath = Self.trackingDatabase
            try? FileManager.default.removeItem(atPath: Self.trackingDatabase)
        }
        let live = isatty(STDERR_FILENO) != 0
        let finished: ScenarioReport?
        do {
            finished = try await untilSignalled("run") { [scenario, tcp] in
                // Said once signals are handled: a SIGINT right after these lines stops the run cleanly.
                if let path = scenario.databasePath { report("event store: \(path)") }
                if let tcp { report("bus: publish to tcp://127.0.0.1:\(tcp), subscribe at tcp://127.0.0.1:\(tcp + 1)") }
                return try await scenario.run(
                    progress: { line in
                        if live { FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8)) }
                    },
                    notify: say)
            }
        } catch {
            fail("\(error)")
        }
        guard let result = finished else {
            if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            report("delivery: interrupted; the event store is consistent (\(scenario.databasePath ?? "in memory"))")
            throw ExitCode(130)
        }
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        // The verdict (OK or FAILED) stays the last line, after what the added roles say.
        for line in result.lines.dropLast() { print(line) }
        for role in DeliveryCommand.roles {
            for line in await role.scenarioSummary() { print(line) }
        }
        if let verdict = result.lines.last { print(verdict) }
        if let path = scenario.databasePath {
            print("history: delivery history --db \(path) --order 1")
        }
        if let path = scenario.trackingDatabasePath {
            print("tracking read model: sqlite3 \(path) \"SELECT status, COUNT(*) FROM orders GROUP BY status\"")
        }
        if !result.succeeded { throw ExitCode(1) }
    }
}
