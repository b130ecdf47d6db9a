import ArgumentParser
import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import Dashboard
import KubeCore

/// `serin policy`: the RolloutPolicies, each with its budget, the Canaries holding its slots and those waiting.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "List the RolloutPolicies: budget, slots in use, Canaries waiting (docs/fleet.md).")

    @OptionGroup var options: CanaryCLIOptions

    @Argument(help: "Nothing to list the policies; `resume NAME` to start a policy's stopped line again.")
    var words: [String] = []

    func run() async throws {
        try await options.with { client, _, _ in
            if words.count == 2, words[0] == "resume" {
                try await PolicyCommand.resume(words[1], client: client)
                return
            }
            guard words.isEmpty else {
                Console.error("error: say `kubectl serin policy` or `kubectl serin policy resume NAME`")
                throw ExitCode.failure
            }
            let policies = try await client.resource(RolloutPolicy.resource, as: JSONValue.self).list().items
            Console.line(PolicyCommand.table(policies))
        }
    }

    /// Clears the policy's stopped line and its counted rollbacks (compare-and-swap, retried on conflict).
    static func resume(_ name: String, client: KubeClient) async throws {
        let policies = client.resource(RolloutPolicy.resource, as: RolloutPolicy.self)
        for _ in 0..<10 {
            var policy = try await policies.get(name)
            guard policy.status?.stopped != nil else {
                Console.line("rollout policy \(name) is not stopped")
                return
            }
            policy.status = RolloutSlots.resumed(policy)
            do {
                _ = try await policies.updateStatus(policy, name: name)
                Console.line("rollout policy \(name) runs again: its Canaries go on")
                return
            } catch let error as KubeAPIError where error.isConflict {
                continue
            }
        }
        Console.error("error: rollout policy \(name) kept changing; try again")
        throw ExitCode.failure
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

/// `serin override NAME --reason "…"`: lets the Canary release during its policies' freeze windows, recording
/// who asked and why; `--remove` takes the override back.
struct OverrideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "override", abstract: "Let one Canary release during a freeze window, with a recorded reason (docs/fleet.md).")

    @Argument(help: "The Canary.") var name: String
    @OptionGroup var options: CanaryCLIOptions
    @Option(help: "Why the freeze does not apply to this release (recorded in an Event).") var reason: String?
    @Flag(help: "Take the override back.") var remove = false

    func run() async throws {
        try await options.with { client, namespace, user in
            _ = try await client.canary(name, namespace: namespace)
            if remove {
                _ = try await client.canaries.patch(
                    name, namespace: namespace, patch: .merge(["metadata": ["annotations": .object([FreezeOverride.annotation: .null])]]))
                Console.line("canary \(namespace)/\(name): freeze override removed")
                return
            }
            guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                Console.error("error: --reason is required: say why the freeze does not apply")
                throw ExitCode.failure
            }
            let value: JSONValue = ["by": .string(user), "reason": .string(reason), "at": .string(KubeTime(Date()).description)]
            try await CanaryRequestWriter(client: client, user: user).annotate(
                name: name, namespace: namespace, [FreezeOverride.annotation: .string(String(decoding: value.serialized(), as: UTF8.self))])
            Console.line("canary \(namespace)/\(name) may release during freeze windows (by \(user): \(reason))")
        }
    }
}
