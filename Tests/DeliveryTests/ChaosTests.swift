import DeliveryKit
import Foundation
import GRDB
import Testing
import ZeroMQ

extension RoleProcesses {
    /// Every role as its own process over loopback TCP, and each of them killed
    /// with SIGKILL in turn while orders keep coming, then started again.
    @Suite("Delivery chaos: every role killed and restarted", .serialized, .timeLimit(.minutes(3)))
    struct ChaosTests {
        /// A role and how to start it again.
        final class Role {
            let name: String
            let arguments: [String]
            let directory: URL
            /// The line on stderr that says it is up.
            let ready: String
            var process: RoleProcess
            /// Every instance started, the killed ones too (for their output).
            var instances: [RoleProcess]

            init(_ name: String, _ arguments: [String], ready: String, in directory: URL) throws {
                self.name = name
                self.arguments = arguments
                self.directory = directory
                self.ready = ready
                process = try RoleProcess(name, arguments, in: directory)
                instances = [process]
            }

            func waitUntilUp() async -> Bool { await process.waitForErrors(containing: ready) }

            /// SIGKILL, nothing flushed or closed; then the same role on the same files again.
            func killAndRestart(after pause: Duration) async throws {
                #expect(await process.stop(SIGKILL) == nil || !process.isRunning)
                try await Task.sleep(for: pause)
                process = try RoleProcess(name, arguments, in: directory)
                instances.append(process)
                #expect(await waitUntilUp(), "\(name) did not come back: \(process.errors)")
            }
        }

        /// What the client was told.
        struct Placed: Sendable {
            var accepted: [Int] = []
            var refused: [String] = []
        }

        @Test func killingAnyRoleMidRunLosesNoFactNoDeliveryAndNoNotification() async throws {
            let addresses = Addresses.tcp(firstPort: try freeFirstPort())
            let directory = try scratchDirectory("chaos")
            defer { try? FileManager.default.removeItem(at: directory) }
            let database = directory.appendingPathComponent("events.sqlite").path
            let notifications = directory.appendingPathComponent("notifications.sqlite").path
            let wiring = [
                "--bus", addresses.bus, "--store", addresses.store, "--order-service", addresses.orders,
                "--dispatcher", addresses.dispatcher, "--tracking", addresses.tracking,
            ]
            func role(_ name: String, _ arguments: [String], ready: String) throws -> Role {
                try Role(name, arguments + wiring, ready: ready, in: directory)
            }
            let bus = try role("bus", ["bus"], ready: "bus: publish to")
            let store = try role("store", ["store", "--db", database], ready: "store: ")
            let dispatcher = try role(
                "dispatcher", ["dispatcher", "--accept-ms", "1000", "--complete-ms", "2000"], ready: "dispatcher: jobs at")
            let couriers = try [1, 2].map { id in
                try role("courier-\(id)", ["courier", "--id", "\(id)", "--pace-ms", "20"], ready: "courier \(id): pulling")
            }
            let tracking = try role("tracking", ["tracking"], ready: "tracking: ")
            let notifier = try role("notifier", ["notifier", "--db", notifications], ready: "notifier: following")
            let orders = try role("orders", ["orders"], ready: "orders: taking")
            let roles = [bus, store, dispatcher] + couriers + [tracking, notifier, orders]
            func logs() -> String {
                roles.flatMap { role in role.instances.map { "[\(role.name)] \($0.errors)" } }.joined(separator: "\n")
            }
            for role in roles { #expect(await role.waitUntilUp(), "\(role.name): \(role.process.errors)") }

            let context = try Context(defaultLinger: .zero)
            defer { context.shutdown() }
            // Orders keep coming, one every 100 ms, while the roles are killed one by one.
            let placing = Task { [addresses] () throws -> Placed in
                // Longer than the order service takes to answer when the store is down
                // (it waits 2 s for the acknowledgement, then says "not yet recorded").
                let client = try Requester<PlaceOrder, OrderReply>(
                    context: context, connect: addresses.orders, service: "order service", timeout: .seconds(5))
                var placed = Placed()
                var index = 0
                while !Task.isCancelled {
                    index += 1
                    do {
                        let reply = try await client.call(
                            PlaceOrder(
                                customer: "customer \(index)", pickup: "Shop \(index % 7)", dropoff: "\(index) Mill Lane",
                                items: ["dish \(index)"], totalCents: 1000 + index))
                        if reply.accepted, let id = reply.orderID {
                            placed.accepted.append(id)
                        } else {
                            placed.refused.append(reply.error ?? "refused")
                        }
                    } catch is CancellationError {
                        break
                    } catch {
                        // The order service was down: the caller hears so; nothing is silently lost.
                        placed.refused.append("\(error)")
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
                return placed
            }

            for victim in [store, bus, dispatcher, tracking, notifier, orders, couriers[1]] {
                try await Task.sleep(for: .milliseconds(1_500))
                try await victim.killAndRestart(after: .seconds(1))
            }
            try await Task.sleep(for: .seconds(1))
            placing.cancel()
            let placed = try await placing.value
            #expect(placed.accepted.count >= 20, "\(placed) \(logs())")

            // Settled: the store has every order delivered, and tracking has caught up.
            let storeClient = try StoreClient(context: context, addresses: addresses, timeout: .seconds(10))
            let query = try Requester<TrackingQuery, TrackingReply>(
                context: context, connect: addresses.tracking, service: "tracking", timeout: .seconds(10))
            let deadline = ContinuousClock.now + .seconds(60)
            var lastOrder = 0
            var summary = TrackingReply.failure(reason: "not asked yet")
            while ContinuousClock.now < deadline {
                lastOrder = try await storeClient.lastOrderID()
                let head = try await storeClient.head()
                summary = try await query.call(.summary)
                if lastOrder >= (placed.accepted.max() ?? 0),
                    summary == .summary(orders: lastOrder, delivered: lastOrder, checkpoint: head)
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(
                summary == .summary(orders: lastOrder, delivered: lastOrder, checkpoint: try await storeClient.head()),
                "\(summary) \(logs())")
            // The live read model, order by order, as tracking answers it.
            var views: [Int: OrderView] = [:]
            for id in 1...max(lastOrder, 1) {
                if case .order(let view?) = try await query.call(.order(order: id)) { views[id] = view }
            }

            for role in roles.reversed() {
                #expect(await role.process.stop(SIGINT) == 0, "\(role.name) did not stop on SIGINT: \(role.process.errors)")
            }

            // Every accepted order (and any whose answer was lost with a killed order
            // service) is delivered exactly once in the store.
            let log = try EventStore(path: database)
            #expect(Set(placed.accepted).isSubset(of: Set(1...max(lastOrder, 1))))
            for id in 1...lastOrder {
                let deliveries = try await log.history(ofOrder: id).count { $0.event.kind == .delivered }
                #expect(deliveries == 1, "order #\(id) delivered \(deliveries) times")
            }
            // Each customer notified exactly once: the notifier's log holds one notification per
            // order, whatever instance made it; no instance said one twice.
            let notified = try await DatabaseQueue(path: notifications).read { db in
                try Int.fetchAll(db, sql: "SELECT order_id FROM notifications ORDER BY order_id")
            }
            #expect(notified == Array(1...lastOrder))
            let said = notifier.instances.flatMap { $0.output.split(separator: "\n") }
            for id in 1...lastOrder { #expect(said.count { $0.contains("order #\(id) ") } <= 1) }
            // The tracking read model equals one rebuilt from the store.
            var all: [StoredEvent] = []
            while case let batch = try await log.events(after: all.last?.sequence ?? 0), !batch.isEmpty { all += batch }
            let rebuilt = try await TrackingDatabase.rebuilt(replaying: all).contents()
            #expect(rebuilt.orders == views, "tracking's live answers differ from a model rebuilt from the store")
        }
    }
}
