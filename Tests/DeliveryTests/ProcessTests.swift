import DeliveryKit
import Foundation
import Testing
import ZeroMQ

extension RoleProcesses {
    /// Every role as its own process over loopback TCP, as on several hosts.
    @Suite("Delivery roles as processes", .serialized, .timeLimit(.minutes(2)))
    struct ProcessTests {
        @Test func rolesInSeparateProcessesDeliverEveryOrderAndStopCleanlyOnSIGINT() async throws {
            let addresses = Addresses.tcp(firstPort: try freeFirstPort())
            // Every role keeps its files (outboxes, the notifier's log) here.
            let directory = try scratchDirectory("roles")
            defer { try? FileManager.default.removeItem(at: directory) }
            let database = directory.appendingPathComponent("events.sqlite").path
            let wiring = [
                "--bus", addresses.bus, "--store", addresses.store, "--order-service", addresses.orders,
                "--dispatcher", addresses.dispatcher, "--tracking", addresses.tracking,
            ]
            let bus = try RoleProcess("bus", ["bus"] + wiring, in: directory)
            let store = try RoleProcess("store", ["store", "--db", database] + wiring, in: directory)
            let dispatcher = try RoleProcess(
                "dispatcher", ["dispatcher", "--accept-ms", "1000", "--complete-ms", "1500"] + wiring, in: directory)
            let crashing = try RoleProcess(
                "courier-1", ["courier", "--id", "1", "--pace-ms", "5", "--crash-after-pickups", "1"] + wiring,
                in: directory)
            let tracking = try RoleProcess("tracking", ["tracking"] + wiring, in: directory)
            let notifier = try RoleProcess("notifier", ["notifier"] + wiring, in: directory)
            let orders = try RoleProcess("orders", ["orders"] + wiring, in: directory)
            // Courier 2 starts once courier 1 has crashed: alone, courier 1 is sure to get a job and crash
            // holding it (with both riding from the start, courier 2 sometimes took every job).
            var roles = [bus, store, dispatcher, tracking, notifier, orders]
            func logs() -> String { (roles + [crashing]).map { "[\($0.name)] \($0.errors)" }.joined(separator: "\n") }

            let context = try Context(defaultLinger: .zero)
            defer { context.shutdown() }
            let client = try Requester<PlaceOrder, OrderReply>(
                context: context, connect: addresses.orders, service: "order service", timeout: .seconds(30))
            var generator = SeededGenerator(seed: 7)
            var placed: [Int] = []
            for index in 1...6 {
                let reply = try await client.call(
                    PlaceOrder(
                        customer: "customer \(index)", pickup: "Shop \(Int.random(in: 1...9, using: &generator))",
                        dropoff: "\(index) Mill Lane", items: ["dish \(index)"], totalCents: 1000 + index))
                placed.append(try #require(reply.orderID, "\(reply) \(logs())"))
            }
            #expect(placed == [1, 2, 3, 4, 5, 6])

            #expect(await crashing.waitForExit(timeout: .seconds(20)) == 1, "\(logs())")
            #expect(crashing.errors.contains("crashed holding order #"))
            let courier = try RoleProcess("courier-2", ["courier", "--id", "2", "--pace-ms", "5"] + wiring, in: directory)
            roles.insert(courier, at: 3)
            #expect(await courier.waitForErrors(containing: "courier 2: pulling jobs"), "\(courier.errors)")

            // Every customer is told once, including the one whose courier crashed.
            let deadline = ContinuousClock.now + .seconds(40)
            while notifier.output.split(separator: "\n").count < 6 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let notifications = notifier.output.split(separator: "\n")
            #expect(notifications.count == 6, "\(notifier.output)\n\(logs())")
            for id in placed { #expect(notifications.filter { $0.contains("order #\(id) ") }.count == 1) }
            // Back on its outbox, courier 1 sends the store what it had not yet acknowledged.
            let restarted = try RoleProcess(
                "courier-1", ["courier", "--id", "1", "--pace-ms", "5"] + wiring, in: directory)
            #expect(await restarted.waitForErrors(containing: "courier 1: pulling jobs"), "\(restarted.errors)")
            let held = try #require(
                crashing.errors.split(separator: "#").last.flatMap { Int($0.prefix { $0.isNumber }) }, "\(crashing.errors)")
            let storeClient = try StoreClient(context: context, addresses: addresses, timeout: .seconds(10))
            var holders: [Int] = []
            while !holders.contains(1) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                holders = History.holdersBeforeRedelivery(of: try await storeClient.history(ofOrder: held)).map(\.courierID)
            }
            #expect(holders.contains(1), "the store knows courier 1 held order #\(held): \(logs())")

            let query = try Requester<TrackingQuery, TrackingReply>(
                context: context, connect: addresses.tracking, service: "tracking", timeout: .seconds(10))
            var summary = try await query.call(.summary)
            while summary != .summary(orders: 6, delivered: 6, checkpoint: summaryCheckpoint(summary))
                && ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(50))
                summary = try await query.call(.summary)
            }
            #expect(summary == .summary(orders: 6, delivered: 6, checkpoint: summaryCheckpoint(summary)))

            roles.append(restarted)
            for role in roles.reversed() {
                #expect(await role.stop(SIGINT) == 0, "\(role.name) did not stop cleanly on SIGINT: \(role.errors)")
                let name = role.name.hasPrefix("courier-") ? role.name.replacingOccurrences(of: "-", with: " ") : role.name
                #expect(role.errors.contains("\(name): stopped"))
            }

            // The store file is whole after the shutdown: every order delivered once.
            let log = try EventStore(path: database)
            for id in placed {
                #expect(try await log.history(ofOrder: id).filter { $0.event.kind == .delivered }.count == 1)
            }
            var redelivered: [Int] = []
            for id in placed where try await !History.holdersBeforeRedelivery(of: log.history(ofOrder: id)).isEmpty {
                redelivered.append(id)
            }
            let crashedOrder = try #require(redelivered.first, "one order was redelivered after courier 1 crashed")
            let history = try RoleProcess("history", ["history", "--db", database, "--order", "\(crashedOrder)"])
            #expect(await history.waitForExit(timeout: .seconds(20)) == 0)
            #expect(history.output.contains("held by courier 1 (attempt 1) before it was redelivered"), "\(history.output)")
            // The causal chain across roles, from the store the roles wrote in separate processes.
            #expect(
                history.output.contains("causal chain of order #\(crashedOrder) (correlation id order-\(crashedOrder)):"),
                "\(history.output)")
            #expect(history.output.contains("└ #"), "\(history.output)")
            #expect(history.output.contains(" dispatcher: order #\(crashedOrder) handed out again"), "\(history.output)")
        }

        @Test func theWholeScenarioRunsAsOneCommandAndStopsCleanlyOnSIGINT() async throws {
            let complete = try RoleProcess(
                "run", ["run", "--orders", "8", "--couriers", "2", "--in-memory", "--pace-ms", "2", "--cancel-every", "0"])
            #expect(await complete.waitForExit(timeout: .seconds(60)) == 0, "\(complete.errors)")
            #expect(complete.output.split(separator: "\n").filter { $0.hasPrefix("notify ") }.count == 8)
            #expect(complete.output.contains("orders placed 8, delivered exactly once 8, customers notified 8"))
            #expect(complete.output.hasSuffix("OK\n"))

            // Interrupted mid-run: it stops promptly, says so on one line, and leaves a readable store.
            let database = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID()).sqlite").path
            defer { try? FileManager.default.removeItem(atPath: database) }
            let interrupted = try RoleProcess(
                "run", ["run", "--orders", "500", "--couriers", "2", "--db", database, "--pace-ms", "50"])
            let deadline = ContinuousClock.now + .seconds(30)
            while !interrupted.output.contains("notify ") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let started = ContinuousClock.now
            #expect(await interrupted.stop(SIGINT, timeout: .seconds(10)) == 130)
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(interrupted.errors.contains("delivery: interrupted; the event store is consistent"))
            let store = try EventStore(path: database)
            #expect(try await store.head() > 0)
            #expect(try await store.order(1) != nil)
        }

        @Test func sigintStopsARoleAlsoWhenStartedAsABackgroundJob() async throws {
            let addresses = Addresses.tcp(firstPort: try freeFirstPort())
            let bus = try RoleProcess("bus", ["bus", "--bus", addresses.bus], sigintIgnored: true)
            let deadline = ContinuousClock.now + .seconds(20)
            while !bus.errors.contains("bus: publish to") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(await bus.stop(SIGINT) == 0)
            #expect(bus.errors.contains("bus: stopped"))
        }

        @Test func badArgumentsAndUnreachableServicesGiveOneLineAndANonZeroExit() async throws {
            let noOrder = try RoleProcess("history", ["history", "--db", "/nonexistent/store.sqlite", "--order", "1"])
            #expect(await noOrder.waitForExit(timeout: .seconds(20)) == 64)
            #expect(noOrder.errors.contains("no event store at /nonexistent/store.sqlite"))

            let port = try freeFirstPort()
            let silent = try RoleProcess(
                "history", ["history", "--store", "tcp://127.0.0.1:\(port)", "--courier", "1", "--timeout-ms", "300"])
            #expect(await silent.waitForExit(timeout: .seconds(20)) == 1)
            let lines = silent.errors.split(separator: "\n")
            #expect(lines.count == 1)
            #expect(
                lines.first?.contains("event store at tcp://127.0.0.1:\(port) did not answer") == true, "\(silent.errors)")
        }
    }
}

private func summaryCheckpoint(_ reply: TrackingReply) -> Int64 {
    if case .summary(_, _, let checkpoint) = reply { return checkpoint }
    return -1
}
