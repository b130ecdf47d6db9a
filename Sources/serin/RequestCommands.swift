import ArgumentParser
import CanaryAPI
import Foundation
import KubeClient
import KubeCore

/// `serin promote|abort|retry|undo NAME`: writes the request as the annotation `serin.dev/request` (server-side
/// apply, field manager `kubectl-serin`, so a GitOps tool applying the Canary's manifest leaves it alone);
/// the operator carries it out through its decisions and removes it.
struct RequestCommand {
    static let fieldManager = "kubectl-serin"

    static func request(_ action: ControlRequest.Action, name: String, options: CanaryCLIOptions) async throws {
        try await options.with { client, namespace, user in
            let canary = try await client.canary(name, namespace: namespace)
            guard let revision = canary[path: "status", "lastAppliedSpec"]?.stringValue else {
                Console.error("error: canary \(namespace)/\(name) has no revision yet (it is still initializing)")
                throw ExitCode.failure
            }
            let request = ControlRequest(action: action, revision: revision, by: user, at: KubeTime(Date()).description)
            try await annotate(
                client, name: name, namespace: namespace,
                [ControlRequest.annotation: .string(String(decoding: request.json.serialized(), as: UTF8.self))])
            let phase = canary[path: "status", "phase"]?.stringValue ?? "?"
            Console.line("\(action.rawValue) requested for canary \(namespace)/\(name) (revision \(revision), \(phase)) by \(user)")
            Console.line("follow it: kubectl serin status \(name) -n \(namespace)")
        }
    }

    /// Server-side applies `annotations` on the Canary as `kubectl-serin`.
    static func annotate(_ client: KubeClient, name: String, namespace: String, _ annotations: [String: JSONValue]) async throws {
        let intent: JSONValue = [
            "apiVersion": .string(Canary.resource.apiVersion), "kind": "Canary",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "annotations": .object(JSONObject(uniqueKeysWithValues: annotations.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
            ],
        ]
        _ = try await client.canaries.patch(name, namespace: namespace, patch: .apply(intent, fieldManager: fieldManager, force: true))
    }
}

struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote", abstract: "Finish a Canary's analysis now: promote it the normal way (the remaining steps and gates are skipped).")
    @Argument(help: "The Canary.") var name: String
    @OptionGroup var options: CanaryCLIOptions
    func run() async throws { try await RequestCommand.request(.promote, name: name, options: options) }
}

struct AbortCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "abort", abstract: "Roll a Canary's analysis back now.")
    @Argument(help: "The Canary.") var name: String
    @OptionGroup var options: CanaryCLIOptions
    func run() async throws { try await RequestCommand.request(.abort, name: name, options: options) }
}

struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Analyse again the revision whose rollout failed, without changing the spec.")
    @Argument(help: "The Canary.") var name: String
    @OptionGroup var options: CanaryCLIOptions
    func run() async throws { try await RequestCommand.request(.retry, name: name, options: options) }
}

struct UndoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Give the primary back the version promoted before the current one; the current one counts as failed.")
    @Argument(help: "The Canary.") var name: String
    @OptionGroup var options: CanaryCLIOptions
    func run() async throws { try await RequestCommand.request(.undo, name: name, options: options) }
}

struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Hold a Canary where it is (no step, no new rollout) until `serin resume`.")
    @Argument(help: "The Canary.") var name: String
    @OptionGroup var options: CanaryCLIOptions
    func run() async throws {
        try await options.with { client, namespace, user in
            _ = try await client.canary(name, namespace: namespace)
            let value: JSONValue = ["by": .string(user), "at": .string(KubeTime(Date()).description)]
            try await RequestCommand.annotate(
                client, name: name, namespace: namespace,
                [ControlRequest.pausedAnnotation: .string(String(decoding: value.serialized(), as: UTF8.self))])
            Console.line("canary \(namespace)/\(name) paused by \(user); resume it with: kubectl serin resume \(name) -n \(namespace)")
        }
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Let a paused Canary go on.")
    @Argument(help: "The Canary.") var name: String
    @OptionGroup var options: CanaryCLIOptions
    func run() async throws {
        try await options.with { client, namespace, _ in
            let canary = try await client.canary(name, namespace: namespace)
            guard canary[path: "metadata", "annotations", ControlRequest.pausedAnnotation] != nil else {
                Console.line("canary \(namespace)/\(name) is not paused")
                return
            }
            _ = try await client.canaries.patch(
                name, namespace: namespace,
                patch: .merge(["metadata": ["annotations": .object([ControlRequest.pausedAnnotation: .null])]]))
            Console.line("canary \(namespace)/\(name) resumed")
        }
    }
}
