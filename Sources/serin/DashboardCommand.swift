import ArgumentParser
import Dashboard
import Foundation
import Logging

/// `serin dashboard`: serves the live dashboard on `127.0.0.1`, with the user's own kubeconfig (what they see
/// and may do is what their RBAC allows), until Ctrl-C. Opens nothing by itself: it prints the address.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard", abstract: "Serve a live web dashboard of the Canaries on 127.0.0.1, with your own kubeconfig.")

    @OptionGroup var options: CanaryCLIOptions

    @Flag(name: [.customShort("A"), .long], help: "Show the Canaries of every namespace (default: the namespace of -n or the context).")
    var allNamespaces = false

    @Option(help: "The port on 127.0.0.1 (0 picks a free one).")
    var port = 9090

    func run() async throws {
        try await options.with { client, namespace, user in
            var logger = Logger(label: "serin.dashboard")
            logger.logLevel = .warning
            let server: DashboardServer
            do {
                server = try await DashboardServer.start(
                    client: client, user: user, namespace: allNamespaces ? nil : namespace, port: port, logger: logger)
            } catch {
                Console.error("error: \(error)")
                throw ExitCode.failure
            }
            Console.line("Serin dashboard for \(allNamespaces ? "all namespaces" : "namespace \(namespace)") as \(user): \(server.url)")
            Console.line("(it acts with your kubeconfig; Ctrl-C stops it)")
            await withTaskCancellationHandler {
                await server.wait()
            } onCancel: {
                Task { await server.stop() }
            }
        }
    }
}
