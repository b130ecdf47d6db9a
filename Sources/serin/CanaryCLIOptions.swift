import ArgumentParser
import CanaryAPI
import Foundation
import KubeClient
import KubeCore

/// What every `serin get|status|promote|…` command takes, as kubectl does: the kubeconfig, `--context`
/// and `-n`, the namespace defaulting to the context's.
struct CanaryCLIOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterOptions

    @Option(name: [.customShort("n"), .long], help: "The Canary's namespace (default: the context's namespace).")
    var namespace: String?

    /// A connected client, the namespace, and who the kubeconfig says is asking.
    func connect() throws -> (client: KubeClient, namespace: String, user: String) {
        let configuration = try cluster.configuration()
        let user = configuration.userName ?? ProcessInfo.processInfo.environment["USER"] ?? "someone"
        return (KubeClient(configuration: configuration), namespace ?? configuration.namespace, user)
    }

    /// Runs `body` with a client that is shut down afterwards; an API error is printed and exits 1.
    func with<T>(_ body: (KubeClient, String, String) async throws -> T) async throws -> T {
        let (client, namespace, user) = try connect()
        do {
            let result = try await body(client, namespace, user)
            try await client.shutdown()
            return result
        } catch let exit as ExitCode {
            try await client.shutdown()
            throw exit
        } catch {
            try await client.shutdown()
            Console.error("error: \(error)")
            throw ExitCode.failure
        }
    }
}

/// Reads Canaries and what they own, for the commands.
extension KubeClient {
    var canaries: ResourceClient<JSONValue> { resource(Canary.resource, as: JSONValue.self) }

    /// The Canary `name`, or a clear error when there is none.
    func canary(_ name: String, namespace: String) async throws -> JSONValue {
        do { return try await canaries.get(name, namespace: namespace) } catch let error as KubeAPIError where error.status.code == 404 {
            Console.error("error: canary \(namespace)/\(name) not found")
            throw ExitCode.failure
        }
    }
}
