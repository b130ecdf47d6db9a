import ArgumentParser
import CanaryAPI
import Foundation
import KubeClient
import KubeCore

/// `serin policy`: the RolloutPolicies, each with its budget, the Canaries holding its slots and those waiting.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "List the RolloutPolicies: budget, slots in use, Canaries waiting (docs/fleet.md).")

    @OptionGroup var options: CanaryCLIOptions

    func run() async throws {
        try await options.with { client, _, _ in
            let policies = try await client.resource(RolloutPolicy.resource, as: JSONValue.self).list().items
            Console.line(PolicyCommand.table(policies))
        }
    }

    /// The table, in kubectl's style. Pure.
    static func table(_ policies: [JSONValue]) -> String {
        var rows = [["NAME", "SELECTS", "IN USE", "HOLDERS", "WAITING"]]
        for policy in policies.sorted(by: { ($0[path: "metadata", "name"]?.stringValue ?? "") < ($1[path: "metadata", "name"]?.stringValue ?? "") }) {
            let holders = (policy[path: "status", "holders"]?.arrayValue ?? []).compactMap { $0["canary"]?.stringValue }
            let queue = (policy[path: "status", "queue"]?.arrayValue ?? []).compactMap(\.stringValue)
            let namespaces = (policy[path: "spec", "selector", "namespaces"]?.arrayValue ?? []).compactMap(\.stringValue)
            let labels = (policy[path: "spec", "selector", "matchLabels"]?.objectValue ?? [:]).map { "\($0.key)=\($0.value.stringValue ?? "")" }
                .sorted()
            let selects = (namespaces.isEmpty ? ["all namespaces"] : namespaces) + labels
            rows.append([
                policy[path: "metadata", "name"]?.stringValue ?? "", selects.joined(separator: ","),
                "\(holders.count)/\(policy[path: "spec", "maxProgressing"]?.intValue ?? 0)", holders.isEmpty ? "-" : holders.joined(separator: ","),
                queue.isEmpty ? "-" : "\(queue.count): " + queue.joined(separator: ","),
            ])
        }
        return CanaryStatusTree.columns(rows)
    }
}
