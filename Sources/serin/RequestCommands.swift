import ArgumentParser
import CanaryAPI
import Dashboard
import Foundation
import KubeClient
import KubeCore

/// `serin promote|abort|retry|undo NAME`: writes the request as the annotation `serin.dev/request`
/// (``Dashboard/CanaryRequestWriter``: server-side apply, field manager `kubectl-serin`, so a GitOps tool
/// applying the Canary's manifest leaves it alone); the operator carries it out through its decisions and
/// removes it.
struct RequestCommand {
    static func request(_ action: ControlRequest.Action, name: String, options: CanaryCLIOptions) async throws {
        try await options.with { client, namespace, user in
            _ = try await client.canary(name, namespace: namespace)  // a clear "not found"
            do {
                let outcome = try await CanaryRequestWriter(client: client, user: user).request(action, name: name, namespace: namespace)
                if case .written(let message) = outcome { Console.line(message) }
            } catch let error as CanaryRequestWriter.NoRevision {
                Console.error("error: \(error)")
                throw ExitCode.failure
            }
            Console.line("follow it: kubectl serin status \(name) -n \(namespace)")
        }
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
            _ = try await CanaryRequestWriter(client: client, user: user).pause(name: name, namespace: namespace)
            Console.line("canary \(namespace)/\(name) paused by \(user); resume it with: kubectl serin resume \(name) -n \(namespace)")
        }
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Let a paused Canary go on.")
    @Argument(help: "The Canary.") var name: String
    @OptionGroup var options: CanaryCLIOptions
    func run() async throws {
        try await options.with { client, namespace, user in
            _ = try await client.canary(name, namespace: namespace)
            switch try await CanaryRequestWriter(client: client, user: user).resume(name: name, namespace: namespace) {
            case .written(let message), .nothing(let message): Console.line(message)
            }
        }
    }
}
