import CanaryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import MetricProviders

/// Flagger's start-up check of the metric providers a Canary's templates name (`IsOnline`): a provider
/// that does not answer is reported, and the Canary goes on (its checks will say more).
extension MetricAnalysis {
    /// One message per templated metric whose provider cannot be built or does not answer, in Flagger's
    /// words ("<type> in metric template <name>.<namespace> not available: …"). Templates that are missing
    /// or refused are left to ``referenceIssues(_:)``.
    public func unavailableProviders(_ canary: Canary) async -> [String] {
        var messages: [String] = []
        for metric in canary.spec.analysis?.metrics ?? [] {
            guard let reference = metric.templateRef else { continue }
            let namespace = reference.namespace ?? canary.namespace
            guard let object = templates.get(namespace: namespace, name: reference.name),
                let template = try? object.json.decode(as: MetricTemplate.self),
                let type = MetricProviderType(rawValue: template.spec.provider.type),
                case .success(let address) = MetricAnalysis.address(of: template, canary: canary, metricsServer: metricsServer)
            else { continue }
            let prefix = "\(type) in metric template \(reference.name).\(namespace) not available"
            var config = providerConfig(template, metric: metric, canary: canary, address: address)
            if let secret = template.spec.provider.secretRef?.name {
                do { config.secret = try await secrets.secretData(secret, namespace: namespace) } catch {
                    messages.append("\(prefix): secret \(secret): \(error)")
                    continue
                }
            }
            do {
                let provider = try MetricProviderRegistry.make(type, config)
                if await !provider.isOnline() {
                    messages.append("\(prefix): \(Redaction.url(address.isEmpty ? type.rawValue : address)) did not answer its check")
                }
            } catch {
                messages.append("\(prefix): \(error)")
            }
        }
        return messages
    }
}
