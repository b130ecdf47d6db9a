import ArgumentParser
import CanaryAPI
import Foundation
import KubeCore
import KubeRuntime
import Routers

/// The checks of `serin operator`'s flags: a bad value is refused at start, naming the flag.
enum OperatorFlags {
    static func check(_ command: OperatorCommand) throws {
        _ = try meshProvider(command.meshProvider)
        _ = try annotationPrefix(command.ingressAnnotationsPrefix)
        _ = try kumaPolicy(command.kumaPolicy)
        guard URL(string: command.metricsServer)?.host != nil else {
            throw ValidationError("--metrics-server: \"\(Redaction.url(command.metricsServer))\" is not a URL")
        }
        if let url = command.eventWebhookURL, URL(string: url)?.host == nil {
            // The value is not echoed: a hook URL is a credential, and one that is not a URL cannot be redacted.
            throw ValidationError("--event-webhook (or EVENT_WEBHOOK_URL): the value (\(url.count) characters) is not a URL")
        }
        let labels = list(command.selectorLabels)
        guard !labels.isEmpty, labels.allSatisfy(isLabelKey) else {
            throw ValidationError("--selector-labels: \"\(command.selectorLabels)\" must be comma-separated label keys")
        }
        for (flag, value) in [("--namespace", command.namespace), ("--leader-election-namespace", command.leaderElectionNamespace)] {
            if let value, !isDNSLabel(value) { throw ValidationError("\(flag): \"\(value)\" is not a namespace name") }
        }
        if let shard = command.shard {
            guard ShardAssignment(parsing: shard) != nil else {
                throw ValidationError("--shard: \"\(shard)\" must be N/M, this replica's shard N of M shards (0 ≤ N < M)")
            }
            guard !command.enableLeaderElection else {
                throw ValidationError("--shard: each shard elects its own leader; drop --enable-leader-election")
            }
        }
        guard (0...65535).contains(command.port) else { throw ValidationError("--port: \(command.port) is not a port") }
        guard command.kubeQps > 0 else { throw ValidationError("--kube-qps: must be more than 0") }
        guard command.kubeBurst >= 1 else { throw ValidationError("--kube-burst: must be at least 1") }
        guard command.concurrency >= 1 else { throw ValidationError("--concurrency: must be at least 1") }
        guard command.mallocArenas >= 0 else { throw ValidationError("--malloc-arenas: must be 0 (glibc's default) or more") }
        do { _ = try GoDuration(parsing: command.memoryTrimInterval) } catch {
            throw ValidationError("--memory-trim-interval: \(error)")
        }
        do { _ = try GoDuration(parsing: command.minAnalysisInterval) } catch {
            throw ValidationError("--min-analysis-interval: \(error)")
        }
        _ = try command.webhookCredentials()
    }

    /// `--kuma-policy`: `TrafficRoute` or `MeshHTTPRoute`.
    static func kumaPolicy(_ text: String) throws -> RouterSettings.KumaPolicy {
        guard let policy = RouterSettings.KumaPolicy(rawValue: text) else {
            let known = RouterSettings.KumaPolicy.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--kuma-policy: \"\(text)\" is not a known value (known: \(known))")
        }
        return policy
    }

    /// `--mesh-provider`: one of Flagger's providers that Serin routes.
    static func meshProvider(_ text: String) throws -> MeshProvider {
        let provider: MeshProvider
        do { provider = try MeshProvider(parsing: text) } catch { throw ValidationError("--mesh-provider: \(error)") }
        guard RouterRegistry.registration(for: provider) != nil else {
            let supported = RouterRegistry.implemented.map(\.rawValue).sorted().joined(separator: ", ")
            throw ValidationError("--mesh-provider: \"\(text)\" is not supported yet (supported: \(supported))")
        }
        return provider
    }

    /// An annotation prefix: a DNS subdomain (`nginx.ingress.kubernetes.io`), as Kubernetes requires of a key's prefix.
    static func annotationPrefix(_ text: String) throws -> String {
        guard text.count <= 253, text.wholeMatch(of: /[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/) != nil else {
            throw ValidationError("--ingress-annotations-prefix: \"\(text)\" is not a DNS subdomain (such as nginx.ingress.kubernetes.io)")
        }
        return text
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func isDNSLabel(_ text: String) -> Bool {
        text.count <= 63 && text.wholeMatch(of: /[a-z0-9]([-a-z0-9]*[a-z0-9])?/) != nil
    }

    static func isLabelKey(_ text: String) -> Bool {
        text.wholeMatch(of: /([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?/) != nil
    }
}
