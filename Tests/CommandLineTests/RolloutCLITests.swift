import ChildProcesses
import Foundation
import KubeClient
import KubeCore
import KubeSandbox
import LocalCluster
import SerinTesting
import Testing

/// `serin get|status|promote|abort|retry|pause|resume`, run as `kubectl serin …` through kubectl's plugin
/// lookup (`kubectl-serin` on `PATH`), against a real `serin operator` and the sandbox during real rollouts;
/// a server-side apply of the original manifest, as a GitOps tool does, undoes none of them.
@Suite(.serialized) struct RolloutCLITests {
    static let manifest = TestManifests.plain("web", port: 9898, analysis: "interval: 1s, threshold: 2, maxWeight: 50, stepWeight: 10")

    /// A directory with `kubectl-serin` linked to the built binary, for kubectl's plugin lookup.
    static func pluginPath() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serin-plugin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("kubectl-serin"), withDestinationURL: try SerinBinary.url())
        return directory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
    }

    /// The sandbox, CRDs, a `serin operator` process, the manifest applied and initialized; `kubectl serin`
    /// through the plugin lookup.
    struct World {
        let sandbox: Sandbox
        let kubectl: Kubectl
        let client: KubeClient
        let path: String

        func serin(_ arguments: [String]) async throws -> String {
            let result = try await kubectl.runPlugin(["serin"] + arguments + ["-n", "demo"], path: path)
            #expect(result.status == 0, "kubectl serin \(arguments): \(result)")
            return result.stdout
        }

        func canary() async throws -> JSONValue {
            try await client.resource(
                KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true),
                as: JSONValue.self
            ).get("web", namespace: "demo")
        }
        func phase() async throws -> String? { try await canary()[path: "status", "phase"]?.stringValue }
        func weight() async throws -> Int { try await canary()[path: "status", "canaryWeight"]?.intValue ?? 0 }
        func events() async throws -> [String] {
            try await client.resource(.events, as: JSONValue.self).list(namespace: "demo").items
                .filter { $0[path: "involvedObject", "name"] == "web" }.compactMap { $0["message"]?.stringValue }
        }

        static func with(_ body: (World) async throws -> Void) async throws {
            try await Sandbox.with { sandbox in
                let kubectl = Kubectl(sandbox)
                try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
                let (process, log) = try SerinBinary.start([
                    "operator", "--kubeconfig", sandbox.kubeconfigPath, "--port", "0",
                    "--min-analysis-interval", "500ms", "--metrics-server", "http://127.0.0.1:1",
                ])
                defer { ProcessGroup.stopInBackground(process) }
                try await kubectl.succeed(["apply", "--server-side", "-f", "-"], stdin: RolloutCLITests.manifest)
                let world = World(sandbox: sandbox, kubectl: kubectl, client: sandbox.client(), path: try RolloutCLITests.pluginPath())
                let initialized = try await eventually(timeout: .seconds(30)) { try await world.phase() == "Initialized" }
                let operatorLog = try String(contentsOf: log, encoding: .utf8)
                #expect(initialized, "\(operatorLog)")
                try await body(world)
                try await world.client.shutdown()
            }
        }
    }

    @Test func promoteAbortRetryPauseAndResumeSteerARolloutAndSurviveAServerSideApply() async throws {
        try await World.with { world in
            let kubectl = world.kubectl
            func serin(_ arguments: [String]) async throws -> String { try await world.serin(arguments) }
            func canary() async throws -> JSONValue { try await world.canary() }
            func phase() async throws -> String? { try await world.phase() }
            func weight() async throws -> Int { try await world.weight() }
            func events() async throws -> [String] { try await world.events() }
            let client = world.client
            #expect(try await serin(["get"]).contains("web    Initialized   0%       0/2"))

            // promote: finishes the analysis at 10% instead of walking to 50%.
            try await kubectl.succeed(["set", "image", "deploy/web", "-n", "demo", "web=kennethreitz/httpbin:v2"])
            #expect(try await eventually(timeout: .seconds(20)) { try await weight() >= 10 })
            let lowest = try await weight()
            let tree = try await serin(["status", "web"])
            // A step (1 s) may pass while the tree is drawn, and the VirtualService moves one write before the status.
            let highest = try await weight() + 10
            #expect(
                tree.contains("Canary demo/web  Progressing") && tree.contains("VirtualService web: web-primary")
                    && tree.contains("kennethreitz/httpbin:v2"),
                "\(tree)")
            #expect(
                stride(from: lowest, through: highest, by: 10).contains { tree.contains("web-canary \($0)%") },
                "the tree shows the live weight (\(lowest)…\(highest)%): \(tree)")
            #expect(try await serin(["promote", "web"]).contains("promote requested for canary demo/web"))
            #expect(try await eventually(timeout: .seconds(20)) { try await phase() == "Succeeded" })
            #expect(try await events().contains("Promotion of web.demo requested by sandbox: skipping the rest of the analysis"))
            #expect(try await canary()[path: "metadata", "annotations", "serin.dev/request"] == nil, "the operator removes a handled request")
            let explained = try await serin(["explain", "web"])
            // The request may land at any weight up to maxWeight (50%): the steps are 1 s apart on the wall clock.
            #expect(
                explained.range(of: #"Progressing [1-5]0% → Promoting [1-5]0%"#, options: .regularExpression) != nil
                    && explained.contains("  → Promotion of web.demo requested by sandbox"),
                "the journal says what was decided and why: \(explained)")

            // pause holds, a server-side apply of the manifest keeps the pause, resume goes on, abort rolls back.
            try await kubectl.succeed(["set", "image", "deploy/web", "-n", "demo", "web=kennethreitz/httpbin:v3"])
            #expect(try await eventually(timeout: .seconds(20)) { try await weight() >= 10 })
            _ = try await serin(["pause", "web"])
            // What a GitOps tool applies now: the manifest of the release under way.
            try await kubectl.succeed(
                ["apply", "--server-side", "--force-conflicts", "-f", "-"],
                stdin: Self.manifest.replacingOccurrences(of: "httpbin:v1", with: "httpbin:v3"))
            let held = try await weight()
            try await Task.sleep(for: .seconds(3))  // three intervals: a running analysis would have moved
            let (after, stillProgressing) = (try await weight(), try await phase() == "Progressing")
            #expect(after == held && stillProgressing, "paused at \(held)%")
            #expect(try await canary()[path: "metadata", "annotations", "serin.dev/paused"] != nil, "the GitOps apply left the pause alone")
            #expect(try await serin(["get"]).contains("paused by sandbox"))
            _ = try await serin(["resume", "web"])
            #expect(try await eventually(timeout: .seconds(10)) { try await weight() > held })
            _ = try await serin(["abort", "web"])
            #expect(try await eventually(timeout: .seconds(20)) { try await phase() == "Failed" })
            #expect(try await events().contains("Rolling back web.demo: aborted by sandbox"))

            // retry: the same revision is analysed again, without touching the spec, and promoted.
            let generation = try await canary()[path: "metadata", "generation"]
            _ = try await serin(["retry", "web"])
            #expect(try await eventually(timeout: .seconds(30)) { try await phase() == "Succeeded" })
            #expect(try await events().contains("Retrying the analysis of web.demo requested by sandbox"))
            #expect(try await canary()[path: "metadata", "generation"] == generation, "the spec was not changed")
            let primary = try await client.resource(.deployments, as: JSONValue.self).get("web-primary", namespace: "demo")
            #expect(primary[path: "spec", "template", "spec", "containers"]?[0]?["image"] == "kennethreitz/httpbin:v3")

            _ = try await serin(["retry", "web"])
            #expect(
                try await eventually(timeout: .seconds(10)) {
                    try await events().contains { $0.hasPrefix("Request to retry web.demo requested by sandbox ignored: only a Failed rollout") }
                }, "a request that does not apply is refused by name")
        }
    }

    @Test func getAndStatusShowEachMetricsLastValueAndVerdictFromTheJournal() async throws {
        try await World.with { world in
            let analysis =
                "interval: 1s, threshold: 5, maxWeight: 50, stepWeight: 10, metrics: [{name: request-success-rate, interval: 1m, thresholdRange: {min: 99}}]"
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: TestManifests.plain("checked", port: 9898, analysis: analysis))
            let canaries = world.client.resource(
                KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true),
                as: JSONValue.self)
            func failed() async throws -> Int { try await canaries.get("checked", namespace: "demo")[path: "status", "failedChecks"]?.intValue ?? 0 }
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    try await canaries.get("checked", namespace: "demo")[path: "status", "phase"] == "Initialized"
                })
            try await world.kubectl.succeed(["set", "image", "deploy/checked", "-n", "demo", "checked=kennethreitz/httpbin:v2"])
            #expect(try await eventually(timeout: .seconds(30)) { try await failed() >= 1 }, "Prometheus is not there: the check fails")
            let table = try await world.serin(["get"])
            #expect(table.contains("LAST CHECKS") && table.contains("request-success-rate none ✗"), "\(table)")
            let tree = try await world.serin(["status", "checked"])
            #expect(tree.contains("├─ metrics  request-success-rate no value (>= 99) ✗ Prometheus query failed:"), "\(tree)")
        }
    }

    @Test func getAndStatusShowABakeAndPromoteEndsIt() async throws {
        try await World.with { world in
            let analysis =
                "interval: 1s, threshold: 2, maxWeight: 20, stepWeight: 10, metrics: [{name: request-success-rate, interval: 1m, thresholdRange: {min: 99}, dryRun: true}], bake: {duration: 1h, interval: 1s}"
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: TestManifests.plain("baked", port: 9898, analysis: analysis))
            let canaries = world.client.resource(
                KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true),
                as: JSONValue.self)
            func status() async throws -> JSONValue { try await canaries.get("baked", namespace: "demo")["status"] ?? [:] }
            #expect(try await eventually(timeout: .seconds(30)) { try await status()["phase"] == "Initialized" })
            try await world.kubectl.succeed(["set", "image", "deploy/baked", "-n", "demo", "baked=kennethreitz/httpbin:v2"])
            var seen: [String] = []
            var baking = false
            let deadline = ContinuousClock.now + .seconds(60)
            while !baking, ContinuousClock.now < deadline {
                let now = try await status()
                let phase = "\(now["phase"]?.stringValue ?? "-") \(now["bakeStarted"]?.stringValue ?? "-") \(Date())"
                if seen.last != phase { seen.append(phase) }
                baking = now["phase"]?.stringValue == "Finalising" && now["bakeStarted"]?.stringValue != nil
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(baking, "a dry-run check never decides: the release is promoted and bakes: \(seen)")
            let table = try await world.serin(["get"])
            #expect(table.contains("Finalising") && table.contains("baking"), "\(table)")
            let tree = try await world.serin(["status", "baked"])
            #expect(tree.contains("baking the new primary at full traffic: ") && tree.contains(" s left of 1h0m0s, 0/2 failed checks"), "\(tree)")
            _ = try await world.serin(["promote", "baked"])
            #expect(try await eventually(timeout: .seconds(30)) { try await status()["phase"] == "Succeeded" }, "promote ends the bake")
            let events = try await world.client.resource(.events, as: JSONValue.self).list(namespace: "demo").items
                .filter { $0[path: "involvedObject", "name"] == "baked" }.compactMap { $0["message"]?.stringValue }
            #expect(events.contains { $0.hasPrefix("Bake of baked.demo ended early: promotion requested by ") }, "\(events)")
        }
    }

    @Test func watchRedrawsTheTreeOnEachChangeAndDrawsBarsOnATerminal() async throws {
        try await World.with { world in
            async let watched = world.kubectl.runPlugin(["serin", "watch", "web", "-n", "demo", "--until", "Succeeded,Failed"], path: world.path)
            try await Task.sleep(for: .milliseconds(500))
            try await world.kubectl.succeed(["set", "image", "deploy/web", "-n", "demo", "web=kennethreitz/httpbin:v2"])
            let plain = try await watched
            #expect(plain.status == 0, "\(plain)")
            let trees = plain.stdout.components(separatedBy: "--- ").filter { $0.contains("Canary demo/web") }
            #expect(trees.count >= 4, "a tree per change: \(plain.stdout)")
            // A live view shows the state when it redraws: under load it may skip one, never go back.
            let weights = plain.stdout.split(separator: "\n").compactMap { line -> Int? in
                guard line.hasPrefix("Canary demo/web  Progressing  weight ") else { return nil }
                return Int(line.dropFirst("Canary demo/web  Progressing  weight ".count).prefix { $0.isNumber })
            }
            #expect(Set(weights).count >= 3 && weights == weights.sorted(), "the weights as the rollout moved: \(weights)")
            #expect(plain.stdout.contains("Canary demo/web  Succeeded  weight 0%"))
            #expect(!plain.stdout.contains("\u{1B}["), "plain text without a terminal")

            // Under tmux (a terminal): redrawn in place, with colour and a weight bar.
            let session = "serin-watch-\(UUID().uuidString.prefix(8))"
            let command = "env -u NO_COLOR KUBECONFIG=\(world.sandbox.kubeconfigPath) PATH=\(world.path) kubectl serin watch web -n demo"
            try await Self.tmux(["new-session", "-d", "-s", session, "-x", "150", "-y", "40", command])
            do {
                try await world.kubectl.succeed(["set", "image", "deploy/web", "-n", "demo", "web=kennethreitz/httpbin:v3"])
                #expect(
                    try await eventually(timeout: .seconds(20)) {
                        let screen = try await Self.tmux(["capture-pane", "-p", "-t", session])
                        return screen.contains("Canary demo/web  Progressing  [") && screen.contains("█") && screen.contains("%  failed checks 0/2")
                    }, "the live tree with a weight bar")
                let screen = try await Self.tmux(["capture-pane", "-p", "-t", session])
                #expect(screen.components(separatedBy: "Canary demo/web").count == 2, "one tree on the screen, redrawn in place:\n\(screen)")
            } catch {
                _ = try? await Self.tmux(["kill-session", "-t", session])  // the watch must not outlive the test
                throw error
            }
            try await Self.tmux(["kill-session", "-t", session])
        }
    }

    /// Runs `tmux ARGS` and reaps it itself (`posix_spawnp`, `waitpid`): Foundation's `Process` once left a
    /// `new-session` client that had started a fresh tmux server unreaped, `isRunning` true forever. Output
    /// goes to a file, not a pipe, which the tmux server would hold open for as long as it runs.
    @discardableResult
    static func tmux(_ arguments: [String]) async throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (["tmux"] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, "tmux", &actions, nil, argv, environ)
        guard spawned == 0 else { throw CommandLineTestFailure(description: "tmux \(arguments): cannot start (\(spawned)); is tmux installed?") }
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 { try await Task.sleep(for: .milliseconds(20)) }
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        guard status == 0 else { throw CommandLineTestFailure(description: "tmux \(arguments): exit status \(status): \(text)") }
        return text
    }
}
