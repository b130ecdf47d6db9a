import ArgumentParser
import Foundation
import KubeClient
import KubeCore

/// `serin cluster-info`: shows which cluster Serin would talk to and checks that it answers.
struct ClusterInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster-info",
        abstract: "Show the cluster Serin would use (kubeconfig or in-cluster) and check that it answers.")

    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let configuration = try cluster.configuration()
        Console.line("source:    \(configuration.source)")
        Console.line("server:    \(configuration.server.absoluteString)")
        Console.line("namespace: \(configuration.namespace)")
        Console.line("auth:      \(describe(configuration))")
        let client = KubeClient(configuration: configuration)
        do {
            let namespaces = try await client.resource(.namespaces).list(options: ListOptions(limit: 1))
            Console.line("reachable: yes (namespaces readable, resourceVersion \(namespaces.metadata.resourceVersion ?? "?"))")
            try await client.shutdown()
        } catch {
            try await client.shutdown()
            Console.line("reachable: no")
            Console.error("error: \(error)")
            throw ExitCode.failure
        }
    }

    private func describe(_ configuration: ClientConfiguration) -> String {
        var parts: [String] = []
        switch configuration.authentication {
        case .none: parts.append("anonymous")
        case .bearerToken: parts.append("bearer token")
        case .tokenFile(let path): parts.append("token file \(path)")
        case .basic(let username, _): parts.append("basic (\(username))")
        case .exec(let exec, _): parts.append("exec plugin \(exec.command)")
        }
        if configuration.tls.clientKey != nil { parts.append("client certificate") }
        if configuration.tls.insecureSkipVerify { parts.append("TLS verification OFF") }
        return parts.joined(separator: ", ")
    }
}
