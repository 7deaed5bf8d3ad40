import ArgumentParser
import Foundation
import DeliveryKit

/// `delivery notifier`: prints customer notifications.
struct NotifierRole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifier", abstract: "Run the notifier: one line per delivered order.")

    @OptionGroup var endpoints: EndpointOptions

    func run() async throws {
        try await runService("notifier") { context in
            let notifier = Notifier(context: context, addresses: endpoints.addresses)
            try await notifier.run(say: say)
        }
    }
}
