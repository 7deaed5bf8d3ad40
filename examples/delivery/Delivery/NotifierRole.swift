import ArgumentParser
import Foundation
import DeliveryKit

/// `delivery notifier`: prints customer notifications.
struct NotifierRole: DeliveryRoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifier", abstract: "Run the notifier: one line per delivered order.")

    @OptionGroup var endpoints: EndpointOptions
    @Option(help: "The notifier's SQLite file: notifications made, and how far it has read the store's feed.")
    var db = "delivery-notifications.sqlite"

    func run() async throws {
        try await runService("notifier") { context in
            let notifier = Notifier(context: context, addresses: endpoints.addresses, log: try NotificationLog(path: db))
            report("notifier: following the store's feed from \(try await notifier.log.checkpoint()); \(db)")
            try await notifier.run(say: say)
        }
    }
}
