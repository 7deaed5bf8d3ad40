import DeliveryKit
import DeliveryPostgres
import Foundation
import Testing
import ZeroMQ

extension RoleProcesses {
    /// The tracking role's read model, killed mid-stream and restarted.
    @Suite("Tracking read model killed and restarted", .serialized, .timeLimit(.minutes(2)))
    struct ReadModelRestartTests {
        /// Kill -9 while it replays a long store (4,500 events, 9 batches): its database holds exactly the
        /// first K events (rows and checkpoint moved in one transaction); the
        /// restart starts at K, applies exactly the events after it, and ends
        /// identical to a model rebuilt from the whole store.
        @Test(arguments: Backend.available)
        func aKilledProjectionResumesFromItsCheckpointAndAppliesOnlyWhatCameAfter(backend: Backend) async throws {
            let addresses = Addresses.tcp(firstPort: try freeFirstPort())
            let directory = try scratchDirectory("read-model")
            defer { try? FileManager.default.removeItem(at: directory) }
            let database = directory.appendingPathComponent("events.sqlite").path
            // The read model's database: a file, or a new database on the PostgreSQL server.
            let readModel: any TrackingStore
            let readDB: String
            switch backend {
            case .sqlite:
                readDB = directory.appendingPathComponent("tracking.sqlite").path
                readModel = try TrackingDatabase(path: readDB)
            case .postgres:
                let database = try await newPostgresDatabase()
                readDB = "postgresql://\(database.location.user)@\(database.location.host):\(database.location.port)/\(database.location.database)"
                readModel = try await PostgresTrackingDatabase(database)
            }
            // A store long enough that its replay takes many batches (500 events each).
            let store = try EventStore(path: database)
            for first in stride(from: 1, through: 1_500, by: 500) {
                var events: [DeliveryEvent] = []
                for order in first..<(first + 500) {
                    let courier = order % 7 + 1
                    events += [
                        .orderPlaced(sampleOrder(order)),
                        .courierAssigned(CourierAssigned(eventID: UUID(), orderID: order, courierID: courier, attempt: 1)),
                        .delivered(
                            Delivered(eventID: DeliveryEvent.deliveredEventID(orderID: order), orderID: order, courierID: courier)),
                    ]
                }
                try await store.append(contentsOf: events)
            }
            let head = try await store.head()
            #expect(head == 4_500)
            var all: [StoredEvent] = []
            while case let batch = try await store.events(after: all.last?.sequence ?? 0, limit: 5_000), !batch.isEmpty {
                all += batch
            }

            let wiring = ["--bus", addresses.bus, "--store", addresses.store, "--tracking", addresses.tracking]
            let storeRole = try RoleProcess("store", ["store", "--db", database] + wiring, in: directory)
            #expect(await storeRole.waitForErrors(containing: "store: "), "\(storeRole.errors)")
            let context = try Context(defaultLinger: .zero)
            defer { context.shutdown() }
            func tracking() throws -> RoleProcess {
                try RoleProcess("tracking", ["tracking", "--read-db", readDB] + wiring, in: directory)
            }
            func checkpoint(of query: Requester<TrackingQuery, TrackingReply>) async throws -> Int64 {
                guard case .summary(_, _, let checkpoint) = try await query.call(.summary) else { return -1 }
                return checkpoint
            }

            let first = try tracking()
            #expect(await first.waitForErrors(containing: "from stored event #"), "\(first.errors)")
            #expect(first.errors.contains("from stored event #0 on"), "\(first.errors)")
            let query = try Requester<TrackingQuery, TrackingReply>(
                context: context, connect: addresses.tracking, service: "tracking", timeout: .seconds(10))
            // Killed as soon as it has applied something.
            let deadline = ContinuousClock.now + .seconds(30)
            while try await checkpoint(of: query) == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(2))
            }
            _ = await first.stop(SIGKILL)
            let killedAt = try await readModel.checkpoint()
            #expect(killedAt > 0 && killedAt < head, "killed mid-stream, not before or after: at \(killedAt) of \(head)")
            // Its rows are those of exactly the first `killedAt` events: no batch half applied.
            #expect(
                try await readModel.contents()
                    == TrackingDatabase.rebuilt(replaying: Array(all.prefix(Int(killedAt)))).contents())

            let second = try tracking()
            #expect(await second.waitForErrors(containing: "from stored event #"), "\(second.errors)")
            #expect(second.errors.contains("from stored event #\(killedAt) on"), "\(second.errors)")
            let again = try Requester<TrackingQuery, TrackingReply>(
                context: context, connect: addresses.tracking, service: "tracking", timeout: .seconds(10))
            while try await checkpoint(of: again) < head, ContinuousClock.now < deadline + .seconds(30) {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(await second.stop(SIGINT) == 0, "\(second.errors)")
            #expect(
                second.errors.contains("this run applied \(head - killedAt) events"),
                "the restart applies only the events after its checkpoint: \(second.errors)")
            #expect(
                try await readModel.contents() == TrackingDatabase.rebuilt(replaying: all).contents())
            #expect(await storeRole.stop(SIGINT) == 0, "\(storeRole.errors)")
        }
    }
}
