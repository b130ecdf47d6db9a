import ArgumentParser
import CanaryAPI
import Foundation
import KubeClient
import KubeCore

/// `serin get`: every Canary of the namespace (or all) with its phase, weight, failed checks, what holds
/// it, and how long ago its status last changed.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "List Canaries: phase, weight, failed checks, holds, age.")

    @OptionGroup var options: CanaryCLIOptions

    @Flag(name: [.customShort("A"), .long], help: "Canaries of every namespace.")
    var allNamespaces = false

    func run() async throws {
        try await options.with { client, namespace, _ in
            let canaries = try await client.canaries.list(namespace: allNamespaces ? nil : namespace).items
            Console.line(GetCommand.table(canaries, now: Date(), withNamespace: allNamespaces))
        }
    }

    /// The table, in kubectl's style (columns padded, no borders). Pure.
    static func table(_ canaries: [JSONValue], now: Date, withNamespace: Bool) -> String {
        var rows = [(withNamespace ? ["NAMESPACE"] : []) + ["NAME", "PHASE", "WEIGHT", "FAILED", "HELD", "LAST TRANSITION", "LAST CHECKS"]]
        for canary in canaries.sorted(by: { key($0) < key($1) }) {
            let status = canary["status"] ?? [:]
            let threshold = canary[path: "spec", "analysis", "threshold"]?.intValue ?? 0
            let row = [
                canary[path: "metadata", "name"]?.stringValue ?? "", status["phase"]?.stringValue ?? "Initializing",
                "\(status["canaryWeight"]?.intValue ?? 0)%", "\(status["failedChecks"]?.intValue ?? 0)/\(threshold)",
                held(canary), CanaryStatusTree.age(status["lastTransitionTime"]?.stringValue, now: now), lastChecks(canary),
            ]
            rows.append((withNamespace ? [canary[path: "metadata", "namespace"]?.stringValue ?? ""] : []) + row)
        }
        return CanaryStatusTree.columns(rows)
    }

    static func key(_ canary: JSONValue) -> String {
        "\(canary[path: "metadata", "namespace"]?.stringValue ?? "")/\(canary[path: "metadata", "name"]?.stringValue ?? "")"
    }

    /// Each metric's last value and verdict, from the journal: `request-success-rate 99.8 ✓`. Pure.
    static func lastChecks(_ canary: JSONValue) -> String {
        let checks = CanaryStatusTree.lastChecks(canary).sorted { $0.key < $1.key }
        guard !checks.isEmpty else { return "-" }
        return checks.map { name, check in
            "\(name) \(check.record.value.map { String(format: "%.4g", $0) } ?? "none") \(check.record.passed ? "✓" : "✗")"
        }
        .joined(separator: ", ")
    }

    /// What holds the Canary besides its analysis (``CanaryHolds``). Pure.
    static func held(_ canary: JSONValue) -> String {
        let holds = CanaryHolds.of(canary)
        return holds.isEmpty ? "-" : holds.joined(separator: ", ")
    }
}
