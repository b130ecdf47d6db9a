import ArgumentParser
import CanaryController
import Foundation
import KubeClient
import KubeCore
import Logging
import ServiceLifecycle
import Webhooks
import UnixSignals

/// `serin operator`: the canary controller.
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator", abstract: "Run the canary operator (Flagger's flagger.app/v1beta1 API) against a cluster.")

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Prometheus URL for built-in metrics and templates without an address.")
    var metricsServer = "http://prometheus:9090"

    @Option(help: "Watch Canaries in this namespace only (default: all namespaces).")
    var namespace: String?

    @Option(help: "The shortest analysis interval honoured, as a Go duration (Flagger: 10s).")
    var minAnalysisInterval = "10s"

    @OptionGroup var log: LogOptions

    @Option(help: "Also post every event to this URL, for Canaries without event webhooks (env EVENT_WEBHOOK_URL).")
    var eventWebhook: String?

    @Option(help: ArgumentHelp("Send 'Authorization: Bearer <token>' to webhook URLs starting with a prefix, the token read from a file (repeatable).",
                               valueName: "url-prefix=token-file"))
    var webhookToken: [String] = []

    func validate() throws {
        do { _ = try GoDuration(parsing: minAnalysisInterval) } catch { throw ValidationError("--min-analysis-interval: \(error)") }
        guard URL(string: metricsServer)?.scheme != nil else { throw ValidationError("--metrics-server: \"\(metricsServer)\" is not a URL") }
        if let url = eventWebhook ?? ProcessInfo.processInfo.environment["EVENT_WEBHOOK_URL"], !url.isEmpty, URL(string: url)?.host == nil {
            throw ValidationError("--event-webhook: \"\(url)\" is not a URL")
        }
        _ = try webhookCredentials()
    }

    func run() async throws {
        log.bootstrap()
        let logger = Logger(label: "serin.operator")
        let configuration = try cluster.configuration()
        var options = OperatorOptions(metricsServer: metricsServer)
        options.namespace = namespace
        options.minimumInterval = try GoDuration(parsing: minAnalysisInterval).duration
        options.eventWebhook = eventWebhook ?? ProcessInfo.processInfo.environment["EVENT_WEBHOOK_URL"]
        options.webhookCredentials = try webhookCredentials()
        let client = KubeClient(configuration: configuration, logger: logger)
        let canaryOperator = CanaryOperator(client: client, options: options, logger: logger)
        logger.info("starting", metadata: ["cluster": "\(configuration.source)", "metricsServer": "\(metricsServer)"])
        let group = ServiceGroup(services: [canaryOperator], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// `--webhook-token url-prefix=token-file`, each file read and trimmed.
    func webhookCredentials() throws -> [WebhookCredential] {
        try webhookToken.map { entry in
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw ValidationError("--webhook-token: \"\(entry)\" is not url-prefix=token-file")
            }
            let token = try LoadTesterCommand.readToken(String(entry[entry.index(after: equals)...]))
            return WebhookCredential(urlPrefix: String(entry[..<equals]), token: token)
        }
    }
}
