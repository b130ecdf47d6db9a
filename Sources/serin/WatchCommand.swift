import ArgumentParser
import CanaryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Targets

/// `serin watch NAME`: ``StatusCommand``'s tree, live. Redrawn when the Canary, its workloads or its events
/// change (watch-fed: no request while nothing changes); on a terminal the screen is redrawn in place with
/// colour and a weight bar, otherwise each new tree is printed after a timestamped rule.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch", abstract: "Show one Canary's tree live, redrawn on every change.")

    @Argument(help: "The Canary.") var name: String
    @OptionGroup var options: CanaryCLIOptions

    @Option(help: ArgumentHelp("Exit when the Canary reaches one of these phases (comma-separated), e.g. Succeeded,Failed.", valueName: "phases"))
    var until: String?

    func run() async throws {
        let terminal = isatty(STDOUT_FILENO) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let phases = Set((until ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        try await options.with { client, namespace, _ in
            let (changes, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            try await withThrowingTaskGroup(of: Void.self) { group in
                // A kind needing a provider's CRD (Knative Services) is followed only for a Canary targeting it:
                // most clusters lack the CRD.
                let own = StatusCommand.targetKind(of: try await client.canary(name, namespace: namespace))
                let kinds = TargetRegistry.registrations.filter { $0.provider == nil || $0.kind == own }.map(\.resource.resource)
                for resource in [Canary.resource, .events] + kinds {
                    group.addTask { try await WatchCommand.follow(resource, client: client, namespace: namespace, signal: signal) }
                }
                var shown = ""
                for await _ in changes {
                    try await Task.sleep(for: .milliseconds(100))  // a burst of changes is drawn once
                    let tree = try await StatusCommand.tree(client, name: name, namespace: namespace, now: Date())
                    let text = tree.render(color: terminal)
                    if text != shown {
                        shown = text
                        Console.line(terminal ? "\u{1B}[H\u{1B}[2J" + text : "--- \(KubeTime(Date()).description)\n" + text)
                    }
                    if let phase = tree.canary[path: "status", "phase"]?.stringValue, phases.contains(phase) { break }
                }
                group.cancelAll()
            }
        }
    }

    /// Signals each change of `resource` in `namespace`, watching again whenever a watch ends.
    static func follow(_ resource: KubeResource, client: KubeClient, namespace: String, signal: AsyncStream<Void>.Continuation) async throws {
        let objects = client.resource(resource, as: DynamicObject.self)
        signal.yield()
        while !Task.isCancelled {
            do {
                for try await event in try await objects.watch(
                    namespace: namespace, options: WatchOptions(allowWatchBookmarks: false, timeoutSeconds: 300))
                {
                    if event.object != nil { signal.yield() }
                }
            } catch is CancellationError {
                return
            } catch let error as KubeAPIError where error.status.code == 404 {
                return  // a kind this cluster does not serve
            }
            try await Task.sleep(for: .seconds(1))  // the watch ended or failed: watch again, a second later
        }
    }
}
