import Foundation
import KubeClient
import KubeCore

extension RolloutStories {
    static func patchTemplate(_ world: some RolloutBackend, _ template: JSONValue) async throws {
        _ = try await world.client.resource(.deployments, as: JSONValue.self).patch(
            "podinfo", namespace: "demo", patch: .merge(["spec": ["template": template]]))
    }

    static func status(_ world: some RolloutBackend) async throws -> JSONValue {
        try await world.client.resource(canaries, as: JSONValue.self).get("podinfo", namespace: "demo")["status"] ?? [:]
    }

    static func deployment(_ world: some RolloutBackend, _ name: String) async throws -> JSONValue {
        try await world.client.resource(.deployments, as: JSONValue.self).get(name, namespace: "demo")
    }

    static func image(_ world: some RolloutBackend, _ name: String) async throws -> JSONValue? {
        try await deployment(world, name)[path: "spec", "template", "spec", "containers"]?[0]?["image"]
    }

    /// The weights of the VirtualService's first route: primary, canary.
    static func routes(_ world: some RolloutBackend) async throws -> [Int] {
        let service = try await world.client.resource(virtualServices, as: JSONValue.self).get("podinfo", namespace: "demo")
        return (service[path: "spec", "http"]?[0]?["route"]?.arrayValue ?? []).map { $0["weight"]?.intValue ?? 0 }
    }

    /// The messages of the Events on the Canary.
    static func events(_ world: some RolloutBackend) async throws -> [String] {
        try await world.client.resource(.events, as: JSONValue.self).list(namespace: "demo").items
            .filter { $0[path: "involvedObject", "name"]?.stringValue == "podinfo" && $0[path: "involvedObject", "kind"] == "Canary" }
            .compactMap { $0["message"]?.stringValue }
    }

    /// When the journal's entries whose `to` starts with each of `steps` were taken, in that order.
    public static func journalTimes(_ status: JSONValue, steps: [String]) -> [Date] {
        let journal = status["journal"]?.arrayValue ?? []
        return steps.compactMap { step in
            journal.first { $0["to"]?.stringValue?.hasPrefix(step) == true }.flatMap { $0["time"]?.stringValue }.flatMap {
                KubeTime(rfc3339: $0)?.date
            }
        }
    }
}
