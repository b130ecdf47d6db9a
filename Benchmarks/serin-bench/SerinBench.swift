import ArgumentParser

/// `serin-bench`: benchmarks that are not tests. Each prints what it measured and the command to repeat it.
@main
struct SerinBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serin-bench", abstract: "Serin's benchmarks (run with -c release).",
        subcommands: [JSONBenchmark.self, SandboxBenchmark.self, RuntimeBenchmark.self, OperatorBenchmark.self])
}
