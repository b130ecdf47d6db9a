import ArgumentParser
import CanaryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Targets

/// `serin status NAME`: where one rollout is and why, as a tree (``CanaryStatusTree``).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show one Canary as a tree: target and primary, Services, live routes, metrics, gates, the next step, the last events.")

    @Argument(help: "The Canary.") var name: String
    @OptionGroup var options: CanaryCLIOptions

    static let virtualServices = KubeResource(
        group: "networking.istio.io", version: "v1beta1", kind: "VirtualService",
        plural: "virtualservices", namespaced: true)

    func run() async throws {
        try await options.with { client, namespace, _ in
            let tree = try await StatusCommand.tree(client, name: name, namespace: namespace, now: Date())
            Console.line(tree.render())
        }
    }

    /// Reads what the tree shows. An object that is not there is shown as missing, not an error.
    static func tree(_ client: KubeClient, name: String, namespace: String, now: Date) async throws -> CanaryStatusTree {
        let canary = try await client.canary(name, namespace: namespace)
        let targetName = canary[path: "spec", "targetRef", "name"]?.stringValue ?? name
        // The target kind's resource, from its registration; a kind Serin does not ship shows as missing.
        let kind = StatusCommand.targetKind(of: canary)
        let workloads = kind.flatMap(TargetRegistry.registration(for:)).map { client.resource($0.resource.resource, as: JSONValue.self) }
        async let target = optional { try await workloads?.get(targetName, namespace: namespace) }
        async let primary = optional { try await workloads?.get("\(targetName)-primary", namespace: namespace) }
        let serviceName = canary[path: "spec", "service", "name"]?.stringValue ?? targetName
        let services = try await client.resource(.services, as: JSONValue.self).list(namespace: namespace).items
            .compactMap { $0[path: "metadata", "name"]?.stringValue }
            .filter { [serviceName, "\(serviceName)-primary", "\(serviceName)-canary"].contains($0) }.sorted()
        async let virtualService = optional { try await client.resource(virtualServices, as: JSONValue.self).get(serviceName, namespace: namespace) }
        let events = try await client.resource(.events, as: JSONValue.self).list(namespace: namespace).items
            .filter { $0[path: "involvedObject", "kind"] == "Canary" && $0[path: "involvedObject", "name"]?.stringValue == name }
            .sorted { ($0["lastTimestamp"]?.stringValue ?? "") < ($1["lastTimestamp"]?.stringValue ?? "") }
        return CanaryStatusTree(
            canary: canary, target: try await target, primary: try await primary, services: services,
            virtualService: try await virtualService, events: events, now: now)
    }

    /// The kind of the Canary's target, as validation reads it (a `Service` of `serving.knative.dev/v1` is a
    /// Knative Service); `nil` for a kind Serin does not ship.
    static func targetKind(of canary: JSONValue) -> TargetKind? {
        let kind = canary[path: "spec", "targetRef", "kind"]?.stringValue ?? TargetKind.deployment.rawValue
        if kind == "Service", canary[path: "spec", "targetRef", "apiVersion"]?.stringValue == KnativeServing.apiVersion { return .knativeService }
        return TargetKind(rawValue: kind)
    }

    /// The object, or `nil` when the API says it (or its kind) does not exist.
    static func optional(_ read: () async throws -> JSONValue?) async throws -> JSONValue? {
        do { return try await read() } catch let error as KubeAPIError where error.status.code == 404 { return nil }
    }
}
