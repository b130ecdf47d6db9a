import ArgumentParser
import KubeClient

/// The options that pick a cluster, shared by every command that talks to one.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Path to a kubeconfig file (default: KUBECONFIG, then in-cluster, then ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use (default: current-context).")
    var context: String?

    /// The client configuration, or a clear error naming the file and key, then exit 1.
    func configuration() throws -> ClientConfiguration {
        do {
            return try ClientConfiguration.infer(explicitKubeconfig: kubeconfig, context: context)
        } catch {
            Console.error("error: \(error)")
            throw ExitCode.failure
        }
    }
}
