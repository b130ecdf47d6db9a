import ArgumentParser
import KubeSandbox

/// `serin-bench`: benchmarks that are not tests. Each prints what it measured and the command to repeat it.
@main
struct SerinBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serin-bench", abstract: "Serin's benchmarks (run with -c release).",
        subcommands: [
            JSONBenchmark.self, SandboxBenchmark.self, RuntimeBenchmark.self, OperatorBenchmark.self, StartupBenchmark.self, FleetBenchmark.self,
            BigObjectBenchmark.self, JudgeBenchmark.self, DashboardBenchmark.self,
        ])
}

extension Sandbox.Options {
    /// The API server alone: no Istio CRDs, no workload or traffic simulation, so a benchmark measures the API path.
    static var apiServerOnly: Sandbox.Options {
        var options = Sandbox.Options()
        options.meshes = SimulatedMesh.defaults.removing("istio", "keda")
        options.simulateTraffic = false
        options.simulateWorkloads = false
        return options
    }
}
