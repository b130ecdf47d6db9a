import ArgumentParser
import KubeClient

/// The `serin` command: one binary, several jobs. Subcommands appear as they become usable.
@main
struct Serin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serin",
        abstract: "Progressive delivery for Kubernetes, compatible with Flagger's API.",
        version: SerinVersion.current,
        subcommands: [ClusterInfo.self]
    )
}
