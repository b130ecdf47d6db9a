import Foundation
import KubeCore
import KubeSandbox
import LocalCluster
import MetricProviders

extension DemoStory {
    /// The four acts.
    static func tell(_ options: DemoOptions, world: DemoWorld, console: DemoConsole) async throws -> Outcome {
        var outcome = Outcome()
        let kubectl = "kubectl --kubeconfig \(world.sandbox.kubeconfigPath)"
        console.line()
        console.line(console.style("Watch the same thing from another terminal:", "1"))
        console.line("   \(kubectl) get canaries -n demo -w")
        console.line("   \(kubectl) describe canary httpbin -n demo")
        let follower = RolloutFollower(world: world, console: console)

        console.act(1, "Install: the user's example (\(options.example))")
        try await world.kubectl.succeed(["apply", "-f", options.example])
        console.note("Namespace demo, Deployment httpbin (2 replicas), HPA, MetricTemplate latency, Canary httpbin")
        try await world.kubectl.succeed(
            ["apply", "-f", "-"],
            stdin: """
                {"apiVersion": "flagger.app/v1beta1", "kind": "AlertProvider", "metadata": {"name": "console", "namespace": "demo"},
                 "spec": {"type": "webhook", "address": "\(world.alerts.url)"}}
                """)
        try await world.kubectl.succeed([
            "patch", "canary", "httpbin", "-n", "demo", "--type=merge", "-p",
            #"{"spec":{"analysis":{"alerts":[{"name":"console","severity":"info","providerRef":{"name":"console"}}]}}}"#,
        ])
        console.note("AlertProvider console (type webhook) and the Canary's analysis.alerts: each alert is printed as it arrives")
        let start = ContinuousClock.now
        let initialized = try await follower.follow(until: ["Initialized"], timeout: options.actTimeout)
        outcome.initialized = ContinuousClock.now - start
        guard initialized.phase == "Initialized" else { throw DemoFailure("the Canary did not initialize (phase \(initialized.phase))") }
        try await explainInitialization(world, console: console)

        console.act(2, "A good release: image kennethreitz/httpbin:v2")
        console.note("Serin scales up the canary, moves traffic 20% at a time while success rate and P99 pass,")
        console.note("runs the load test through serin loadtester, then copies the canary's spec to the primary.")
        let good = ContinuousClock.now
        try await world.kubectl.succeed(["set", "image", "deploy/httpbin", "-n", "demo", "httpbin=kennethreitz/httpbin:v2"])
        let promoted = try await follower.follow(until: ["Succeeded", "Failed"], afterLeaving: true, timeout: options.actTimeout)
        outcome.goodRelease = (promoted.phase, ContinuousClock.now - good)

        console.act(3, "A bad release: v3 answers half of its requests with 500")
        console.note("The success rate check fails each interval; at threshold (3) Serin rolls back.")
        let bad = ContinuousClock.now
        try await world.kubectl.succeed([
            "patch", "deploy", "httpbin", "-n", "demo", "-p",
            #"""
            {"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio":"0.5"}},"spec":{"containers":[{"name":"httpbin","image":"kennethreitz/httpbin:v3"}]}}}}
            """#,
        ])
        let rolledBack = try await follower.follow(until: ["Succeeded", "Failed"], afterLeaving: true, timeout: options.actTimeout)
        outcome.badRelease = (rolledBack.phase, ContinuousClock.now - bad, rolledBack.failedChecks)
        let primary = try JSONValue(parsing: try await world.kubectl.succeed(["get", "deploy", "httpbin-primary", "-n", "demo", "-o", "json"]))
        outcome.primaryImage = primary[path: "spec", "template", "spec", "containers"]?[0]?["image"]?.stringValue
        let window = max(10, Int((ContinuousClock.now - bad).seconds.rounded(.up)))
        outcome.primarySuccessRate = try await world.prometheus.value(
            of: """
                100 * sum(rate(istio_requests_total{destination_workload="httpbin-primary",response_code!~"5.*"}[\(window)s]))
                  / sum(rate(istio_requests_total{destination_workload="httpbin-primary"}[\(window)s]))
                """)
        if let rate = outcome.primarySuccessRate {
            console.ok("the primary kept serving v2: success rate \(String(format: "%.2f", rate))% during the bad release")
        }
        outcome.loadTestRequests = try await world.prometheus.value(of: #"sum(istio_requests_total{destination_service_name="httpbin-canary"})"#)
        outcome.judgedRelease = try await judgedRelease(options, world: world, console: console, follower: follower)
        return outcome
    }

    /// What initialization created, and why.
    static func explainInitialization(_ world: DemoWorld, console: DemoConsole) async throws {
        let created: [(String, String)] = [
            ("deploy/httpbin-primary", "a copy of httpbin that serves all traffic between releases"),
            ("deploy/httpbin", "scaled to 0: the target runs only as the canary of a release"),
            ("hpa/httpbin-primary", "the HPA, retargeted at the primary"),
            ("svc/httpbin", "the apex Service, selecting the primary's pods"),
            ("svc/httpbin-primary", "the primary's pods, for the mesh"),
            ("svc/httpbin-canary", "the canary's pods, for the mesh (and the load test)"),
            ("destinationrule/httpbin-primary", "Istio subset for the primary"),
            ("destinationrule/httpbin-canary", "Istio subset for the canary"),
            ("virtualservice/httpbin", "the traffic split: 100% primary, 0% canary"),
        ]
        for (name, why) in created {
            let result = try await world.kubectl.run(["get", name, "-n", "demo", "-o", "name"])
            if result.status == 0 {
                console.ok("\(name.padding(toLength: 32, withPad: " ", startingAt: 0)) \(why)")
            } else {
                throw DemoFailure("\(name) was not created: \(result.stderr)")
            }
        }
    }
}

/// The story could not go on.
struct DemoFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
