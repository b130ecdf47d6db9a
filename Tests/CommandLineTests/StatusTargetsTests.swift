import Foundation
import KubeAPIServer
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// `serin status` shows the target of every kind Serin ships: a Kubernetes Service and a Knative Service (a
/// `Service` of `serving.knative.dev/v1`), not the other one of the same kind name.
@Suite struct StatusTargetsTests {
    static func canary(_ name: String, apiVersion: String, provider: String) -> String {
        """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: \(name), namespace: test}
        spec:
          provider: \(provider)
          targetRef: {apiVersion: \(apiVersion), kind: Service, name: \(name)}
          analysis: {interval: 1m, threshold: 2, maxWeight: 50, stepWeight: 10}
        """
    }

    @Test func theTargetOfAServiceOrAKnativeServiceIsShown() async throws {
        try await Sandbox.with { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            let manifests = """
                apiVersion: v1
                kind: Namespace
                metadata: {name: test}
                ---
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata: {name: hello, namespace: test}
                spec: {template: {spec: {containers: [{image: "ghcr.io/knative/helloworld-go:latest"}]}}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: test}
                spec: {selector: {app: web}, ports: [{port: 80}]}
                ---
                \(Self.canary("hello", apiVersion: "serving.knative.dev/v1", provider: "knative"))
                ---
                \(Self.canary("web", apiVersion: "v1", provider: "istio"))
                ---
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: db, namespace: test}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: db}}
                  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1}}
                  template:
                    metadata: {labels: {app: db}}
                    spec: {containers: [{name: db, image: "ghcr.io/example/db:1.0.0"}]}
                ---
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: db, namespace: test}
                spec:
                  targetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db}
                  analysis: {interval: 1m, threshold: 2, stepWeights: [50]}
                """
            try await kubectl.succeed(["apply", "-f", "-"], stdin: manifests)
            for (name, expected) in [
                ("hello", "Service hello  0/0 ready  ghcr.io/knative/helloworld-go:latest  (the new version)"), ("web", "Service web"),
                ("db", "partition 1: db-1 on the new revision"), ("db", "StatefulSet db  "),
            ] {
                let (code, tree) = try await SerinBinary.run(["status", name, "-n", "test", "--kubeconfig", sandbox.kubeconfigPath])
                #expect(code == 0 && tree.contains(expected), "\(name): \(tree)")
            }
        }
    }

    @Test func theStepOfAScriptUnderWayIsShownWithTheTimeLeftInItsPause() async throws {
        try await Sandbox.with { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            try await kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: """
                    apiVersion: v1
                    kind: Namespace
                    metadata: {name: test}
                    ---
                    apiVersion: flagger.app/v1beta1
                    kind: Canary
                    metadata: {name: app, namespace: test}
                    spec:
                      targetRef: {apiVersion: apps/v1, kind: Deployment, name: app}
                      service: {port: 80}
                      analysis:
                        interval: 1m
                        threshold: 2
                        steps:
                        - setWeight: 10
                        - setHeaderRoute: {name: insiders, match: [{headerName: x-canary, headerValue: {exact: insider}}]}
                        - pause: {duration: 10m}
                        - setWeight: 50
                    """)
            let started = KubeTime(Date().addingTimeInterval(-228)).description
            try await kubectl.succeed([
                "patch", "canary", "app", "-n", "test", "--subresource=status", "--type=merge", "-p",
                #"{"status":{"phase":"Progressing","canaryWeight":10,"currentStep":2,"stepStarted":"\#(started)"}}"#,
            ])
            let (code, tree) = try await SerinBinary.run(["status", "app", "-n", "test", "--kubeconfig", sandbox.kubeconfigPath])
            #expect(code == 0 && tree.contains("step 3 of 4: pause 10m, 6m1"), "\(tree)")
            #expect(tree.contains("routes in force: header insiders (x-canary = insider)"), "\(tree)")
        }
    }
}
