import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Flagger's Traefik tutorial on the sandbox: `provider: traefik`, the user's IngressRoute for
/// `app.example.com` naming the TraefikService Serin writes, and the built-in metrics from Traefik's service
/// histogram.
@Suite(.serialized) struct TraefikScenarioTests {
    static let manifests = """
        \(Podinfo.workload)
        ---
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata: {name: podinfo, namespace: test}
        spec:
          entryPoints: [web]
          routes:
          - match: Host(`app.example.com`)
            kind: Rule
            services: [{name: podinfo, kind: TraefikService, port: 80}]
        ---
        \(Podinfo.canary(provider: "traefik"))
        """

    @Test func aGoodReleaseMovesTheTraefikServiceWeightsAndABadOneRollsBack() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "traefik"
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            #expect(try await world.visit("http://app.example.com/").workload == "podinfo-primary", "the IngressRoute reaches Serin's TraefikService")

            try await world.promotesThenRollsBack(metric: "request-duration", query: "traefik_service_request_duration_seconds_bucket")
            let services = try await world.json(["get", "traefikservice", "podinfo", "-n", "test"])[path: "spec", "weighted", "services"]
            #expect(services?.arrayValue?.count == 1 && services?[0]?["weight"] == 100, "back on the primary alone: \(String(describing: services))")

            // Flagger's Traefik router writes `service.apex`'s labels and annotations, and Flux's markers.
            try await world.kubectl.succeed([
                "patch", "canary", "podinfo", "-n", "test", "--type", "merge", "-p",
                #"{"spec":{"service":{"apex":{"labels":{"team":"web"},"annotations":{"note":"apex"}}}}}"#,
            ])
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    try await world.json(["get", "traefikservice", "podinfo", "-n", "test"])[path: "metadata", "labels", "team"] == "web"
                })
            let metadata = try await world.json(["get", "traefikservice", "podinfo", "-n", "test"])["metadata"]
            #expect(metadata?[path: "annotations", "note"] == "apex")
            #expect(metadata?[path: "annotations", "kustomize.toolkit.fluxcd.io/reconcile"] == "disabled")
            #expect(metadata?[path: "annotations", "helm.toolkit.fluxcd.io/driftDetection"] == "disabled")
        }
    }
}
